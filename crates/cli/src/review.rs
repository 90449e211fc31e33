//! Review commands: the queue, one claim, actions on a claim, batches.

use anyhow::anyhow;
use claimdesk_core::model::DueState;
use claimdesk_core::workflow::{Decision, PolicyProposal, Priority};
use claimdesk_core::{Category, ClaimStatus, Grant, Reason, Remedy, ReportType};
use claimdesk_store::claims::{PersonalField, TriageChange};
use claimdesk_store::queue::{QueueFilter, Sort, SortKey};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use crate::output::{clip, decimal_won, kst, kst_ms, table, won};
use crate::StoreArgs;

#[derive(Args)]
pub struct ShowArgs {
    #[command(flatten)]
    store: StoreArgs,
    claim_id: String,
    /// Print as JSON (detail, explanation, timeline).
    #[arg(long)]
    json: bool,
}

pub fn show(a: ShowArgs) -> anyhow::Result<()> {
    let (s, _) = a.store.open_existing()?;
    let d = s.claim(&a.claim_id)?;
    let explanation = s.explain(&a.claim_id)?;
    let timeline = s.timeline(&a.claim_id)?;
    if a.json {
        let all = serde_json::json!({"claim": d, "explanation": explanation, "timeline": timeline});
        crate::out!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    crate::out!("{}  [{}]  v{}", d.external_id, d.status.label_ko(), d.version);
    crate::out!("  신고구분 report type {} ({})", d.report_type.label_ko(), d.report_type.code());
    if let Some(code) = &d.reason_code {
        crate::out!("  사유 코드 reason     {code}");
    }
    crate::out!("  접수일시 received   {}", kst(d.received_at));
    let corrected = if d.category != d.filed_category {
        format!(" (신고: {})", d.filed_category.label_ko())
    } else {
        String::new()
    };
    crate::out!("  신고자유형 category  {}{}", d.category.label_ko(), corrected);
    crate::out!("  성명 name           {}", d.name);
    if let Some(p) = &d.phone_masked {
        crate::out!("  연락처 phone        {p}");
    }
    if let Some(b) = &d.brn_masked {
        crate::out!("  사업자번호 BRN       {b}");
    }
    crate::out!("  서비스 service      {}", d.service);
    crate::out!("  피해기간 damage     {} ~ {}", kst(d.damage_start), kst(d.damage_end));
    crate::out!("  청구금액 claimed    {}", won(d.claimed_amount));
    for (label, v) in [
        ("일평균수입 daily income", d.daily_income),
        ("입증손해액 documented", d.documented_loss),
        ("광고비 ad spend", d.ad_spend),
    ] {
        if v.is_some() {
            crate::out!("  {label}  {}", won(v));
        }
    }
    if let Some(bank) = &d.bank_name {
        crate::out!("  계좌 account        {} {}", bank, d.account_masked.clone().unwrap_or_default());
    }
    crate::out!("  피해내용 description {}", d.description.replace('\n', " / "));
    crate::out!(
        "  priority {}  tags [{}]  assignee {}",
        d.priority,
        d.tags.join(", "),
        d.assignee.clone().unwrap_or_else(|| "-".into())
    );
    let o = &explanation.outcome;
    crate::out!();
    crate::out!(
        "정책 결과 policy: {} · {}{}{}",
        if o.eligible { "지급 대상 eligible" } else { "지급 대상 아님 not eligible" },
        o.remedy.label_ko(),
        match o.remedy {
            Remedy::Extension => format!(" {}일", o.extension_days),
            Remedy::Cash => format!(" {}원", won(decimal_won(&o.amount))),
            _ => String::new(),
        },
        o.reason.map(|r| format!(" · {} ({})", r.code(), r.label_ko())).unwrap_or_default()
    );
    if !o.grants.is_empty() {
        let parts: Vec<String> =
            o.grants.iter().map(|g| claimdesk_core::policy::describe_grant(g).0).collect();
        crate::out!("  지급 내역 grants: {}", parts.join(" + "));
    }
    for step in &explanation.steps {
        crate::out!("  · {}", step.ko);
    }
    if let Some(r) = &d.recommendation {
        crate::out!();
        crate::out!(
            "심사 의견 recommendation by {}{}: {}",
            r.by,
            if r.is_override { " (OVERRIDE 정책과 다름)" } else { "" },
            decision_text(&r.decision)
        );
        if let Some(j) = &r.justification {
            crate::out!("  justification: {j}");
        }
    }
    if !d.notes.is_empty() {
        crate::out!();
        for n in &d.notes {
            crate::out!(
                "  [{}] {} {}: {}{}",
                kst(n.created_at),
                n.author,
                n.kind,
                n.body,
                if n.withdrawn { " (withdrawn)" } else { "" }
            );
        }
    }
    if let Some(c) = &d.cure {
        crate::out!();
        crate::out!(
            "보완 기한 due {} ({}; requested {}{}), {} day(s) left",
            c.due_on,
            c.state.code(),
            c.requested_on,
            if c.extended { ", extended" } else { "" },
            c.days_left
        );
    }
    if !d.documents.is_empty() {
        crate::out!("서류 documents:");
        for doc in &d.documents {
            let got = d.documents_received.contains(&doc.code);
            crate::out!("  [{}] {} {}", if got { "x" } else { " " }, doc.code, doc.ko);
        }
    }
    if !d.notices.is_empty() || claimdesk_core::LetterKind::of_status(d.status).is_some() {
        crate::out!();
        crate::out!("결정 안내 notices{}", if d.notified { "" } else { " (보낼 안내 있음 one is due)" });
        for n in &d.notices {
            let channels: Vec<&str> = n.channels.iter().map(|c| c.code()).collect();
            crate::out!(
                "  [{}] {} {} {} ({}){}",
                kst(n.sent_at),
                n.sent_by,
                n.kind.label_ko(),
                channels.join("+"),
                n.lang.code(),
                if n.resend { " resend" } else { "" }
            );
        }
    }
    crate::out!();
    crate::out!("이력 history");
    for t in &timeline {
        let device = &t.device[t.device.len().saturating_sub(6)..];
        crate::out!(
            "  {} {} {}{} (device …{device})",
            kst_ms(t.at_ms),
            t.user,
            t.kind,
            if t.refused { " REFUSED" } else { "" }
        );
    }
    Ok(())
}

/// A recommendation as a reviewer would say it.
fn decision_text(d: &Decision) -> String {
    match d {
        Decision::Approve { grants, .. } if !grants.is_empty() => {
            let parts: Vec<String> =
                grants.iter().map(|g| claimdesk_core::policy::describe_grant(g).0).collect();
            format!("승인 approve · {}", parts.join(" + "))
        }
        Decision::Approve { remedy: Remedy::Extension, extension_days, .. } => {
            format!("승인 approve · {} {extension_days}일", Remedy::Extension.label_ko())
        }
        Decision::Approve { remedy, amount, .. } => {
            format!("승인 approve · {} {}원", remedy.label_ko(), won(decimal_won(amount)))
        }
        Decision::Deny { code: Some(code), reason } if !reason.trim().is_empty() => {
            format!("기각 deny · {code} ({reason})")
        }
        Decision::Deny { code: Some(code), .. } => format!("기각 deny · {code}"),
        Decision::Deny { code: None, reason } => format!("기각 deny · {reason} (사유 코드 없음 no code)"),
    }
}

/// `KIND:AMOUNT[:QUANTITY[:LABEL]]` as a grant (checked by the core when recommended).
fn parse_grant(text: &str) -> anyhow::Result<Grant> {
    let mut parts = text.splitn(4, ':');
    let kind = parts.next().unwrap_or_default().trim();
    let kind = Remedy::parse(kind).filter(|k| k.is_grant()).ok_or_else(|| {
        anyhow!(
            "'{kind}' is not a kind of grant (cash, voucher, extension, points, message_credit, fee_waiver)"
        )
    })?;
    let amount = parts.next().unwrap_or("0").trim().replace(',', "");
    let amount: Decimal =
        amount.parse().map_err(|_| anyhow!("the amount of '{text}' is not a number of won"))?;
    let quantity = match parts.next().map(str::trim) {
        None | Some("") => u32::from(kind == Remedy::Voucher),
        Some(q) => q.parse().map_err(|_| anyhow!("the quantity of '{text}' is not a whole number"))?,
    };
    let label = parts.next().unwrap_or_default().trim();
    Ok(Grant::new(kind, amount, quantity).with_label(label))
}

#[derive(Args)]
pub struct QueueArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The incident (default: the store's current one).
    #[arg(long)]
    incident: Option<String>,
    /// Status codes, comma separated (new, triaged, in_review, needs_info, recommended, batched, approved, paid, closed_denied, conflict).
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,
    /// Category codes or Korean labels, comma separated.
    #[arg(long, value_delimiter = ',')]
    category: Vec<String>,
    /// Service codes, comma separated.
    #[arg(long, value_delimiter = ',')]
    service: Vec<String>,
    /// A user id, or "none" for unassigned claims.
    #[arg(long)]
    assignee: Option<String>,
    #[arg(long)]
    min_amount: Option<i64>,
    #[arg(long)]
    max_amount: Option<i64>,
    /// Only duplicates (by policy or marked).
    #[arg(long)]
    duplicates: bool,
    /// Only overriding recommendations.
    #[arg(long)]
    overrides: bool,
    /// Policy reasons, comma separated (e.g. NEEDS_EVIDENCE).
    #[arg(long, value_delimiter = ',')]
    reason: Vec<String>,
    /// Report types, comma separated: damage_claim, inquiry, opinion, complaint (or 문의, 의견, ...).
    #[arg(long = "report-type", value_delimiter = ',')]
    report_type: Vec<String>,
    /// Reason codes the claims carry (a denial's, an open request's, a closure's), comma separated.
    #[arg(long = "reason-code", value_delimiter = ',')]
    reason_code: Vec<String>,
    /// Search: a 접수번호, a phone or a BRN in any spelling (exact matches first), then words of names and descriptions ("quoted phrase" keeps word order).
    #[arg(long)]
    search: Option<String>,
    /// Requests for information by their due date: open, reminder_due (within the policy's
    /// reminder days) or overdue, by today's date.
    #[arg(long)]
    due: Option<String>,
    /// received, amount or claimed.
    #[arg(long, default_value = "received")]
    sort: String,
    #[arg(long)]
    desc: bool,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1)]
    page: u64,
    #[arg(long, default_value_t = 25)]
    limit: u64,
    #[arg(long)]
    json: bool,
    /// Write every claim of the view (filter and sort, all pages) to this XLSX file instead
    /// (supervisors, admins), stamped with the time it is as of.
    #[arg(long)]
    xlsx: Option<std::path::PathBuf>,
}

fn parse_all<T>(values: &[String], parse: impl Fn(&str) -> Option<T>, what: &str) -> anyhow::Result<Vec<T>> {
    values.iter().map(|v| parse(v).ok_or_else(|| anyhow!("'{v}' is not a {what}"))).collect()
}

impl QueueArgs {
    fn filter(&self) -> anyhow::Result<QueueFilter> {
        let a = self;
        Ok(QueueFilter {
            statuses: parse_all(&a.status, ClaimStatus::parse, "status")?,
            categories: parse_all(&a.category, Category::parse, "category")?,
            services: a.service.clone(),
            assignee: a.assignee.clone().map(|u| if u == "none" { String::new() } else { u }),
            amount_min: a.min_amount,
            amount_max: a.max_amount,
            duplicates_only: a.duplicates,
            overrides_only: a.overrides,
            reasons: parse_all(&a.reason, Reason::parse, "reason code")?,
            report_types: parse_all(&a.report_type, ReportType::parse_value, "report type")?,
            reason_codes: a.reason_code.clone(),
            text: a.search.clone(),
            incident: a.incident.clone(),
            due: a
                .due
                .as_deref()
                .map(|d| {
                    DueState::parse(d)
                        .ok_or_else(|| anyhow!("'{d}' is not a due state (open, reminder_due, overdue)"))
                })
                .transpose()?,
            ..QueueFilter::default()
        })
    }
}

/// Closes every non-damage report the filter matches with one standard reply
/// (damage claims and claims already decided are listed as refused).
#[derive(Args)]
pub struct CloseArgs {
    #[command(flatten)]
    queue: QueueArgs,
    /// The reply: a closure code of the reason catalog (claimdesk policy reasons).
    #[arg(long)]
    reply: String,
    /// Free text beside the reply.
    #[arg(long, default_value = "")]
    note: String,
}

pub fn close_no_damage(a: CloseArgs) -> anyhow::Result<()> {
    let (mut s, actor) = a.queue.store.open_existing()?;
    let filter = a.queue.filter()?;
    let r = s.close_no_damage_where(&actor, &filter, &a.reply, &a.note)?;
    crate::out!("{} closed as non-damage (종결), {} refused", r.applied, r.refused.len());
    for x in &r.refused {
        crate::out!("  ! {} [{}]: {}", x.external_id, x.code, x.explain.render(crate::lang()));
    }
    Ok(())
}

/// Closes every claim of the filter whose request for information is overdue
/// as not cured (supervisors); the filter is narrowed to overdue requests.
#[derive(Args)]
pub struct ExpireArgs {
    #[command(flatten)]
    queue: QueueArgs,
    /// A note beside NOT_CURED, kept on each claim.
    #[arg(long, default_value = "")]
    note: String,
}

pub fn expire(a: ExpireArgs) -> anyhow::Result<()> {
    let (mut s, actor) = a.queue.store.open_existing()?;
    let filter = QueueFilter { due: Some(DueState::Overdue), ..a.queue.filter()? };
    let r = s.expire_where(&actor, &filter, &a.note)?;
    crate::out!("{} closed as not cured (NOT_CURED), {} refused", r.applied, r.refused.len());
    for x in &r.refused {
        crate::out!("  ! {} [{}]: {}", x.external_id, x.code, x.explain.render(crate::lang()));
    }
    Ok(())
}

pub fn queue(a: QueueArgs) -> anyhow::Result<()> {
    let (mut s, actor) = a.store.open_existing()?;
    let filter = a.filter()?;
    let key = match a.sort.as_str() {
        "received" => SortKey::ReceivedAt,
        "amount" => SortKey::Amount,
        "claimed" => SortKey::ClaimedAmount,
        other => return Err(anyhow!("'{other}' is not a sort; use received, amount or claimed")),
    };
    if let Some(path) = &a.xlsx {
        let r = s.export_queue_xlsx(&actor, &filter, Sort { key, descending: a.desc }, path)?;
        crate::out!("{} claims written to {} (as of {})", r.rows, path.display(), r.as_of);
        return Ok(());
    }
    let page =
        s.queue_page(&filter, Sort { key, descending: a.desc }, (a.page.max(1) - 1) * a.limit, a.limit)?;
    if a.json {
        crate::out!("{}", serde_json::to_string_pretty(&page)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.external_id.clone(),
                kst(r.received_at),
                Category::parse(&r.category)
                    .map(|c| c.label_ko().to_string())
                    .unwrap_or_else(|| r.category.clone()),
                clip(&r.name, 14),
                r.service.clone(),
                ClaimStatus::parse(&r.status)
                    .map(|c| c.label_ko().to_string())
                    .unwrap_or_else(|| r.status.clone()),
                r.assignee.clone().unwrap_or_default(),
                won(r.claimed_amount),
                r.remedy
                    .as_deref()
                    .and_then(Remedy::parse)
                    .map(|m| m.label_ko().to_string())
                    .unwrap_or_default(),
                won(r.amount),
                r.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            "접수번호",
            "접수일시",
            "유형",
            "성명",
            "서비스",
            "상태",
            "담당",
            "청구액",
            "보상",
            "정책금액",
            "사유",
        ],
        &rows,
        &[7, 9],
    );
    let pages = page.total.div_ceil(a.limit.max(1));
    let exact = if page.exact > 0 {
        format!(" ({} exact: 접수번호, phone or BRN, listed first)", page.exact)
    } else {
        String::new()
    };
    crate::out!("page {} of {} · {} claims match{exact}", a.page, pages.max(1), page.total);
    Ok(())
}

#[derive(Subcommand)]
pub enum ClaimCommand {
    /// Assign the claim to yourself (taking it from someone else is recorded).
    Take(ClaimRef),
    /// Give a claim you hold back to the queue.
    Release(ClaimRef),
    /// Set category, priority, tags or a duplicate mark.
    Triage {
        #[command(flatten)]
        claim: ClaimRef,
        #[arg(long)]
        category: Option<String>,
        /// low, normal, high or urgent.
        #[arg(long)]
        priority: Option<String>,
        /// Comma separated; replaces the tags.
        #[arg(long, value_delimiter = ',')]
        tags: Option<Vec<String>>,
        /// The external id of the claim this one repeats.
        #[arg(long)]
        duplicate_of: Option<String>,
    },
    /// Ask the claimant for more information, citing a deficiency code of the reason catalog.
    RequestInfo {
        #[command(flatten)]
        claim: ClaimRef,
        /// A deficiency code (claimdesk policy reasons), e.g. DOCUMENTS_MISSING.
        #[arg(long)]
        reason: Option<String>,
        /// Free text beside the code.
        #[arg(long, default_value = "")]
        message: String,
        /// The due date (YYYY-MM-DD) instead of the policy's window: after today, within a year.
        #[arg(long)]
        due: Option<chrono::NaiveDate>,
        /// Supervisor: a further request on a claim that already had one.
        #[arg(long)]
        another: bool,
    },
    /// Tick a document of the policy's checklist as received (--missing takes the tick back).
    Document {
        #[command(flatten)]
        claim: ClaimRef,
        /// The document's code (claimdesk policy reasons lists them), e.g. BANK_ACCOUNT_COPY.
        code: String,
        #[arg(long)]
        missing: bool,
    },
    /// Supervisor: close a claim whose request for information is overdue as not cured (NOT_CURED).
    Expire {
        #[command(flatten)]
        claim: ClaimRef,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Set what the report is: damage_claim, inquiry, opinion or complaint (문의, 의견, 불만, ...).
    ReportType {
        #[command(flatten)]
        claim: ClaimRef,
        report_type: String,
    },
    /// Supervisor: reopen a closed non-damage report as a damage claim (back to triaged).
    Reopen(ClaimRef),
    /// Supervisor: record that the claimant was told of the decision outside ClaimDesk's export
    /// (by post, by phone): pdf, sms or email, comma separated. Once per decision; --resend to
    /// record a second notice on purpose. `claimdesk notice export` sends and records in one go.
    Notify {
        #[command(flatten)]
        claim: ClaimRef,
        #[arg(long, value_delimiter = ',', required = true)]
        channel: Vec<String>,
        /// ko or en (default: the claimant's language column, else Korean).
        #[arg(long)]
        lang: Option<String>,
        #[arg(long)]
        resend: bool,
    },
    /// Close a non-damage report with a standard reply (a closure code of the reason catalog).
    Close {
        #[command(flatten)]
        claim: ClaimRef,
        #[arg(long)]
        reply: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The claimant answered; back to review.
    InfoReceived {
        #[command(flatten)]
        claim: ClaimRef,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Recommend approval (remedy and amount) or denial (reason).
    Recommend {
        #[command(flatten)]
        claim: ClaimRef,
        /// Approve as the policy proposes.
        #[arg(long, conflicts_with_all = ["deny", "remedy"])]
        as_policy: bool,
        /// Deny, citing this denial code of the reason catalog (claimdesk policy reasons), e.g. NO_LOSS_SHOWN.
        #[arg(long)]
        deny: Option<String>,
        /// Free text beside the denial code.
        #[arg(long, default_value = "", requires = "deny")]
        note: String,
        /// voucher, extension or cash.
        #[arg(long)]
        remedy: Option<String>,
        #[arg(long, default_value_t = 0)]
        amount: i64,
        #[arg(long, default_value_t = 0)]
        days: u32,
        /// Every grant of the approval, repeated: KIND:AMOUNT[:QUANTITY[:LABEL]], e.g.
        /// `--grant cash:30000 --grant message_credit:50000` or `--grant points:0:5000`.
        #[arg(long = "grant", conflicts_with_all = ["as_policy", "deny", "remedy"])]
        grants: Vec<String>,
        /// Required when the recommendation differs from the policy.
        #[arg(long)]
        justification: Option<String>,
    },
    /// Add a note.
    Note {
        #[command(flatten)]
        claim: ClaimRef,
        text: String,
    },
    /// Attach an evidence file (photo, PDF).
    Evidence {
        #[command(flatten)]
        claim: ClaimRef,
        file: std::path::PathBuf,
    },
    /// Show a personal field in full (phone, brn, account); the reveal is audited.
    Reveal {
        #[command(flatten)]
        claim: ClaimRef,
        field: String,
    },
    /// Supervisor: settle a claim in conflict.
    Resolve {
        #[command(flatten)]
        claim: ClaimRef,
        /// The status the claim goes to.
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Args)]
pub struct ClaimRef {
    #[command(flatten)]
    store: StoreArgs,
    claim_id: String,
    /// The version you looked at; the action is refused if the claim changed since.
    #[arg(long)]
    base: Option<i64>,
}

pub fn claim(c: ClaimCommand) -> anyhow::Result<()> {
    let done = |what: &str, id: &str| crate::out!("{id}: {what}");
    match c {
        ClaimCommand::Take(r) => {
            let (mut s, a) = r.store.open_existing()?;
            s.take(&a, &r.claim_id, r.base)?;
            done("taken", &r.claim_id);
        }
        ClaimCommand::Release(r) => {
            let (mut s, a) = r.store.open_existing()?;
            s.release(&a, &r.claim_id, r.base)?;
            done("released", &r.claim_id);
        }
        ClaimCommand::Triage { claim: r, category, priority, tags, duplicate_of } => {
            let (mut s, a) = r.store.open_existing()?;
            let change = TriageChange {
                category: category
                    .as_deref()
                    .map(|c| Category::parse(c).ok_or_else(|| anyhow!("'{c}' is not a category")))
                    .transpose()?,
                priority: priority
                    .as_deref()
                    .map(|p| Priority::parse(p).ok_or_else(|| anyhow!("'{p}' is not a priority")))
                    .transpose()?,
                tags,
                duplicate_of: duplicate_of.map(|d| if d.is_empty() { None } else { Some(d) }),
            };
            s.triage(&a, &r.claim_id, r.base, change)?;
            done("triaged", &r.claim_id);
        }
        ClaimCommand::RequestInfo { claim: r, reason, message, due, another } => {
            let (mut s, a) = r.store.open_existing()?;
            let request = claimdesk_store::claims::InfoRequest { due_on: due, another };
            s.request_info(&a, &r.claim_id, r.base, reason.as_deref(), &message, request)?;
            let due = s.cure_clock(&r.claim_id)?.map(|c| c.due_on.to_string()).unwrap_or_default();
            done(&format!("waiting for information, due {due}"), &r.claim_id);
        }
        ClaimCommand::Document { claim: r, code, missing } => {
            let (mut s, a) = r.store.open_existing()?;
            s.check_document(&a, &r.claim_id, r.base, &code, !missing)?;
            done(&format!("{code} {}", if missing { "missing" } else { "received" }), &r.claim_id);
        }
        ClaimCommand::Expire { claim: r, note } => {
            let (mut s, a) = r.store.open_existing()?;
            s.expire(&a, &r.claim_id, r.base, &note)?;
            done("closed as not cured (NOT_CURED)", &r.claim_id);
        }
        ClaimCommand::ReportType { claim: r, report_type } => {
            let (mut s, a) = r.store.open_existing()?;
            let t = ReportType::parse_value(&report_type).ok_or_else(|| {
                anyhow!("'{report_type}' is not a report type (damage_claim, inquiry, opinion, complaint)")
            })?;
            s.set_report_type(&a, &r.claim_id, r.base, t)?;
            done(&format!("report type {}", t.code()), &r.claim_id);
        }
        ClaimCommand::Reopen(r) => {
            let (mut s, a) = r.store.open_existing()?;
            s.reopen(&a, &r.claim_id, r.base)?;
            done("reopened as a damage claim", &r.claim_id);
        }
        ClaimCommand::Notify { claim: r, channel, lang, resend } => {
            let channels = channel
                .iter()
                .map(|c| {
                    claimdesk_core::NoticeChannel::parse(c)
                        .ok_or_else(|| anyhow::anyhow!("'{c}' is not a notice channel: pdf, sms or email"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let (mut s, a) = r.store.open_existing()?;
            let lang = match lang {
                Some(l) => claimdesk_core::message::Lang::parse(&l)
                    .ok_or_else(|| anyhow::anyhow!("'{l}' is not a language: ko or en"))?,
                None => s.letter(&a, &r.claim_id)?.lang,
            };
            s.notify(&a, &r.claim_id, r.base, channels, lang, resend)?;
            done("notice recorded", &r.claim_id);
        }
        ClaimCommand::Close { claim: r, reply, note } => {
            let (mut s, a) = r.store.open_existing()?;
            s.close_no_damage(&a, &r.claim_id, r.base, &reply, &note)?;
            done("closed as non-damage", &r.claim_id);
        }
        ClaimCommand::InfoReceived { claim: r, note } => {
            let (mut s, a) = r.store.open_existing()?;
            s.info_received(&a, &r.claim_id, r.base, &note)?;
            done("back in review", &r.claim_id);
        }
        ClaimCommand::Recommend {
            claim: r,
            as_policy,
            deny,
            note,
            remedy,
            amount,
            days,
            grants,
            justification,
        } => {
            let (mut s, a) = r.store.open_existing()?;
            let decision = if let Some(code) = deny {
                Decision::Deny { code: Some(code.trim().to_string()), reason: note.trim().to_string() }
            } else if as_policy {
                PolicyProposal::of(&s.explain(&r.claim_id)?.outcome).as_decision()
            } else if !grants.is_empty() {
                let grants = grants.iter().map(|g| parse_grant(g)).collect::<anyhow::Result<Vec<Grant>>>()?;
                let (remedy, amount, extension_days) = claimdesk_core::grant::summary(&grants);
                Decision::Approve { remedy, amount, extension_days, grants }
            } else {
                let remedy = remedy
                    .ok_or_else(|| anyhow!("give --as-policy, --deny REASON, --grant KIND:AMOUNT..., or --remedy with --amount/--days"))?;
                let remedy = Remedy::parse(&remedy).ok_or_else(|| anyhow!("'{remedy}' is not a remedy"))?;
                Decision::approve(remedy, Decimal::from(amount), days)
            };
            s.recommend(&a, &r.claim_id, r.base, decision, justification)?;
            done("recommended", &r.claim_id);
        }
        ClaimCommand::Note { claim: r, text } => {
            let (mut s, a) = r.store.open_existing()?;
            s.add_note(&a, &r.claim_id, &text)?;
            done("note added", &r.claim_id);
        }
        ClaimCommand::Evidence { claim: r, file } => {
            let (mut s, a) = r.store.open_existing()?;
            s.add_evidence(&a, &r.claim_id, &file)?;
            done("evidence attached", &r.claim_id);
        }
        ClaimCommand::Reveal { claim: r, field } => {
            let (mut s, a) = r.store.open_existing()?;
            let field = match field.as_str() {
                "phone" => PersonalField::Phone,
                "brn" => PersonalField::Brn,
                "account" | "account_no" => PersonalField::AccountNo,
                other => return Err(anyhow!("'{other}' is not a personal field; use phone, brn or account")),
            };
            let value = s.reveal(&a, &r.claim_id, field)?;
            crate::out!("{}", value.unwrap_or_else(|| "(none)".into()));
        }
        ClaimCommand::Resolve { claim: r, to, note } => {
            let (mut s, a) = r.store.open_existing()?;
            let to = ClaimStatus::parse(&to).ok_or_else(|| anyhow!("'{to}' is not a status"))?;
            s.resolve_conflict(&a, &r.claim_id, r.base, to, &note)?;
            done("conflict resolved", &r.claim_id);
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum BatchCommand {
    /// Create a batch of recommended claims (all, or those matching the filters).
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        name: String,
        #[arg(long, value_delimiter = ',')]
        category: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        service: Vec<String>,
        /// Named claims instead of a filter.
        #[arg(long, value_delimiter = ',')]
        claims: Vec<String>,
    },
    /// List batches.
    List(StoreArgs),
    /// Totals by category and remedy, then the claims (overrides first).
    Show {
        #[command(flatten)]
        store: StoreArgs,
        batch_id: String,
    },
    /// Take a claim out of its batch (back to recommended).
    Remove {
        #[command(flatten)]
        store: StoreArgs,
        claim_id: String,
    },
    /// Return a claim to its reviewer with a comment.
    Return {
        #[command(flatten)]
        store: StoreArgs,
        claim_id: String,
        #[arg(long)]
        comment: String,
    },
    /// Approve every claim of the batch; refusals are listed claim by claim (and the command then exits 1).
    Approve {
        #[command(flatten)]
        store: StoreArgs,
        batch_id: String,
    },
}

pub fn batch(c: BatchCommand) -> anyhow::Result<()> {
    match c {
        BatchCommand::Create { store, name, category, service, claims } => {
            let (mut s, a) = store.open_existing()?;
            let build = if claims.is_empty() {
                let filter = QueueFilter {
                    categories: parse_all(&category, Category::parse, "category")?,
                    services: service,
                    ..QueueFilter::default()
                };
                s.create_batch(&a, &name, &filter)?
            } else {
                s.create_batch_of(&a, &name, &claims)?
            };
            crate::out!("batch {}: {} claims", build.batch_id, build.added);
            for x in &build.skipped {
                crate::out!("  ! {}: {}", x.external_id, x.message);
            }
        }
        BatchCommand::List(store) => {
            let (s, _) = store.open_existing()?;
            let rows: Vec<Vec<String>> = s
                .batches()?
                .into_iter()
                .map(|b| vec![b.id, b.name, b.status, b.claims.to_string(), b.created_by, kst(b.created_at)])
                .collect();
            table(&["id", "name", "status", "claims", "by", "created"], &rows, &[3]);
        }
        BatchCommand::Show { store, batch_id } => {
            let (s, _) = store.open_existing()?;
            let r = s.batch_review(&batch_id)?;
            crate::out!("{} — {} ({}), {} claims", r.batch.name, r.batch.id, r.batch.status, r.batch.claims);
            let rows: Vec<Vec<String>> = r
                .totals
                .iter()
                .map(|t| {
                    vec![
                        t.category.clone(),
                        t.remedy.clone(),
                        t.claims.to_string(),
                        won(Some(t.amount)),
                        t.extension_days.to_string(),
                    ]
                })
                .collect();
            table(&["category", "remedy", "claims", "amount", "extension days"], &rows, &[2, 3, 4]);
            crate::out!();
            let rows: Vec<Vec<String>> = r
                .lines
                .iter()
                .map(|l| {
                    let (what, amount) = match &l.decision {
                        Decision::Approve { remedy, amount, .. } => {
                            (remedy.code().to_string(), won(decimal_won(amount)))
                        }
                        Decision::Deny { code, reason } => (
                            format!("deny: {}", code.clone().unwrap_or_else(|| clip(reason, 20))),
                            String::new(),
                        ),
                    };
                    vec![
                        l.external_id.clone(),
                        if l.is_override { "OVERRIDE".into() } else { String::new() },
                        l.recommended_by.clone(),
                        what,
                        amount,
                        won(l.policy_amount),
                        l.justification.clone().map(|j| clip(&j, 30)).unwrap_or_default(),
                    ]
                })
                .collect();
            table(&["claim", "", "by", "decision", "amount", "policy", "justification"], &rows, &[4, 5]);
        }
        BatchCommand::Remove { store, claim_id } => {
            let (mut s, a) = store.open_existing()?;
            s.remove_from_batch(&a, &claim_id)?;
            crate::out!("{claim_id}: out of its batch, back to recommended");
        }
        BatchCommand::Return { store, claim_id, comment } => {
            let (mut s, a) = store.open_existing()?;
            s.return_to_reviewer(&a, &claim_id, &comment)?;
            crate::out!("{claim_id}: returned to its reviewer");
        }
        BatchCommand::Approve { store, batch_id } => {
            let (mut s, a) = store.open_existing()?;
            let r = s.approve_batch(&a, &batch_id)?;
            crate::out!(
                "{} approved, {} closed as denied, {} refused",
                r.approved,
                r.closed_denied,
                r.refused.len()
            );
            for x in &r.refused {
                crate::out!("  ! {} [{}]: {}", x.external_id, x.code, x.message);
            }
            // A script must notice claims left unapproved (the approved ones stay approved).
            if !r.refused.is_empty() {
                return Err(anyhow!(
                    "{} of the batch's claims were refused (listed above); they stay in the batch",
                    r.refused.len()
                ));
            }
        }
    }
    Ok(())
}
