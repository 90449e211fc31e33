//! What keeps the server serving while someone attacks it (docs/security.md):
//!
//! - sign-ins per client address: a token bucket per address (governor),
//!   `login_per_address_per_minute`, checked before anything else of a login;
//! - sign-ins per account: at most `login_attempts` password checks per
//!   account per `login_lock_secs`, counted in PostgreSQL (`login_guard`,
//!   so every instance shares the count), then the account is locked for
//!   `login_lock_secs`: during the lock no password is checked at all, the
//!   right one included, so waiting less than the window gains nothing;
//! - password checks at once: argon2id needs about 19 MiB and tens of
//!   milliseconds each, so a flood of logins would hold gigabytes; at most
//!   `password_checks` run at once, a few more wait briefly, the rest are
//!   answered 503 at once;
//! - pushes at once: a push body (up to [`MAX_PUSH_BYTES`]) is read by at most
//!   [`PUSHES_AT_ONCE`] requests at a time, after their token was checked.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::error::ServerError;

pub use claimdesk_sync::protocol::MAX_PUSH_BYTES;

/// Push bodies read at once (pushes are serialized by their advisory lock
/// anyway; this bounds what waits for it in memory).
pub const PUSHES_AT_ONCE: usize = 4;
/// Logins that may wait for a password check beyond those running.
const WAITING_CHECKS: usize = 16;
/// How long a login waits for a password check before 503.
const CHECK_WAIT: Duration = Duration::from_secs(2);

pub struct Guard {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    checks: Arc<Semaphore>,
    waiting: AtomicUsize,
    pushes: Arc<Semaphore>,
    address_header: Option<axum::http::HeaderName>,
    pub attempts: u32,
    pub lock_secs: u64,
}

impl Guard {
    pub fn new(config: &Config) -> Guard {
        let per_minute = NonZeroU32::new(config.login_per_address_per_minute).unwrap_or(NonZeroU32::MIN);
        Guard {
            by_address: RateLimiter::keyed(Quota::per_minute(per_minute)),
            checks: Arc::new(Semaphore::new(config.password_checks.max(1))),
            waiting: AtomicUsize::new(0),
            pushes: Arc::new(Semaphore::new(PUSHES_AT_ONCE)),
            address_header: config
                .client_address_header
                .as_deref()
                .and_then(|h| axum::http::HeaderName::from_bytes(h.as_bytes()).ok()),
            attempts: config.login_attempts.max(1),
            lock_secs: config.login_lock_secs.max(1),
        }
    }

    /// The client's address: the connection's peer, or behind a proxy the
    /// last entry of the configured header (the one the proxy appended).
    pub fn client_address(&self, parts: &Parts) -> IpAddr {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let forwarded = self.address_header.as_ref().and_then(|h| {
            let value = parts.headers.get_all(h).iter().next_back()?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        forwarded.unwrap_or(peer)
    }

    /// One sign-in from `address`; refused with 429 and when to try again
    /// once the address has used its sign-ins of the minute.
    pub fn login_from(&self, address: IpAddr) -> Result<(), ServerError> {
        let key = address_key(address);
        self.by_address.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(self.by_address.clock()));
            ServerError::Throttled {
                message: format!(
                    "too many sign-ins from this address; try again in {} s",
                    wait.as_secs().max(1)
                ),
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            }
        })
    }

    /// A turn to check a password: at once when one is free, after a short
    /// wait when a few are ahead, else 503 at once.
    pub async fn password_check(&self) -> Result<OwnedSemaphorePermit, ServerError> {
        let busy = || ServerError::Busy {
            message: "the server is checking many sign-ins right now; try again in a moment".into(),
            retry_after_secs: 1,
        };
        if let Ok(permit) = self.checks.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= WAITING_CHECKS {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let permit = tokio::time::timeout(CHECK_WAIT, self.checks.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }

    /// A turn to read a push body (waits; the request's timeout bounds it).
    pub async fn push_turn(&self) -> Result<OwnedSemaphorePermit, ServerError> {
        self.pushes.clone().acquire_owned().await.map_err(|_| ServerError::Internal("closed".into()))
    }

    /// Counts one password check of `account`; refused with 429 (and no
    /// check) while the account is locked or when this one is over the limit.
    pub async fn account_attempt(
        &self,
        client: &deadpool_postgres::Client,
        account: &str,
    ) -> Result<(), ServerError> {
        // One statement, so that concurrent guesses on several instances
        // count exactly: a window that has passed or a lock that has ended
        // starts a new window at 1; a lock in force stays as it is; the
        // attempt past the limit locks.
        let stmt = client
            .prepare_cached(
                "INSERT INTO login_guard AS g (account, attempts, window_start) VALUES ($1, 1, now())
                 ON CONFLICT (account) DO UPDATE SET
                     attempts = CASE
                         WHEN g.locked_until > now() THEN g.attempts
                         WHEN g.locked_until IS NOT NULL OR g.window_start <= now() - $2::bigint * interval '1 second' THEN 1
                         ELSE g.attempts + 1 END,
                     window_start = CASE
                         WHEN g.locked_until > now() THEN g.window_start
                         WHEN g.locked_until IS NOT NULL OR g.window_start <= now() - $2::bigint * interval '1 second' THEN now()
                         ELSE g.window_start END,
                     locked_until = CASE
                         WHEN g.locked_until > now() THEN g.locked_until
                         WHEN g.locked_until IS NOT NULL OR g.window_start <= now() - $2::bigint * interval '1 second' THEN NULL
                         WHEN g.attempts + 1 > $3::integer THEN now() + $2::bigint * interval '1 second'
                         ELSE NULL END
                 RETURNING ceil(extract(epoch FROM (locked_until - now())))::bigint",
            )
            .await?;
        let lock_secs = i64::try_from(self.lock_secs).unwrap_or(i64::MAX / 2);
        let attempts = i32::try_from(self.attempts).unwrap_or(i32::MAX);
        let row = client.query_one(&stmt, &[&account, &lock_secs, &attempts]).await?;
        match row.get::<_, Option<i64>>(0) {
            Some(secs) if secs > 0 => {
                tracing::warn!(account = %printable(account), secs, "sign-in refused: account locked");
                Err(ServerError::Throttled {
                    message: format!(
                        "too many sign-in attempts for this account; it is locked for {} more minute(s), whatever the password (an administrator can unlock it with `claimdesk-server user unlock`)",
                        (secs as u64).div_ceil(60)
                    ),
                    retry_after_secs: secs as u64,
                })
            }
            _ => Ok(()),
        }
    }

    /// A sign-in succeeded: the account's count starts again.
    pub async fn account_signed_in(
        client: &deadpool_postgres::Client,
        account: &str,
    ) -> Result<(), ServerError> {
        client.execute("DELETE FROM login_guard WHERE account = $1", &[&account]).await?;
        Ok(())
    }

    /// Forgets addresses and accounts whose window has passed (run every minute).
    pub async fn prune(&self, pool: &deadpool_postgres::Pool) {
        self.by_address.retain_recent();
        self.by_address.shrink_to_fit();
        let lock_secs = i64::try_from(self.lock_secs).unwrap_or(i64::MAX / 2);
        if let Ok(client) = pool.get().await {
            let _ = client
                .execute(
                    "DELETE FROM login_guard WHERE (locked_until IS NULL OR locked_until < now())
                     AND window_start < now() - $1::bigint * interval '1 second'",
                    &[&lock_secs],
                )
                .await;
        }
    }
}

/// The key an address is counted under: an IPv4 address itself, an IPv6
/// address by its /64 (one subscriber's network: otherwise each of its 2^64
/// addresses would get its own sign-ins).
pub fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("v6");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("v6");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("v6");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("mapped");
        assert_eq!(address_key(mapped), "192.0.2.7".parse::<IpAddr>().expect("v4"));
    }

    #[test]
    fn one_address_gets_its_sign_ins_of_the_minute_then_429_with_when() {
        let config = Config { login_per_address_per_minute: 3, ..Config::default() };
        let guard = Guard::new(&config);
        let here: IpAddr = "192.0.2.1".parse().expect("v4");
        let there: IpAddr = "192.0.2.2".parse().expect("v4");
        for _ in 0..3 {
            guard.login_from(here).expect("within the minute's sign-ins");
        }
        let refused = guard.login_from(here).expect_err("the fourth is refused");
        assert_eq!(refused.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.retry_after().is_some_and(|s| (1..=20).contains(&s)), "{:?}", refused.retry_after());
        guard.login_from(there).expect("another address is not affected");
    }

    #[test]
    fn the_address_header_is_read_only_when_configured() {
        let with = Guard::new(&Config {
            client_address_header: Some("x-forwarded-for".into()),
            ..Config::default()
        });
        let without = Guard::new(&Config::default());
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.4")
            .body(())
            .expect("request");
        let (mut parts, ()) = request.into_parts();
        parts.extensions.insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))));
        assert_eq!(with.client_address(&parts), "198.51.100.4".parse::<IpAddr>().expect("ip"));
        assert_eq!(without.client_address(&parts), "10.0.0.1".parse::<IpAddr>().expect("ip"));
    }
}
