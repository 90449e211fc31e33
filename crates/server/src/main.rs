//! `claimdesk-server`: serve (default), migrate, and admin commands for users and devices.

// mimalloc: a push page parses, decides and re-encodes thousands of small
// JSON values; with the system allocator a third of the server's CPU went to
// malloc and free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use claimdesk_server::config::Config;
use claimdesk_server::http::{router, AppState};
use claimdesk_server::{admin, db};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "claimdesk-server", version, about = "ClaimDesk sync server (PostgreSQL)")]
struct Cli {
    /// TOML settings (see docs/server.md); CLAIMDESK_SERVER_* variables override it.
    #[arg(long, global = true, env = "CLAIMDESK_SERVER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the database migrations and serve (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage users (role, approval limit, password, active).
    #[command(subcommand)]
    User(UserCmd),
    /// Manage device sign-ins.
    #[command(subcommand)]
    Device(DeviceCmd),
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user; the password comes from CLAIMDESK_SERVER_PASSWORD or a prompt.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// reviewer | supervisor | admin
        #[arg(long)]
        role: String,
        /// Approval limit in won; omit for no limit.
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Set a new password (CLAIMDESK_SERVER_PASSWORD or a prompt).
    ResetPassword {
        #[arg(long)]
        id: String,
    },
    SetRole {
        #[arg(long)]
        id: String,
        #[arg(long)]
        role: String,
    },
    /// Set the approval limit in won, or --none for no limit.
    SetLimit {
        #[arg(long)]
        id: String,
        #[arg(long, conflicts_with = "none", required_unless_present = "none")]
        limit: Option<i64>,
        #[arg(long)]
        none: bool,
    },
    /// Deactivate a user: no sign-in, every device token ends.
    Deactivate {
        #[arg(long)]
        id: String,
    },
    Activate {
        #[arg(long)]
        id: String,
    },
    /// End a lock from too many sign-in attempts (reset-password ends it too).
    Unlock {
        #[arg(long)]
        id: String,
    },
    List,
}

#[derive(Subcommand)]
enum DeviceCmd {
    List {
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a device: its token stops working and it cannot sign in again.
    Revoke {
        #[arg(long)]
        id: String,
    },
}

fn password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("CLAIMDESK_SERVER_PASSWORD") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("password: ").context("cannot read the password")?;
    let again = rpassword::prompt_password("again: ").context("cannot read the password")?;
    if first != again {
        anyhow::bail!("the two passwords differ");
    }
    Ok(first)
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tokio_postgres=warn"));
    // A log that cannot be written (stderr closed) is dropped; the server keeps serving.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
    if format == "json" {
        builder.json().flatten_event(true).with_current_span(true).init();
    } else {
        builder.init();
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = (|| -> anyhow::Result<()> {
        let config = Config::load(cli.config.as_deref())?;
        init_logging(&config.log_format);
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config))
    })();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("claimdesk-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let pool =
        db::pool_waiting(&config.database_url, config.pool_size, Duration::from_millis(config.pool_wait_ms))?;
    match command {
        Command::Serve => serve(pool, config).await?,
        Command::Migrate => {
            let m = db::migrate(&pool).await?;
            println!("database schema {} (was {})", m.to, m.from);
        }
        Command::User(cmd) => {
            db::migrate(&pool).await?;
            match cmd {
                UserCmd::Create { id, name, role, limit } => {
                    admin::create_user(&pool, &id, &name, &role, limit, &password()?).await?;
                    println!("created user {id}");
                }
                UserCmd::ResetPassword { id } => {
                    admin::reset_password(&pool, &id, &password()?).await?;
                    println!("new password set for {id}");
                }
                UserCmd::SetRole { id, role } => {
                    admin::set_role(&pool, &id, &role).await?;
                    println!("{id} is now {role}");
                }
                UserCmd::SetLimit { id, limit, none: _ } => {
                    admin::set_limit(&pool, &id, limit).await?;
                    println!(
                        "approval limit of {id}: {}",
                        limit.map(|l| format!("{l} won")).unwrap_or_else(|| "none".into())
                    );
                }
                UserCmd::Deactivate { id } => {
                    admin::set_active(&pool, &id, false).await?;
                    println!("deactivated {id}; their devices are signed out");
                }
                UserCmd::Activate { id } => {
                    admin::set_active(&pool, &id, true).await?;
                    println!("activated {id}");
                }
                UserCmd::Unlock { id } => {
                    if admin::unlock(&pool, &id).await? {
                        println!("unlocked {id}");
                    } else {
                        println!("{id} was not locked");
                    }
                }
                UserCmd::List => print!("{}", admin::list_users(&pool).await?),
            }
        }
        Command::Device(cmd) => {
            db::migrate(&pool).await?;
            match cmd {
                DeviceCmd::List { user } => print!("{}", admin::list_devices(&pool, user.as_deref()).await?),
                DeviceCmd::Revoke { id } => {
                    admin::revoke_device(&pool, &id).await?;
                    println!("revoked device {id}");
                }
            }
        }
    }
    Ok(())
}

async fn serve(pool: deadpool_postgres::Pool, config: Config) -> anyhow::Result<()> {
    let m = db::migrate(&pool).await.context("cannot prepare the database")?;
    if m.from != m.to {
        tracing::info!(from = m.from, to = m.to, "database migrated");
    }
    let addr: SocketAddr = config
        .listen
        .parse()
        .with_context(|| format!("listen: '{}' is not an address:port", config.listen))?;
    let listener = std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let tls = config.tls_cert.clone().zip(config.tls_key.clone());
    let server_id = db::server_id(&pool).await.context("cannot read the server's identity")?;
    tracing::info!(server_id = %server_id, "server identity");
    let state = AppState::new(pool.clone(), config, server_id);
    let guard = state.guard.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            guard.prune(&pool).await;
        }
    });
    let app = router(state);
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    // The client's address for the sign-in limits (docs/security.md).
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await.with_context(
                || format!("cannot load the TLS certificate {} and key {}", cert.display(), key.display()),
            )?;
            tracing::info!(address = %local, "listening (https)");
            let mut server = axum_server::from_tcp_rustls(listener, tls).handle(handle);
            header_timeout(server.http_builder());
            server.serve(service).await?;
        }
        None => {
            tracing::info!(address = %local, "listening (http)");
            let mut server = axum_server::from_tcp(listener).handle(handle);
            header_timeout(server.http_builder());
            server.serve(service).await?;
        }
    }
    Ok(())
}

/// A client has 10 s to send a request's head (a connection that trickles
/// its headers, slowloris, is closed); the body is bounded by the request
/// timeout.
fn header_timeout(builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(Duration::from_secs(10));
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
