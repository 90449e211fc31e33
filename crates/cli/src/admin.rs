//! Admin and scripting commands: import, evaluate, payout, quarantine,
//! policy, users, audit, stats, synthetic data and the demo store.

use std::path::PathBuf;

use anyhow::{bail, Context};
use claimdesk_core::policy::Policy;
use claimdesk_core::workflow::Decision;
use claimdesk_core::{Remedy, Role};
use claimdesk_store::import::ImportOptions;
use claimdesk_store::users::UserChange;
use claimdesk_store::Store;
use clap::{Args, Subcommand};

use crate::output::{bar, decimal_won, kst, kst_ms, table, won};
use crate::StoreArgs;

pub fn init(a: StoreArgs) -> anyhow::Result<()> {
    let existed = claimdesk_store::keys::inspect(&a.db)? != claimdesk_store::keys::StoreFile::Missing;
    let (store, _) = a.open()?;
    let (version, _) = store.active_policy()?;
    crate::out!(
        "{} {} (device {}, policy v{version} active, first user '{}')",
        if existed { "store ready:" } else { "store created:" },
        a.db.display(),
        store.device(),
        claimdesk_store::FIRST_ADMIN
    );
    Ok(())
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The intake file (.csv or .xlsx).
    file: PathBuf,
    /// The incident the claims belong to (default: the store's current one; see `claimdesk incident list`).
    #[arg(long)]
    incident: Option<String>,
    /// Apply rows whose claim exists with different content (audited) instead of reporting conflicts.
    #[arg(long)]
    update: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub fn import(a: ImportArgs) -> anyhow::Result<()> {
    let (mut store, actor) = a.store.open()?;
    let size = std::fs::metadata(&a.file).map(|m| m.len()).unwrap_or(0);
    let progress = bar(size, "import");
    let summary = store.import_file(
        &actor,
        &a.file,
        ImportOptions { update_existing: a.update, incident: a.incident.clone() },
        &mut |p| {
            progress.set_length(p.total_bytes.max(1));
            progress.set_position(p.bytes_read);
            progress.set_message(format!("{} rows", p.counts.rows_read));
            true
        },
    );
    progress.finish_and_clear();
    let summary = summary?;
    if a.json {
        crate::out!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    let c = &summary.counts;
    crate::out!("{} ({}): {} rows read", summary.file_name, summary.format, c.rows_read);
    crate::out!("  imported     {:>9}", c.imported);
    crate::out!("  unchanged    {:>9}  (already in the store)", c.unchanged);
    crate::out!("  updated      {:>9}", c.updated);
    crate::out!(
        "  conflicts    {:>9}  (in the store with different content; left untouched, use --update to apply)",
        c.conflicts
    );
    crate::out!("  quarantined  {:>9}  (see `claimdesk quarantine list`)", c.quarantined);
    crate::out!(
        "  policy v{}: {} claims evaluated, {} eligible, {} results changed",
        summary.evaluation.policy_version,
        summary.evaluation.claims,
        summary.evaluation.eligible,
        summary.evaluation.changed
    );
    for m in &summary.quarantine {
        crate::out!("  ! {m}");
    }
    if c.quarantined as usize > summary.quarantine.len() {
        crate::out!("  ! … and {} more quarantined rows", c.quarantined as usize - summary.quarantine.len());
    }
    for k in &summary.conflicts {
        crate::out!("  ≠ line {}, {}: differs in {}", k.line, k.external_id, k.fields.join(", "));
    }
    Ok(())
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The XLSX file to write.
    #[arg(long)]
    out: PathBuf,
}

pub fn report(a: ReportArgs) -> anyhow::Result<()> {
    let (mut s, actor) = a.store.open_existing()?;
    let r = s.export_report_pack(&actor, &a.out)?;
    crate::out!("report pack of {} claims written to {} (as of {})", r.rows, a.out.display(), r.as_of);
    Ok(())
}

#[derive(Args)]
pub struct StatusFeedArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The file to write: .csv (UTF-8 with a BOM, cells formula-safe) or .json (an array of objects).
    #[arg(long)]
    out: PathBuf,
    /// The incident (default: the store's current one).
    #[arg(long)]
    incident: Option<String>,
}

/// Writes the feed beside its destination, then renames it into place: a
/// reader (the call centre's import) never sees half a file.
pub fn status_feed(a: StatusFeedArgs) -> anyhow::Result<()> {
    let format = claimdesk_store::status_feed::FeedFormat::of_path(&a.out)?;
    let (mut s, actor) = a.store.open_existing()?;
    let dir = a.out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let summary = {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        s.write_status_feed(&actor, a.incident.as_deref(), format, crate::lang(), &mut w)?
    };
    tmp.persist(&a.out).map_err(|e| e.error)?;
    crate::out!("{} claims of incident {} written to {}", summary.claims, summary.incident, a.out.display());
    Ok(())
}

#[derive(Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Evaluate under this policy file instead of the store's active policy.
    #[arg(long)]
    policy: Option<PathBuf>,
}

pub fn evaluate(a: EvaluateArgs) -> anyhow::Result<()> {
    let (store, _) = a.store.open_existing()?;
    let policy = match &a.policy {
        Some(path) => Some(read_policy(path)?),
        None => None,
    };
    let table = store.evaluation_table(policy.as_ref())?;
    let stdout = std::io::stdout();
    use std::io::Write;
    let mut w = std::io::BufWriter::new(stdout.lock());
    w.write_all(
        claimdesk_intake::csv_record([
            "claim_id",
            "eligible",
            "reason",
            "remedy",
            "amount_krw",
            "extension_days",
        ])
        .as_bytes(),
    )?;
    for (id, o) in &table {
        let (amount, days) = (o.amount.trunc().to_string(), o.extension_days.to_string());
        let record = claimdesk_intake::csv_record([
            id.as_str(),
            if o.eligible { "true" } else { "false" },
            o.reason.map(|r| r.code()).unwrap_or(""),
            o.remedy.code(),
            amount.as_str(),
            days.as_str(),
        ]);
        w.write_all(record.as_bytes())?;
    }
    w.flush()?;
    Ok(())
}

fn read_policy(path: &PathBuf) -> anyhow::Result<Policy> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the policy file {}", path.display()))?;
    Policy::from_toml(&text).map_err(|e| crate::FileProblem::new(path, e.code(), &e).into())
}

#[derive(Subcommand)]
pub enum PayoutCommand {
    /// Reserve every approved cash claim not yet in a payout and write them to a file (.csv or .xlsx).
    /// In a team the reservations are accepted by the sync server at the next sync.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write an exported payout's file again, with exactly the claims still reserved for it.
    File {
        #[command(flatten)]
        store: StoreArgs,
        payout_id: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// The bank confirmed the payout: mark its claims paid (in a team, once the server accepted its reservations).
    Confirm {
        #[command(flatten)]
        store: StoreArgs,
        payout_id: i64,
    },
    /// The payout file was not sent: its claims may be exported again.
    Cancel {
        #[command(flatten)]
        store: StoreArgs,
        payout_id: i64,
    },
    /// Every payout of this desktop, newest first (an exported one waits for its confirmation).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn payout(c: PayoutCommand) -> anyhow::Result<()> {
    match c {
        PayoutCommand::Export { store, out } => {
            let (mut s, actor) = store.open_existing()?;
            let e = s.export_payout(&actor, &out)?;
            crate::out!(
                "payout {}: {} claims, {} won, written to {}",
                e.payout_id,
                e.claims,
                won(Some(e.total)),
                e.file
            );
            if s.sync_setting("server_url")?.is_some() {
                crate::out!("its claims are reserved for it once the sync server accepts them: run claimdesk sync (online)");
            }
            crate::out!("after the bank confirms it: claimdesk payout confirm {}", e.payout_id);
        }
        PayoutCommand::File { store, payout_id, out } => {
            let (mut s, actor) = store.open_existing()?;
            let e = s.rewrite_payout_file(&actor, payout_id, &out)?;
            crate::out!(
                "payout {}: {} claims, {} won, written again to {}",
                e.payout_id,
                e.claims,
                won(Some(e.total)),
                e.file
            );
        }
        PayoutCommand::Confirm { store, payout_id } => {
            let (mut s, actor) = store.open_existing()?;
            let r = s.confirm_payout(&actor, payout_id)?;
            crate::out!("payout {}: {} claims marked paid", r.payout_id, r.paid);
            for x in &r.refused {
                crate::out!("  ! {}: {}", x.external_id, x.message);
            }
            if !r.refused.is_empty() {
                anyhow::bail!("{} claims of payout {} were not marked paid (listed above); check them before paying them by hand", r.refused.len(), r.payout_id);
            }
        }
        PayoutCommand::Cancel { store, payout_id } => {
            let (mut s, actor) = store.open_existing()?;
            s.cancel_payout(&actor, payout_id)?;
            crate::out!("payout {payout_id} cancelled; its claims can be exported again");
        }
        PayoutCommand::List { store } => {
            let (mut s, actor) = store.open_existing()?;
            crate::fulfilment::print_deliveries(
                &s.payouts(&actor)?,
                "no payouts yet: claimdesk payout export --out FILE",
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum QuarantineCommand {
    /// List quarantined rows with their line and message.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Include rows a later import resolved.
        #[arg(long)]
        all: bool,
    },
    /// Write the open quarantined rows to a CSV file under their original header, to fix and import again.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        out: PathBuf,
    },
}

/// A quarantined row's problems in `lang`, each after its column as the file names it.
fn problems_in(
    e: &claimdesk_store::quarantine::QuarantineEntry,
    lang: claimdesk_core::message::Lang,
) -> String {
    if e.problems.iter().any(|p| p.explain.is_none()) {
        return e.message.clone(); // quarantined by an older version: its English text
    }
    let said: Vec<String> = e
        .problems
        .iter()
        .filter_map(|p| p.explain.as_ref().map(|m| (p, m.render(lang))))
        .map(|(p, text)| if p.column.is_empty() { text } else { format!("{}: {text}", p.column) })
        .collect();
    said.join("; ")
}

pub fn quarantine(c: QuarantineCommand) -> anyhow::Result<()> {
    match c {
        QuarantineCommand::List { store, all } => {
            let (mut s, actor) = store.open_existing()?;
            let entries = s.quarantine(&actor, !all)?;
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.file_name.clone(),
                        e.line.to_string(),
                        e.external_id.clone().unwrap_or_default(),
                        if e.resolved { "resolved".into() } else { "open".into() },
                        problems_in(e, crate::lang()),
                    ]
                })
                .collect();
            table(&["file", "line", "claim_id", "state", "problem"], &rows, &[1]);
            crate::out!("{} rows", entries.len());
        }
        QuarantineCommand::Export { store, out } => {
            let (mut s, actor) = store.open_existing()?;
            let n = s.export_quarantine(&actor, &out)?;
            crate::out!(
                "{n} rows written to {}; fix them and run `claimdesk import` on the file",
                out.display()
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// List policy versions.
    List(StoreArgs),
    /// The reason catalog of the active policy (denial, deficiency and closure codes with their
    /// Korean and English texts) and the documents each category must send.
    Reasons(StoreArgs),
    /// Print a policy version as TOML (the active one by default).
    Show {
        #[command(flatten)]
        store: StoreArgs,
        version: Option<i64>,
    },
    /// Add a policy version from a TOML file, or a shipped example with --example (validated; not active until activated).
    Add {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(required_unless_present = "example", conflicts_with = "example")]
        file: Option<PathBuf>,
        /// A shipped policy instead of a file: default-2022 or final-2022 (`claimdesk policy examples`).
        #[arg(long)]
        example: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List the policies shipped with ClaimDesk, or print one as TOML (to edit and add).
    Examples {
        /// The example to print (default-2022, final-2022).
        code: Option<String>,
    },
    /// Make a version active and re-evaluate every claim.
    Activate {
        #[command(flatten)]
        store: StoreArgs,
        version: i64,
    },
    /// Extend the window for documents: every request for information made on or before
    /// --until is due no earlier than it (a new policy version, made active at once).
    ExtendCure {
        #[command(flatten)]
        store: StoreArgs,
        /// The new last day (YYYY-MM-DD, Korea time).
        #[arg(long)]
        until: chrono::NaiveDate,
        /// Why (kept in the policy's history).
        #[arg(long)]
        reason: String,
        #[arg(long)]
        incident: Option<String>,
    },
    /// Compare two policies over every claim: totals by category and remedy, and changed claims.
    WhatIf {
        #[command(flatten)]
        store: StoreArgs,
        /// The version to compare from (default: the active one).
        #[arg(long)]
        from: Option<i64>,
        /// A version number or a policy TOML file to compare to.
        #[arg(long)]
        to: String,
        /// How many changed claims to list.
        #[arg(long, default_value_t = 20)]
        show: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn policy(c: PolicyCommand) -> anyhow::Result<()> {
    match c {
        PolicyCommand::Reasons(store) => {
            let (s, _) = store.open_existing()?;
            let catalog = s.reason_catalog(None)?;
            crate::out!("policy version {}", catalog.version);
            let rows: Vec<Vec<String>> = catalog
                .reasons
                .iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.kind.code().to_string(),
                        if r.appealable { "yes".into() } else { String::new() },
                        r.ko.clone(),
                        r.en.clone(),
                    ]
                })
                .collect();
            table(&["code", "kind", "appeal", "ko", "en"], &rows, &[]);
            crate::out!();
            let rows: Vec<Vec<String>> = catalog
                .documents
                .iter()
                .map(|d| {
                    let cats: Vec<&str> = d.categories.iter().map(|c| c.label_ko()).collect();
                    vec![d.code.clone(), d.ko.clone(), d.en.clone(), cats.join(", ")]
                })
                .collect();
            table(&["document", "ko", "en", "categories"], &rows, &[]);
        }
        PolicyCommand::List(store) => {
            let (s, _) = store.open_existing()?;
            let rows: Vec<Vec<String>> = s
                .policy_versions()?
                .into_iter()
                .map(|v| {
                    vec![
                        v.version.to_string(),
                        if v.active { "●".into() } else { "".into() },
                        v.name,
                        v.created_by,
                        kst(v.created_at),
                        v.note,
                    ]
                })
                .collect();
            table(&["version", "active", "name", "by", "created", "note"], &rows, &[0]);
        }
        PolicyCommand::Show { store, version } => {
            let (s, _) = store.open_existing()?;
            let policy = match version {
                Some(v) => s.policy(v)?,
                None => s.active_policy()?.1,
            };
            print!("{}", policy.to_toml());
        }
        PolicyCommand::Add { store, file, example, name, note } => {
            let (mut s, actor) = store.open_existing()?;
            let (text, name) = match (&example, &file) {
                (Some(code), _) => {
                    let e = example_or_list(code)?;
                    (e.toml.to_string(), if name.is_empty() { e.name_ko.to_string() } else { name })
                }
                (None, Some(file)) => (
                    std::fs::read_to_string(file)
                        .with_context(|| format!("cannot read {}", file.display()))?,
                    name,
                ),
                (None, None) => bail!("give a policy file or --example CODE"),
            };
            let v = s.add_policy_version(&actor, &text, &name, &note)?;
            crate::out!("policy version {v} added; activate it with `claimdesk policy activate {v}`");
        }
        PolicyCommand::Examples { code } => match code {
            Some(code) => print!("{}", example_or_list(&code)?.toml),
            None => {
                let rows: Vec<Vec<String>> = claimdesk_core::policy::EXAMPLE_POLICIES
                    .iter()
                    .map(|e| vec![e.code.to_string(), e.name_ko.to_string(), e.name_en.to_string()])
                    .collect();
                table(&["code", "name", "English"], &rows, &[]);
            }
        },
        PolicyCommand::Activate { store, version } => {
            let (mut s, actor) = store.open_existing()?;
            let progress = bar(s.claim_count()?, "evaluate");
            let e = s.activate_policy(&actor, version, &mut |done| {
                progress.set_position(done);
                true
            });
            progress.finish_and_clear();
            let e = e?;
            crate::out!(
                "policy v{} active: {} claims evaluated, {} eligible, {} results changed",
                e.policy_version,
                e.claims,
                e.eligible,
                e.changed
            );
        }
        PolicyCommand::ExtendCure { store, until, reason, incident } => {
            let (mut s, actor) = store.open_existing()?;
            let progress = bar(s.claim_count()?, "evaluate");
            let v = s.extend_cure(&actor, incident.as_deref(), until, &reason, &mut |done| {
                progress.set_position(done);
                true
            });
            progress.finish_and_clear();
            let v = v?;
            let due = s.due_counts(incident.as_deref())?;
            crate::out!(
                "policy v{v} active: requests made on or before {until} are due then ({} open, {} reminder due, {} overdue)",
                due.open,
                due.reminder_due,
                due.overdue
            );
        }
        PolicyCommand::WhatIf { store, from, to, show, json } => {
            let (s, _) = store.open_existing()?;
            let before = match from {
                Some(v) => s.policy(v)?,
                None => s.active_policy()?.1,
            };
            let after = match to.parse::<i64>() {
                Ok(v) => s.policy(v)?,
                Err(_) => read_policy(&PathBuf::from(&to))?,
            };
            let w = s.what_if(&before, &after)?;
            if json {
                crate::out!("{}", serde_json::to_string_pretty(&w)?);
                return Ok(());
            }
            print_what_if(&w, show);
        }
    }
    Ok(())
}

/// A shipped policy by code, or an error that lists them.
fn example_or_list(code: &str) -> anyhow::Result<&'static claimdesk_core::policy::ExamplePolicy> {
    claimdesk_core::policy::example_policy(code).ok_or_else(|| {
        let codes: Vec<&str> = claimdesk_core::policy::EXAMPLE_POLICIES.iter().map(|e| e.code).collect();
        anyhow::anyhow!("'{code}' is not a shipped policy; the examples are {}", codes.join(", "))
    })
}

fn print_what_if(w: &claimdesk_core::policy::WhatIf, show: usize) {
    let rows: Vec<Vec<String>> = w
        .diff()
        .into_iter()
        .map(|d| {
            vec![
                d.category.code().to_string(),
                d.remedy.code().to_string(),
                d.before_count.to_string(),
                d.after_count.to_string(),
                won(decimal_won(&d.before_amount)),
                won(decimal_won(&d.after_amount)),
                format!(
                    "{}{}",
                    if d.amount_change.is_sign_negative() { "" } else { "+" },
                    won(decimal_won(&d.amount_change))
                ),
            ]
        })
        .collect();
    table(
        &[
            "category",
            "remedy",
            "claims before",
            "claims after",
            "amount before",
            "amount after",
            "difference",
        ],
        &rows,
        &[2, 3, 4, 5, 6],
    );
    // Every kind of grant: cash (paid out) and the non-cash ones (fulfilled outside ClaimDesk).
    let kinds: Vec<Vec<String>> = w
        .grant_difference
        .iter()
        .map(|d| {
            let unit = claimdesk_core::Grant::quantity_unit(d.kind).map_or("", |u| u.1);
            vec![
                d.kind.code().to_string(),
                d.before_claims.to_string(),
                d.after_claims.to_string(),
                won(decimal_won(&d.before_amount)),
                won(decimal_won(&d.after_amount)),
                if unit.is_empty() { String::new() } else { format!("{} {unit}", d.before_quantity) },
                if unit.is_empty() { String::new() } else { format!("{} {unit}", d.after_quantity) },
            ]
        })
        .collect();
    let header = [
        "grant",
        "claims before",
        "claims after",
        "amount before",
        "amount after",
        "quantity before",
        "quantity after",
    ];
    table(&header, &kinds, &[1, 2, 3, 4, 5, 6]);
    crate::out!("{} claims change outcome", w.changed.len());
    for c in w.changed.iter().take(show) {
        crate::out!("  {}: {} → {}", c.external_id, outcome_text(&c.before), outcome_text(&c.after));
    }
}

/// "cash 30,000 + message_credit 50,000", "manual_review SEGMENT_MISSING".
fn outcome_text(o: &claimdesk_core::policy::Outcome) -> String {
    let mut text = if o.grants.is_empty() {
        format!("{} {}", o.remedy.code(), won(decimal_won(&o.amount)))
    } else {
        let parts: Vec<String> = o
            .grants
            .iter()
            .map(|g| {
                let q = if g.quantity > 0 { format!(" ×{}", g.quantity) } else { String::new() };
                format!("{} {}{q}", g.kind.code(), won(decimal_won(&g.amount)))
            })
            .collect();
        parts.join(" + ")
    };
    if let Some(r) = o.reason {
        text.push_str(&format!(" {}", r.code()));
    }
    text
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Print the catalog as TOML (the format of data/outage-2022.toml).
    Show(StoreArgs),
    /// Replace the catalog from a TOML file (admin only). Policies keep their own copy.
    Replace {
        #[command(flatten)]
        store: StoreArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum IncidentCommand {
    /// List incidents (the current one marked *), with claims and active policy.
    List(StoreArgs),
    /// Work in another incident from now on (queue, import, policy, stats).
    Use {
        #[command(flatten)]
        store: StoreArgs,
        id: String,
    },
    /// Start an incident from a catalog TOML file (its [incident] and services; supervisors, admins),
    /// with a copy of another incident's active policy (--copy-of) or a draft policy.
    New {
        #[command(flatten)]
        store: StoreArgs,
        catalog: PathBuf,
        #[arg(long)]
        copy_of: Option<String>,
    },
    /// The current incident's letter templates (decision notices) in the --lang language;
    /// edit them in the catalog (`claimdesk catalog show` / `catalog replace`, [[letter]] tables).
    Letters(StoreArgs),
}

pub fn incident(c: IncidentCommand) -> anyhow::Result<()> {
    match c {
        IncidentCommand::List(store) => {
            let (s, _) = store.open_existing()?;
            let current = s.current_incident()?;
            for i in s.incidents()? {
                let mark = if i.id == current { "*" } else { " " };
                let policy = i.active_policy.map(|v| format!("policy {v}")).unwrap_or_default();
                crate::out!("{mark} {:<24} {:>9} claims  {policy}  {}", i.id, i.claims, i.name);
            }
        }
        IncidentCommand::Use { store, id } => {
            let (mut s, actor) = store.open_existing()?;
            s.set_current_incident(&actor, &id)?;
            crate::out!("working in incident {id}");
        }
        IncidentCommand::New { store, catalog, copy_of } => {
            let (mut s, actor) = store.open_existing()?;
            let text = std::fs::read_to_string(&catalog)
                .with_context(|| format!("cannot read {}", catalog.display()))?;
            let catalog = claimdesk_core::Catalog::from_toml(&text)
                .map_err(|e| crate::FileProblem::new(&catalog, e.code(), &e))?;
            let version = s.create_incident(&actor, &catalog, copy_of.as_deref())?;
            crate::out!(
                "incident {} started with policy version {version} (active); working in it now",
                catalog.incident.id
            );
        }
        IncidentCommand::Letters(store) => {
            let (s, _) = store.open_existing()?;
            let catalog = s.catalog()?;
            if catalog.letters.is_empty() {
                crate::out!("incident {} has no letter templates yet", catalog.incident.id);
            }
            for &kind in claimdesk_core::catalog::LetterKind::ALL {
                if let Some(l) = catalog.letter(kind, crate::lang()) {
                    crate::out!("── {} ({}) · fields: {}", kind.code(), l.lang, kind.fields().join(", "));
                    crate::out!("{}", l.subject);
                    crate::out!("{}", l.body.trim_end());
                    crate::out!();
                }
            }
        }
    }
    Ok(())
}

pub fn catalog(c: CatalogCommand) -> anyhow::Result<()> {
    match c {
        CatalogCommand::Show(store) => {
            let (s, _) = store.open_existing()?;
            crate::out!("{}", s.catalog()?.to_toml());
        }
        CatalogCommand::Replace { store, file } => {
            let (mut s, actor) = store.open_existing()?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let catalog = claimdesk_core::Catalog::from_toml(&text)
                .map_err(|e| crate::FileProblem::new(&file, e.code(), &e))?;
            s.replace_catalog(&actor, &catalog)?;
            crate::out!(
                "catalog replaced: {} services; new imports use it (policies keep their own catalog)",
                catalog.services.len()
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// List users with their roles and approval limits.
    List(StoreArgs),
    /// Add a user (admin only), with their password from CLAIMDESK_NEW_PASSWORD or asked twice on a
    /// terminal (and so their key to the store on this PC); without either, they cannot sign in
    /// until `users password` sets one.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        id: String,
        #[arg(long)]
        name: String,
        /// reviewer, supervisor or admin.
        #[arg(long)]
        role: String,
        /// Largest amount (won) this user may approve on one claim; none = no limit.
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Set a user's password (an admin for anyone, anyone for themselves): CLAIMDESK_NEW_PASSWORD or
    /// asked twice. Their key to the store on this PC follows it.
    Password {
        #[command(flatten)]
        store: StoreArgs,
        id: String,
    },
    /// Forgot the admin password: open the store with its recovery key (CLAIMDESK_RECOVERY_KEY or
    /// asked) and set a new password for an admin (CLAIMDESK_NEW_PASSWORD or asked twice).
    Recover {
        #[arg(long, env = "CLAIMDESK_DB")]
        db: PathBuf,
        /// The admin whose password is set.
        #[arg(long, default_value = claimdesk_store::FIRST_ADMIN)]
        admin: String,
    },
    /// Change a user's role, limit, name, or deactivate them (admin only; a deactivated user's key
    /// to the store on this PC is removed).
    Update {
        #[command(flatten)]
        store: StoreArgs,
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[arg(long, conflicts_with = "no_limit")]
        limit: Option<i64>,
        /// Remove the approval limit.
        #[arg(long)]
        no_limit: bool,
        #[arg(long, conflicts_with = "activate")]
        deactivate: bool,
        #[arg(long)]
        activate: bool,
    },
}

fn parse_role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text)
        .ok_or_else(|| anyhow::anyhow!("'{text}' is not a role; use reviewer, supervisor or admin"))
}

pub fn users(c: UsersCommand) -> anyhow::Result<()> {
    match c {
        UsersCommand::List(store) => {
            let (s, _) = store.open_existing()?;
            let rows: Vec<Vec<String>> = s
                .users()?
                .into_iter()
                .map(|u| {
                    vec![
                        u.id,
                        u.display_name,
                        u.role.code().to_string(),
                        u.approval_limit.map(|l| won(Some(l))).unwrap_or_else(|| "no limit".into()),
                        if u.active { "active".into() } else { "deactivated".into() },
                    ]
                })
                .collect();
            table(&["id", "name", "role", "approval limit", "state"], &rows, &[3]);
        }
        UsersCommand::Add { store, id, name, role, limit } => {
            let (mut s, actor) = store.open_existing()?;
            match crate::unlock::optional_new_password(&id)? {
                Some(password) => {
                    s.create_user_with_password(&actor, &id, &name, parse_role(&role)?, limit, &password)?;
                    crate::out!("user {id} added, with a password");
                }
                None => {
                    s.create_user(&actor, &id, &name, parse_role(&role)?, limit)?;
                    crate::out!(
                        "user {id} added, without a password (set one with `claimdesk users password {id}`)"
                    );
                }
            }
        }
        UsersCommand::Password { store, id } => {
            let (mut s, actor) = store.open_existing()?;
            let password = crate::unlock::new_password(&id, crate::unlock::NEW_PASSWORD_VAR)?;
            s.set_password(&actor, &id, &password)?;
            crate::out!("password of {id} set");
        }
        UsersCommand::Recover { db, admin } => {
            let key = match std::env::var("CLAIMDESK_RECOVERY_KEY").ok().filter(|k| !k.is_empty()) {
                Some(k) => k,
                None => rpassword::prompt_password("recovery key 복구 키: ")?,
            };
            let password = crate::unlock::new_password(&admin, crate::unlock::NEW_PASSWORD_VAR)?;
            Store::recover(&db, &key, &admin, &password)?;
            crate::out!("password of {admin} set with the recovery key");
        }
        UsersCommand::Update { store, id, name, role, limit, no_limit, deactivate, activate } => {
            let (mut s, actor) = store.open_existing()?;
            let change = UserChange {
                display_name: name,
                role: role.as_deref().map(parse_role).transpose()?,
                approval_limit: if no_limit { Some(None) } else { limit.map(Some) },
                active: if deactivate {
                    Some(false)
                } else if activate {
                    Some(true)
                } else {
                    None
                },
            };
            s.update_user(&actor, &id, change)?;
            crate::out!("user {id} updated");
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the whole audit log; names the first broken entry.
    Verify(StoreArgs),
    /// The most recent audit entries.
    Log {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, default_value_t = 30)]
        last: i64,
    },
    /// Supervisors: who revealed which personal field of which claim, on which
    /// desktop (this store's and, once synced, every other desktop's), newest first.
    Reveals {
        #[command(flatten)]
        store: StoreArgs,
        /// Only the reveals of this claim.
        #[arg(long)]
        claim: Option<String>,
        #[arg(long, default_value_t = 100)]
        last: u32,
    },
}

pub fn audit(c: AuditCommand) -> anyhow::Result<()> {
    match c {
        AuditCommand::Verify(store) => {
            let (s, _) = store.open_existing()?;
            let integrity = s.integrity_check()?;
            if integrity != "ok" {
                bail!("the database file is damaged (PRAGMA integrity_check: {integrity}); restore it from a backup");
            }
            crate::out!("integrity ok");
            let r = s.verify_audit()?;
            crate::out!(
                "audit chain intact: {} entries, head {}",
                r.entries,
                &r.head[..16.min(r.head.len())]
            );
        }
        AuditCommand::Log { store, last } => {
            let (mut s, actor) = store.open_existing()?;
            let rows = s.recent_ops(&actor, last)?;
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|o| {
                    vec![
                        o.seq.to_string(),
                        kst_ms(o.at_ms),
                        o.user,
                        o.kind,
                        o.entity,
                        if o.refused { "REFUSED".into() } else { String::new() },
                    ]
                })
                .collect();
            table(&["seq", "at (KST)", "user", "action", "on", ""], &rows, &[0]);
        }
        AuditCommand::Reveals { store, claim, last } => {
            let (mut s, actor) = store.open_existing()?;
            let reveals = s.reveals(&actor, claim.as_deref(), last)?;
            let rows: Vec<Vec<String>> = reveals
                .into_iter()
                .map(|r| {
                    vec![
                        kst_ms(r.at_ms),
                        r.user,
                        r.device,
                        r.claim_id,
                        r.field,
                        if r.pending { "not yet synced".into() } else { String::new() },
                    ]
                })
                .collect();
            table(&["at (KST)", "user", "device", "claim", "field", ""], &rows, &[]);
            crate::out!("{} reveals", rows.len());
        }
    }
    Ok(())
}

pub fn stats(a: StoreArgs) -> anyhow::Result<()> {
    let (s, _) = a.open_existing()?;
    let st = s.stats()?;
    crate::out!("{} claims", st.total);
    for (title, groups) in [
        ("status", &st.by_status),
        ("category", &st.by_category),
        ("service", &st.by_service),
        ("remedy", &st.by_remedy),
    ] {
        let rows: Vec<Vec<String>> =
            groups.iter().map(|g| vec![g.key.clone(), g.claims.to_string(), won(Some(g.amount))]).collect();
        crate::out!();
        table(&[title, "claims", "policy amount"], &rows, &[1, 2]);
    }
    Ok(())
}

#[derive(Args)]
pub struct SynthArgs {
    /// How many rows.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// Fraction of rows made invalid on purpose.
    #[arg(long, default_value_t = 0.02)]
    invalid_rate: f64,
    /// Write Korean column headers.
    #[arg(long)]
    korean_headers: bool,
    /// Output file (stdout when absent).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn synth(a: SynthArgs) -> anyhow::Result<()> {
    let mut config = claimdesk_synth::SynthConfig::demo(a.count);
    config.seed = a.seed;
    config.invalid_rate = a.invalid_rate;
    config.korean_headers = a.korean_headers;
    let catalog = claimdesk_core::Catalog::default_2022();
    let stats = match &a.out {
        Some(path) => {
            let file = std::io::BufWriter::new(std::fs::File::create(path)?);
            claimdesk_synth::write_csv(&config, &catalog, file)?
        }
        None => claimdesk_synth::write_csv(&config, &catalog, std::io::stdout().lock())?,
    };
    eprintln!(
        "{} rows ({} invalid on purpose, {} repeat reports)",
        stats.rows, stats.invalid, stats.duplicates
    );
    Ok(())
}

#[derive(Args)]
pub struct DemoArgs {
    /// The store to create (must not exist yet, unless --force).
    #[arg(long, env = "CLAIMDESK_DB")]
    db: PathBuf,
    /// How many synthetic claims.
    #[arg(long, default_value_t = 5000)]
    count: usize,
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// Replace an existing store at that path.
    #[arg(long)]
    force: bool,
}

pub fn demo(a: DemoArgs) -> anyhow::Result<()> {
    if a.db.exists() {
        if !a.force {
            bail!("{} already exists; pass --force to replace it with a new demo store", a.db.display());
        }
        for suffix in ["", "-wal", "-shm", ".keys"] {
            let p = PathBuf::from(format!("{}{suffix}", a.db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        let evidence = PathBuf::from(format!("{}.evidence", a.db.display()));
        if evidence.is_dir() {
            std::fs::remove_dir_all(&evidence)?;
        }
    }
    // Encrypted, with the admin password given (CLAIMDESK_PASSWORD or asked twice).
    let (mut store, admin) = crate::unlock::create(&a.db, claimdesk_store::FIRST_ADMIN)?;
    claimdesk_demo::add_team(&mut store, &admin)?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("피해신고_접수.csv");
    let mut config = claimdesk_synth::SynthConfig::demo(a.count);
    config.seed = a.seed;
    {
        let out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        claimdesk_synth::write_csv(&config, &store.catalog()?, out)?;
    }
    let progress = bar(a.count as u64, "import");
    let summary = store.import_file(&admin, &file, ImportOptions::default(), &mut |p| {
        progress.set_position(p.counts.rows_read);
        true
    })?;
    progress.finish_and_clear();
    crate::out!(
        "demo store {}: {} claims imported, {} rows quarantined",
        a.db.display(),
        summary.counts.imported,
        summary.counts.quarantined
    );

    // Some review work so that every screen has something to show.
    let ids = store.queue_ids(&Default::default())?;
    let reviewers = [store.actor("kim.reviewer")?, store.actor("lee.reviewer")?];
    let mut recommended = 0;
    for (i, id) in ids.iter().take(ids.len().min(240)).enumerate() {
        let reviewer = &reviewers[i % 2];
        store.take(reviewer, id, None)?;
        if i % 8 == 7 {
            store.add_note(reviewer, id, "신고인에게 전화로 피해 내용을 확인했습니다.")?;
            continue;
        }
        let explanation = store.explain(id)?;
        let o = explanation.outcome;
        let decision = match (o.eligible, o.remedy) {
            (_, Remedy::ManualReview) => continue,
            (false, _) => {
                // The catalog's code for the policy's reason (a note beside it: the reason's label).
                Decision::Deny {
                    code: o
                        .reason
                        .and_then(|r| r.denial_code())
                        .or(Some("NOT_ELIGIBLE_CATEGORY"))
                        .map(str::to_string),
                    reason: o.reason.map(|r| r.label_ko().to_string()).unwrap_or_default(),
                }
            }
            (true, _) => claimdesk_core::workflow::PolicyProposal::of(&o).as_decision(),
        };
        store.recommend(reviewer, id, None, decision, None)?;
        recommended += 1;
    }
    let supervisor = store.actor("park.supervisor")?;
    let batch = store.create_batch(&supervisor, "1차 지급 심사 (데모)", &Default::default())?;
    crate::out!(
        "{} claims recommended by two reviewers; batch {} holds {} of them for park.supervisor",
        recommended,
        batch.batch_id,
        batch.added
    );
    // A second incident (the 2025 breach), some of its claimants those of 2022.
    claimdesk_demo::load_second_incident(&mut store, &admin, &config, dir.path())?;
    crate::out!(
        "incident {} added with {} claims (claimdesk incident list; the 2022 outage stays current)",
        claimdesk_synth::breach2025::ID,
        claimdesk_demo::SECOND_INCIDENT_CLAIMS
    );
    // The final 2022 programme beside the default, not active: what-if is one comparison away.
    let v = claimdesk_demo::add_final_2022_policy(&mut store, &supervisor)?
        .ok_or_else(|| anyhow::anyhow!("the final-2022 example is missing"))?;
    crate::out!(
        "policy v{v} added, not active; compare: claimdesk policy what-if --db {} --to {v}",
        a.db.display()
    );
    crate::out!(
        "the demo team ({}) signs in with the password {}",
        claimdesk_demo::TEAM.iter().map(|m| m.id).collect::<Vec<_>>().join(", "),
        claimdesk_demo::PASSWORD
    );
    crate::out!("try: claimdesk queue --db {} --search 택시", a.db.display());
    Ok(())
}
