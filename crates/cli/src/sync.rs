//! `claimdesk sync`: one full sync with the team server, the sync status,
//! and the list of conflicts (resolved with `claimdesk claim resolve`).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{anyhow, Context};
use claimdesk_store::Store;
use claimdesk_sync::client::{password_verifier, ClientConfig, SyncClient};
use claimdesk_sync::engine::{Progress, SyncError};
use claimdesk_sync::protocol::LoginRequest;
use clap::{Args, Subcommand};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    action: Option<SyncAction>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum SyncAction {
    /// What waits to be pushed, parked ops with their reasons, open conflicts, the last sync.
    Status(crate::StoreArgs),
    /// Take claims offline before fieldwork: others see who holds them after
    /// their next sync (advice that reduces conflicts, never a lock).
    Lease {
        #[command(flatten)]
        store: crate::StoreArgs,
        /// Claim ids, comma-separated.
        #[arg(value_delimiter = ',', required = true)]
        claims: Vec<String>,
        /// Give the leases back instead.
        #[arg(long)]
        release: bool,
    },
    /// Sign this store out of the sync server: its device token is ended on
    /// the server (when the trusted server answers; otherwise it ends at its
    /// expiry) and forgotten here. The server address stays; the next
    /// `claimdesk sync` needs the password again.
    SignOut {
        #[command(flatten)]
        store: crate::StoreArgs,
        /// A PEM file of CA certificates to trust besides the public ones (a team's own CA).
        #[arg(long, env = "CLAIMDESK_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// The store (a SQLite file).
    #[arg(long, env = "CLAIMDESK_DB")]
    db: Option<PathBuf>,
    /// The user who opens the store on this PC (their password: CLAIMDESK_PASSWORD or asked);
    /// default: the --user of the server.
    #[arg(long = "as", env = "CLAIMDESK_USER")]
    as_user: Option<String>,
    /// The sync server, e.g. https://sync.example:8443 (remembered after the first sync).
    #[arg(long, env = "CLAIMDESK_SERVER")]
    server: Option<String>,
    /// The user to sign in as (remembered after the first sync).
    #[arg(long)]
    user: Option<String>,
    /// The environment variable holding the password (default: CLAIMDESK_PASSWORD). Without
    /// a password the token of the last sign-in is used.
    #[arg(long)]
    password_env: Option<String>,
    /// A PEM file of CA certificates to trust besides the public ones (a team's own CA).
    #[arg(long, env = "CLAIMDESK_CA_FILE")]
    ca_file: Option<PathBuf>,
    /// How this device is named on the server.
    #[arg(long)]
    device_name: Option<String>,
    /// Switch this store to another server than the one it trusts (another
    /// address, or a server that answers another identity): only for a user
    /// who is an administrator of this store, signing in with their password.
    #[arg(long)]
    confirm_server_change: bool,
}

pub fn sync(args: SyncArgs) -> anyhow::Result<()> {
    match args.action {
        Some(SyncAction::Status(store)) => status(&store),
        Some(SyncAction::Lease { store, claims, release }) => {
            let (mut s, actor) = store.open_existing()?;
            if release {
                let n = s.release_lease(&actor, &claims)?;
                crate::out!("{n} leases given back");
            } else {
                let n = s.lease(&actor, &claims)?;
                crate::out!("{n} claims leased to {} (others see it after they sync)", actor.user);
            }
            Ok(())
        }
        Some(SyncAction::SignOut { store, ca_file }) => sign_out(&store, ca_file),
        None => run(args.run),
    }
}

fn say(m: claimdesk_core::message::Message) -> String {
    m.render(crate::lang())
}

/// `claimdesk sync sign-out`: the token goes only to the server this store
/// trusts (its address, and the identity its /health answers), never to a
/// look-alike; whatever the server answers, the token is forgotten here.
fn sign_out(args: &crate::StoreArgs, ca_file: Option<PathBuf>) -> anyhow::Result<()> {
    let (mut store, _) = args.open_existing()?;
    let setting = |store: &Store, key: &str| -> anyhow::Result<Option<String>> {
        Ok(store.sync_setting(key)?.filter(|v| !v.trim().is_empty()))
    };
    let Some(token) = setting(&store, "token")? else {
        crate::out!("{}", say(claimdesk_core::msg!("cli.sync_not_signed_in")));
        return Ok(());
    };
    let server = setting(&store, "server_url")?;
    let ca_file = ca_file.or(setting(&store, "ca_file")?.map(PathBuf::from));
    let mut ended = false;
    if let Some(server) = server {
        let mut config = ClientConfig::new(&server, claimdesk_store::schema::SCHEMA_VERSION as u32);
        config.timeout = std::time::Duration::from_secs(10);
        config.ca_file = ca_file;
        if let Ok(client) = SyncClient::new(&config) {
            let trusted =
                client.health().ok().is_some_and(|h| store.check_server_identity(&h.server_id).is_ok());
            if trusted {
                ended = client.with_token(Some(token)).logout().is_ok();
            }
        }
    }
    store.set_sync_setting("token", "")?;
    let said = if ended {
        claimdesk_core::msg!("cli.sync_signed_out", user = store.sync_setting("user")?.unwrap_or_default())
    } else {
        claimdesk_core::msg!(
            "cli.sync_signed_out_here",
            user = store.sync_setting("user")?.unwrap_or_default()
        )
    };
    crate::out!("{}", say(said));
    Ok(())
}

fn fail(e: SyncError) -> anyhow::Error {
    anyhow!("[{}] {e}", e.code())
}

fn run(a: RunArgs) -> anyhow::Result<()> {
    let db = a.db.ok_or_else(|| anyhow!("name the store with --db (or CLAIMDESK_DB)"))?;
    let opener =
        a.as_user.clone().or_else(|| a.user.clone()).unwrap_or_else(|| claimdesk_store::FIRST_ADMIN.into());
    let (mut store, _) = crate::unlock::open(&db, &opener)?;
    let server = match a.server {
        Some(s) => s,
        None => store
            .sync_setting("server_url")?
            .ok_or_else(|| anyhow!("name the sync server with --server the first time"))?,
    };
    let user = match a.user {
        Some(u) => u,
        None => {
            store.sync_setting("user")?.ok_or_else(|| anyhow!("name the user with --user the first time"))?
        }
    };
    let password_var = a.password_env.unwrap_or_else(|| "CLAIMDESK_PASSWORD".to_string());
    let password = std::env::var(&password_var).ok().filter(|p| !p.is_empty());
    let mut config = ClientConfig::new(&server, claimdesk_store::schema::SCHEMA_VERSION as u32);
    config.ca_file = a.ca_file;
    let mut client = SyncClient::new(&config).map_err(fail)?;
    let url = claimdesk_sync::client::server_base(&server).map_err(fail)?;
    let remembered_user = store.sync_setting("user")?;
    // Who the answering server is, before a password or a change goes to it.
    let health = client.health().map_err(fail)?;
    match password {
        Some(password) => {
            // A fresh store, or the server it trusts, needs nobody; joining
            // with a store that holds claims, or changing server, needs the
            // user to be an administrator of this store (its own users table
            // and credentials decide, not what the server says).
            let choice = match store.check_server_choice(None, &url, &health.server_id, false) {
                Ok(choice) => choice,
                Err(first) => {
                    let local = match store.sync_setting(&format!("verifier:{user}"))? {
                        Some(v) if claimdesk_sync::client::verify_offline(&v, &password) => {
                            store.actor(&user).ok()
                        }
                        _ => store.verify_password(&user, &password).ok(),
                    };
                    match local {
                        Some(actor) => store.check_server_choice(
                            Some(&actor),
                            &url,
                            &health.server_id,
                            a.confirm_server_change,
                        )?,
                        None => return Err(first.into()),
                    }
                }
            };
            let device_name = a.device_name.unwrap_or_else(|| {
                format!("claimdesk-cli {}", &store.device()[..8.min(store.device().len())])
            });
            let login = client
                .login(&LoginRequest {
                    user: user.clone(),
                    password: password.clone(),
                    device_id: store.device().to_string(),
                    device_name,
                    device_secret: store.device_secret()?,
                })
                .map_err(fail)?;
            if login.server_id != health.server_id {
                store.check_server_identity(&login.server_id)?;
            }
            store.trust_server(&url, &login.server_id)?;
            if choice != claimdesk_store::server_trust::ServerChoice::Same {
                crate::out!(
                    "{}",
                    claimdesk_core::msg!("store.server_trusted", url = url, server_id = login.server_id)
                        .render(crate::lang())
                );
            }
            store.set_sync_setting("user", &user)?;
            store.set_sync_setting("token", &login.token)?;
            store.set_sync_setting(
                &format!("verifier:{user}"),
                &password_verifier(&password).map_err(fail)?,
            )?;
            // The password the server has just accepted opens the store on this PC too.
            store.set_key_slot(&login.user.id, &password)?;
            crate::out!("signed in as {} ({})", login.user.id, login.user.role);
        }
        None => {
            let token =
                store.sync_setting("token")?.filter(|_| remembered_user.as_deref() == Some(user.as_str()));
            let token = token.ok_or_else(|| {
                anyhow!("no password in ${password_var} and no earlier sign-in of '{user}' on this store; set the password in ${password_var}")
            })?;
            if store.trusted_server()?.is_some_and(|t| t.url != url) {
                return Err(claimdesk_store::StoreError::Invalid(claimdesk_core::msg!(
                    "store.join_needs_admin"
                ))
                .into());
            }
            store.check_server_identity(&health.server_id)?;
            client = client.with_token(Some(token));
            // A token in use is renewed (the old one ends), so it never runs out while this store syncs.
            let fresh = client.refresh().map_err(fail)?;
            store.set_sync_setting("token", &fresh.token)?;
        }
    }
    // The team as the server knows it: users, roles and limits are managed there.
    match client.users() {
        Ok(users) => {
            let roster: Vec<_> =
                users.iter().filter_map(claimdesk_store::sync_desk::RosterUser::from_wire).collect();
            let changed = store.apply_roster(&user, &roster)?;
            store.roster_refreshed(claimdesk_core::hlc::wall_clock_ms() as i64)?;
            if changed > 0 {
                crate::out!("team: {changed} users added or changed from the server");
            }
        }
        Err(e) => eprintln!("warning: the team list could not be read [{}]: {e}", e.code()),
    }
    let cancel = AtomicBool::new(false);
    let mut progress = |p: Progress| match p {
        Progress::Push { pushed } => eprint!("\rpushed {pushed} ops          "),
        Progress::Pull { cursor, head, pulled } => {
            eprint!("\rpulled {pulled} ops ({cursor}/{head})          ")
        }
    };
    let report = client.sync(&mut store, &mut progress, &cancel);
    eprintln!();
    let report =
        report.map_err(fail).context("the sync stopped; what was done is kept, run it again to continue")?;
    crate::out!(
        "pushed {} ops: {} accepted, {} already on the server, {} rejected",
        report.pushed,
        report.accepted,
        report.push_duplicates,
        report.rejected.len()
    );
    for r in &report.rejected {
        crate::out!("  rejected {} {} ({}): [{}] {}", r.kind, r.entity, r.op_id, r.code, r.reason);
    }
    crate::out!(
        "pulled {} ops: {} applied, {} already here; cursor {} of {}",
        report.pulled,
        report.applied,
        report.pull_duplicates,
        report.cursor,
        report.head
    );
    for r in &report.parked {
        crate::out!("  parked {} {} ({}): [{}] {}", r.kind, r.entity, r.op_id, r.code, r.reason);
    }
    print_conflicts(&store, false)?;
    Ok(())
}

fn status(args: &crate::StoreArgs) -> anyhow::Result<()> {
    let (store, _) = args.open_existing()?;
    let s = store.sync_status()?;
    crate::out!("server:     {}", s.server_url.as_deref().unwrap_or("(never synced)"));
    crate::out!("user:       {}", s.user.as_deref().unwrap_or("-"));
    crate::out!(
        "last sync:  {}",
        s.last_sync_at_ms.map(|ms| crate::output::kst(ms / 1000)).unwrap_or_else(|| "never".into())
    );
    crate::out!("pending:    {} ops wait to be pushed", s.pending);
    crate::out!("cursor:     {}", s.cursor);
    crate::out!("parked:     {}", s.parked);
    for p in store.parked_ops()? {
        let who = if p.origin == "local" { "rejected by the server" } else { "refused here" };
        crate::out!(
            "  {} {} by {} ({}), {who}: [{}] {}",
            p.kind,
            p.entity,
            p.user,
            p.op_id,
            p.code,
            p.reason
        );
    }
    crate::out!("conflicts:  {}", s.conflicts);
    crate::out!(
        "refused:    {} changes of others that the rules refused here (they changed nothing)",
        s.refused
    );
    for r in store.refused_ops(20)? {
        crate::out!("  {} {} by {} ({}): [{}] {}", r.kind, r.entity, r.user, r.op_id, r.code, r.reason);
    }
    Ok(())
}

#[derive(Args)]
pub struct ConflictsArgs {
    #[command(flatten)]
    store: crate::StoreArgs,
    /// Resolved conflicts too.
    #[arg(long)]
    all: bool,
}

/// `claimdesk conflicts`: each conflict with its ops side by side.
pub fn conflicts(a: ConflictsArgs) -> anyhow::Result<()> {
    let (store, _) = a.store.open_existing()?;
    print_conflicts(&store, a.all)
}

fn print_conflicts(store: &Store, all: bool) -> anyhow::Result<()> {
    let list = store.conflicts(all)?;
    if list.is_empty() {
        crate::out!("no {}conflicts", if all { "" } else { "open " });
        return Ok(());
    }
    for c in list {
        let state = match &c.resolved_by {
            Some(op) => format!("resolved by {op}"),
            None => "open: resolve with `claimdesk claim resolve <id> --to <status>`".into(),
        };
        crate::out!("{} (decision {}) {state}", c.external_id, c.base);
        for op in &c.ops {
            crate::out!(
                "  {:<20} by {:<10} → {:<12} holder {:<10} {}",
                op.kind,
                op.user,
                op.to.as_deref().unwrap_or("-"),
                op.assignee.as_deref().unwrap_or("-"),
                crate::output::kst(op.at_ms / 1000)
            );
        }
        for op in &c.joined {
            crate::out!(
                "  (arrived during the conflict) {} by {} → {}",
                op.kind,
                op.user,
                op.to.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(())
}
