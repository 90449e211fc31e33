//! Device tokens (issue 10, item 2, the server's side; docs/security.md):
//! they expire, a refresh renews them (and ends the old one), signing out
//! ends them, and a device id stays with the computer that registered it.

mod common;

use std::time::Duration;

use claimdesk_sync::protocol::*;
use common::*;

async fn login_raw(url: &str, user: &str, device: &str, secret: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/v1/login"))
        .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
        .header(HEADER_SCHEMA, "3")
        .json(&LoginRequest {
            user: user.into(),
            password: format!("password-{user}"),
            device_id: device.into(),
            device_name: format!("{user}의 노트북"),
            device_secret: secret.into(),
        })
        .send()
        .await
        .expect("login")
}

fn with_token(api: &Api, token: &str) -> Api {
    Api { token: Some(token.to_string()), ..api.clone() }
}

async fn post(api: &Api, path: &str) -> reqwest::Response {
    api.http
        .post(format!("{}{path}", api.url))
        .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
        .header(HEADER_SCHEMA, "3")
        .bearer_auth(api.token.as_deref().unwrap_or_default())
        .send()
        .await
        .expect("post")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_unless_refreshed_and_a_refresh_ends_the_old_one() {
    let db = fresh_database("ttl").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start_with(
        &db,
        ServerOpts { env: vec![("TOKEN_TTL_SECS", "3".into())], ..Default::default() },
    );
    let login: LoginResponse =
        login_raw(&server.url, "kim", "desk-kim", "s-kim").await.json().await.expect("login body");
    let now = now_ms();
    assert!(
        (now + 1000..=now + 4000).contains(&login.token_expires_ms),
        "{} vs {now}",
        login.token_expires_ms
    );
    let kim = with_token(&Api::new(&server.url), &login.token);
    assert_eq!(kim.get("/v1/users").await.status(), 200);

    // Renewed twice, 2 s apart: it outlives the first token's 3 s.
    let mut current = kim.clone();
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let fresh: RefreshResponse = post(&current, "/v1/refresh").await.json().await.expect("refresh");
        let old = current.clone();
        current = with_token(&kim, &fresh.token);
        assert_eq!(old.get("/v1/users").await.status(), 401, "the old token ends at a refresh");
        assert_eq!(current.get("/v1/users").await.status(), 200);
    }
    // Left alone, it ends.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let expired = current.get("/v1/users").await;
    assert_eq!(expired.status(), 401);
    let body: ErrorBody = expired.json().await.expect("error body");
    assert!(body.message.contains("expired"), "{}", body.message);
    assert_eq!(post(&current, "/v1/refresh").await.status(), 401, "an expired token is not renewed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_token_on_the_server() {
    let db = fresh_database("logout").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);
    let kim = Api::login(&server.url, "kim", "desk-kim").await;
    assert_eq!(kim.get("/v1/users").await.status(), 200);
    assert_eq!(post(&kim, "/v1/logout").await.status(), 200);
    assert_eq!(kim.get("/v1/users").await.status(), 401, "the token no longer works");
    let push = kim.push_raw(&[]).await.expect("push");
    assert_eq!(push.status(), 401);
}

/// A device id is the computer's that registered it: another login with the
/// id (another user, or the same user from another computer that copied the
/// id) is refused and leaves the device's token working; the same computer
/// (its secret) signs in as anyone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_login_cannot_take_over_a_device_id() {
    let db = fresh_database("takeover").await;
    create_user(&db, "kim", "reviewer", None);
    create_user(&db, "lee", "reviewer", None);
    let server = Server::start(&db);
    let kim: LoginResponse =
        login_raw(&server.url, "kim", "desk-1", "secret-of-desk-1").await.json().await.expect("kim");
    let kim = with_token(&Api::new(&server.url), &kim.token);
    for (user, secret) in [("lee", "another-secret"), ("lee", ""), ("kim", "copied-id-elsewhere")] {
        let r = login_raw(&server.url, user, "desk-1", secret).await;
        assert_eq!(r.status(), 403, "{user} with {secret:?}");
        let body: ErrorBody = r.json().await.expect("error body");
        assert!(body.message.contains("belongs to another computer"), "{}", body.message);
    }
    assert_eq!(kim.get("/v1/users").await.status(), 200, "the device's own token still works");
    // The same computer: another person signs in on it.
    let lee = login_raw(&server.url, "lee", "desk-1", "secret-of-desk-1").await;
    assert_eq!(lee.status(), 200);
}
