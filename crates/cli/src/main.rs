//! `claimdesk`: the command line for admins and scripts. Every subcommand is a
//! thin layer over claimdesk-store; the rules live in the crates.

mod admin;
mod fulfilment;
mod notice;
mod output;
mod review;
mod sync;
mod unlock;

// mimalloc: a million small strings are allocated and freed in a full
// evaluation; the system allocator spends much of that time in page faults.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "claimdesk",
    version,
    about = "ClaimDesk: review compensation claims after a mass service outage"
)]
struct Cli {
    /// The language of messages: ko or en (default: from LC_ALL, LC_MESSAGES or LANG; Korean when none is set).
    #[arg(long, global = true, value_parser = ["ko", "en"])]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

static LANG: std::sync::OnceLock<claimdesk_core::message::Lang> = std::sync::OnceLock::new();

/// The reader's language, chosen once at start.
pub fn lang() -> claimdesk_core::message::Lang {
    *LANG.get_or_init(claimdesk_core::message::Lang::default)
}

fn choose_lang(flag: Option<&str>) -> claimdesk_core::message::Lang {
    use claimdesk_core::message::Lang;
    if let Some(l) = flag.and_then(Lang::parse) {
        return l;
    }
    let var = |k: &str| std::env::var(k).ok();
    Lang::from_locale(var("LC_ALL").as_deref(), var("LC_MESSAGES").as_deref(), var("LANG").as_deref())
}

/// An error as the reader's language says it, with its stable code for scripts.
fn say_error(e: &anyhow::Error) -> String {
    use claimdesk_core::message::Explain;
    if let Some(se) = e.downcast_ref::<claimdesk_store::StoreError>() {
        return format!("error [{}]: {}", se.code(), se.message().render(lang()));
    }
    if let Some(se) = e.downcast_ref::<claimdesk_sync::engine::SyncError>() {
        return format!("error [{}]: {}", se.code(), se.message().render(lang()));
    }
    if let Some(ne) = e.downcast_ref::<claimdesk_notice::NoticeError>() {
        return format!("error [{}]: {}", ne.code(), ne.message().render(lang()));
    }
    if let Some(said) = e.downcast_ref::<FileProblem>() {
        return format!("error [{}]: {}", said.code, said.message.render(lang()));
    }
    format!("error: {e:#}")
}

/// A file the user named (a policy, a catalog) that cannot be used: said with
/// the file's name and the problem in the reader's language.
#[derive(Debug)]
pub struct FileProblem {
    code: &'static str,
    message: claimdesk_core::message::Message,
}

impl FileProblem {
    pub fn new(
        path: &std::path::Path,
        code: &'static str,
        problem: &impl claimdesk_core::message::Explain,
    ) -> FileProblem {
        let message = claimdesk_core::msg!("cli.file_problem", file = path.display())
            .with_part("problem", problem.message());
        FileProblem { code, message }
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for FileProblem {}

/// Options every store command takes.
#[derive(clap::Args, Clone)]
pub struct StoreArgs {
    /// The store (an encrypted SQLite file, its key slots beside it in <db>.keys); created with the
    /// default catalog and policy if missing (the first admin's password is asked for twice).
    #[arg(long, env = "CLAIMDESK_DB")]
    pub db: PathBuf,
    /// The user acting (roles and approval limits apply); their password opens the store
    /// (CLAIMDESK_PASSWORD, or asked on the terminal).
    #[arg(long = "as", env = "CLAIMDESK_USER", default_value = claimdesk_store::FIRST_ADMIN)]
    pub user: String,
}

#[derive(Subcommand)]
enum Command {
    /// Create a store (default catalog, default policy, first admin) if it does not exist.
    Init(StoreArgs),
    /// Import an intake file (CSV in UTF-8 or CP949, or XLSX); creates the store if needed.
    Import(admin::ImportArgs),
    /// Write the evaluation table of every claim (policy.md) to stdout as CSV.
    Evaluate(admin::EvaluateArgs),
    /// Write the status feed for a call centre or chatbot (CSV or JSON by the file's extension):
    /// 접수번호, masked name, status and next step in the --lang language, due date.
    StatusFeed(admin::StatusFeedArgs),
    /// Write the report pack of the current incident as XLSX (summary; by status, category,
    /// service, remedy; per day), stamped with the time it is as of (supervisors, admins).
    Report(admin::ReportArgs),
    /// Show one claim: its fields (personal data masked), the policy's explanation, notes and history.
    Show(review::ShowArgs),
    /// List a page of the review queue, filtered and sorted; or search: a 접수번호, phone or BRN (any spelling), then names and descriptions.
    Queue(review::QueueArgs),
    /// Close every non-damage report of a filter with one standard reply (inquiries, opinions,
    /// complaints; damage claims and decided claims are refused and listed).
    CloseNoDamage(review::CloseArgs),
    /// Close every claim of a filter whose request for information is overdue as not cured
    /// (supervisors; claims not yet due are refused and listed).
    Expire(review::ExpireArgs),
    /// Review actions on one claim: take, triage, recommend, note, ...
    #[command(subcommand)]
    Claim(review::ClaimCommand),
    /// Decision notices: list what waits to be sent and what was sent; export them as PDFs,
    /// a bulk 알림톡/SMS file and e-mails, each recorded on its claim.
    #[command(subcommand)]
    Notice(notice::NoticeCommand),
    /// Batches of recommended claims: create, review, take out, return, approve.
    #[command(subcommand)]
    Batch(review::BatchCommand),
    /// Payout files of approved cash claims: export, confirm, cancel.
    #[command(subcommand)]
    Payout(admin::PayoutCommand),
    /// Fulfilment files of what approved claims are given beside cash (vouchers, extensions,
    /// points, credits, fee waivers): export, confirm, cancel, list.
    #[command(subcommand)]
    Fulfilment(fulfilment::FulfilmentCommand),
    /// Rows of intake files that broke a rule: list or export to fix and import again.
    #[command(subcommand)]
    Quarantine(admin::QuarantineCommand),
    /// Compensation policy versions: list, show, add, activate, what-if.
    #[command(subcommand)]
    Policy(admin::PolicyCommand),
    /// The service catalog (services and outage windows) of the current incident, used by intake.
    #[command(subcommand)]
    Catalog(admin::CatalogCommand),
    /// Incidents: list, switch, start one (from a copy of another's policy).
    #[command(subcommand)]
    Incident(admin::IncidentCommand),
    /// Users, roles and approval limits.
    #[command(subcommand)]
    Users(admin::UsersCommand),
    /// The audit log: verify the hash chain, or list recent entries.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Counts by status, category and service, and amounts.
    Stats(StoreArgs),
    /// Sync with the team server: push what was done here, pull what others did
    /// (`claimdesk sync status` shows what waits, what was parked and why).
    Sync(sync::SyncArgs),
    /// Claims in conflict after a sync, with the colliding decisions side by side.
    Conflicts(sync::ConflictsArgs),
    /// Generate a realistic synthetic intake file of the 2022 outage.
    Synth(admin::SynthArgs),
    /// Create a demo store: team users, synthetic claims imported and some review work done.
    Demo(admin::DemoArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CLAIMDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let _ = LANG.set(choose_lang(cli.lang.as_deref()));
    let result = match cli.command {
        Command::Init(a) => admin::init(a),
        Command::Import(a) => admin::import(a),
        Command::Evaluate(a) => admin::evaluate(a),
        Command::StatusFeed(a) => admin::status_feed(a),
        Command::Report(a) => admin::report(a),
        Command::Show(a) => review::show(a),
        Command::Queue(a) => review::queue(a),
        Command::CloseNoDamage(a) => review::close_no_damage(a),
        Command::Expire(a) => review::expire(a),
        Command::Claim(c) => review::claim(c),
        Command::Notice(c) => notice::notice(c),
        Command::Batch(c) => review::batch(c),
        Command::Payout(c) => admin::payout(c),
        Command::Fulfilment(c) => fulfilment::fulfilment(c),
        Command::Quarantine(c) => admin::quarantine(c),
        Command::Policy(c) => admin::policy(c),
        Command::Catalog(c) => admin::catalog(c),
        Command::Incident(c) => admin::incident(c),
        Command::Users(c) => admin::users(c),
        Command::Audit(c) => admin::audit(c),
        Command::Stats(a) => admin::stats(a),
        Command::Sync(a) => sync::sync(a),
        Command::Conflicts(a) => sync::conflicts(a),
        Command::Synth(a) => admin::synth(a),
        Command::Demo(a) => admin::demo(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Store and sync errors carry a stable code; print it so scripts can match on it.
            eprintln!("{}", say_error(&e));
            ExitCode::FAILURE
        }
    }
}

impl StoreArgs {
    /// Opens (or creates) the store as the acting user, with their password.
    pub fn open(&self) -> anyhow::Result<(claimdesk_store::Store, claimdesk_core::Actor)> {
        unlock::open_or_create(&self.db, &self.user)
    }

    /// Opens an existing store as the acting user (read-only commands should not create one).
    pub fn open_existing(&self) -> anyhow::Result<(claimdesk_store::Store, claimdesk_core::Actor)> {
        unlock::open(&self.db, &self.user)
    }
}
