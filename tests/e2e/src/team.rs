//! A team sync server for end-to-end tests: a throwaway PostgreSQL cluster
//! (scripts/pg.sh, stopped and removed when this process ends) and
//! `claimdesk-server` on it, with server accounts; desktops (stores) sign in
//! and sync through the app's own sync layer (claimdesk_app::sync), as the
//! app does. As src-tauri/tests/sync_server.rs does, without a window.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use claimdesk_app::sync::{self as appsync, SyncOutcome, SyncRuntime};
use claimdesk_store::Store;

use crate::{repo_root, Result};

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The server binary: `CLAIMDESK_SERVER_BIN`, else the one of this test's target dir, built when missing.
fn server_bin() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("CLAIMDESK_SERVER_BIN").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test binary is not in a cargo target dir")?
        .to_path_buf();
    let bin = dir.join("claimdesk-server");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(repo_root())
            .args(["build", "--locked", "-p", "claimdesk-server", "--bin", "claimdesk-server"])
            .status()?;
        if !status.success() {
            return Err("could not build claimdesk-server".into());
        }
    }
    Ok(bin)
}

/// The password of a server account in these tests.
pub fn password(user: &str) -> String {
    format!("password-{user}")
}

/// The server and its database; the server is killed on drop (pg.sh's watchdog stops the cluster).
pub struct Team {
    child: Child,
    pub url: String,
    /// The server's database (a throwaway cluster of scripts/pg.sh).
    database_url: String,
    pub runtime: SyncRuntime,
}

impl Drop for Team {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Team {
    /// A new cluster and server with these accounts: (id, role, approval limit).
    pub fn start(users: &[(&str, &str, Option<i64>)]) -> Result<Team> {
        let bin = server_bin()?;
        let dir = std::env::temp_dir().join(format!("claimdesk-e2e-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        {
            use std::os::unix::fs::PermissionsExt;
            // As root the cluster runs as `postgres`, which must enter the directory.
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        }
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/pg.sh"))
            .args(["--dir", &dir.join("pg").to_string_lossy(), "--port", &free_port()?.to_string()])
            .args(["--watch-pid", &std::process::id().to_string(), "start"])
            .output()?;
        if !out.status.success() {
            return Err(
                format!("scripts/pg.sh start failed: {}", String::from_utf8_lossy(&out.stderr)).into()
            );
        }
        let database_url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        for (id, role, limit) in users {
            let mut cmd = Command::new(&bin);
            cmd.env("CLAIMDESK_SERVER_DATABASE_URL", &database_url)
                .env("CLAIMDESK_SERVER_PASSWORD", password(id))
                .env("RUST_LOG", "warn")
                .args(["user", "create", "--id", id, "--name", &format!("사용자 {id}"), "--role", role]);
            if let Some(l) = limit {
                cmd.args(["--limit", &l.to_string()]);
            }
            let out = cmd.output()?;
            if !out.status.success() {
                return Err(
                    format!("server user create {id}: {}", String::from_utf8_lossy(&out.stderr)).into()
                );
            }
        }
        let mut child = Command::new(&bin)
            .env("CLAIMDESK_SERVER_DATABASE_URL", &database_url)
            .env("CLAIMDESK_SERVER_LISTEN", "127.0.0.1:0")
            .env("CLAIMDESK_SERVER_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(std::result::Result::ok) {
                if !sent {
                    if let Some(addr) = serde_json::from_str::<serde_json::Value>(&line)
                        .ok()
                        .and_then(|v| v.get("address")?.as_str().map(String::from))
                    {
                        let _ = tx.send(addr);
                        sent = true;
                    }
                }
            }
        });
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            return Err("claimdesk-server did not start listening".into());
        };
        Ok(Team { child, url: format!("http://{addr}"), database_url, runtime: SyncRuntime::default() })
    }

    /// Signs the store in to the server as `user` (the team's roster comes along).
    pub fn join(&self, store: &mut Store, user: &str) -> Result<()> {
        // As the app does for the person signed in on that desktop (its own admin, on a store with claims).
        let actor = store.actor(user).ok();
        appsync::server_sign_in(store, actor.as_ref(), &self.url, None, user, &password(user), false)
            .map_err(|e| format!("{user} signs in to the server: {e:?}"))?;
        Ok(())
    }

    /// Runs SQL on the server's database past every check of the server, as
    /// someone with access to it could (psql, from Debian's postgresql package).
    pub fn write_to_database(&self, sql: &str) -> Result<()> {
        let out = Command::new("psql")
            .args([self.database_url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
            .output()?;
        if !out.status.success() {
            return Err(format!("psql: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        Ok(())
    }

    /// One sync of the store (push, then pull), as the app's sync timer runs it.
    pub fn sync(&self, store: &mut Store) -> Result<SyncOutcome> {
        let guard = self.runtime.try_begin().ok_or("another sync runs")?;
        let result = appsync::run_sync(store, &AtomicBool::new(false), &mut |_| {});
        self.runtime.finish(&result);
        drop(guard);
        result.map_err(|e| format!("sync: {e:?}").into())
    }
}
