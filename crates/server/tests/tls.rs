//! HTTPS: a client that trusts the test CA connects; one that does not is refused.

mod common;

use common::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_the_test_ca_connects_one_without_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "ClaimDesk test CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let key = KeyPair::generate().expect("key");
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, "claimdesk-server test");
    let cert = params.signed_by(&key, &ca, &ca_key).expect("cert");
    let cert_path = dir.path().join("server.crt");
    let key_path = dir.path().join("server.key");
    std::fs::write(&cert_path, cert.pem() + &ca.pem()).expect("write cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("write key");

    let db = fresh_database("tls").await;
    create_user(&db, "kim", "admin", None);
    let server =
        Server::start_with(&db, ServerOpts { tls: Some((cert_path, key_path)), ..Default::default() });
    assert!(server.url.starts_with("https://"));

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).expect("ca pem"))
        .build()
        .expect("client");
    let health = trusting.get(format!("{}/health", server.url)).send().await.expect("https with the test CA");
    assert_eq!(health.status(), 200);

    // The full protocol over HTTPS.
    let mut kim = Api::new(&server.url);
    kim.http = trusting.clone();
    let resp = trusting
        .post(format!("{}/v1/login", server.url))
        .header(claimdesk_sync::protocol::HEADER_PROTOCOL, claimdesk_sync::protocol::PROTOCOL_VERSION.to_string())
        .header(claimdesk_sync::protocol::HEADER_SCHEMA, "3")
        .json(&serde_json::json!({"user": "kim", "password": "password-kim", "device_id": "dev-kim", "device_name": "노트북"}))
        .send()
        .await
        .expect("login");
    let login: claimdesk_sync::protocol::LoginResponse = resp.json().await.expect("login body");
    kim.token = Some(login.token);
    kim.user = "kim".into();
    kim.device = "dev-kim".into();
    let r = kim.push(&[import(&kim, "C-1")]).await;
    assert_eq!(outcome_code(&r[0]), "accepted");
    assert_eq!(kim.pull_all(0).await.len(), 1);

    // Without the CA: the certificate is not trusted, nothing is exchanged.
    let stranger = reqwest::Client::new();
    let err = stranger.get(format!("{}/health", server.url)).send().await.expect_err("untrusted certificate");
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    // Plain HTTP to the HTTPS port gets no answer either.
    let plain = server.url.replacen("https://", "http://", 1);
    assert!(!reqwest::get(format!("{plain}/health")).await.map(|r| r.status().is_success()).unwrap_or(false));
}
