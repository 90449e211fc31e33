//! A whole day in ClaimDesk through the real app window: first run, users,
//! an import with bad rows and its quarantine, triage, annotation, a
//! recommendation that follows the policy and an override that needs a
//! justification, a batch built and approved by a supervisor (with a
//! refused self-approval shown), the payout export and its confirmation by a
//! second admin (dual control: the exporter's button is off); then the store is opened
//! directly to check what the clicks did. axe-core checks the screens on
//! the way (serious or critical problems fail the test). Screenshots go to
//! the build folder (claimdesk_e2e::screenshot_dir; scripts/screenshots.sh
//! copies them to docs/screenshots); the loaded queue, the dashboard, what-if,
//! Sync and Conflicts come from tests/screens.rs.

use std::path::Path;

use claimdesk_core::ClaimStatus;
use claimdesk_e2e::{app_binary, Desktop, Result};
use claimdesk_store::Store;

const ADMIN_PW: &str = "admin-pass-2022";
const KIM_PW: &str = "kim-pass-2022";
const PARK_PW: &str = "park-pass-2022";
/// The second admin, who confirms the payout the first one exported (dual control).
const YOON_PW: &str = "yoon-pass-2022";
/// Cash 17,000 under the policy: recommended as the policy says.
const FOLLOWS: &str = "C999-000079";
/// Cash 15,000 under the policy: recommended at 20,000 (an override).
const OVERRIDE: &str = "C999-000144";
/// Recommended by the supervisor who then tries to approve it.
const OWN: &str = "C999-000202";
/// A free user's report that is an inquiry: typed as one in triage and closed with a standard reply.
const INQUIRY: &str = "C999-000084";
/// A small business asked for proof of lost sales; five weeks later, closed as not cured.
const DEFICIENT: &str = "C999-000168";

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../fixtures")
    .join(name)
}

async fn sign_in(d: &Desktop, user: &str, password: &str) -> Result<()> {
    d.el("screen-signin").await?;
    d.fill("signin-user", user).await?;
    d.fill("signin-password", password).await?;
    d.click("signin-submit").await?;
    d.wait_text("current-user", user).await?;
    Ok(())
}

async fn sign_out(d: &Desktop) -> Result<()> {
    d.click("sign-out").await?;
    d.el("screen-signin").await?;
    Ok(())
}

async fn open_claim(d: &Desktop, id: &str) -> Result<()> {
    d.go(&format!("#/claim/{id}")).await?;
    d.wait_text("claim-id", id).await?;
    Ok(())
}

/// Waits for the claim's status code to be shown (the UI shows labels; the
/// status element carries the code in data-status when present, else the label).
async fn wait_status(d: &Desktop, label_ko: &str) -> Result<()> {
    d.wait_text("claim-status", label_ko).await?;
    Ok(())
}

async fn day(d: &Desktop, work: &Path) -> Result<()> {
    // ── First run: the admin password.
    d.el("signin-new-password").await?;
    d.shot("first-run-password").await?;
    d.assert_accessible("first-run password").await?;
    d.fill("signin-new-password", ADMIN_PW).await?;
    d.fill("signin-confirm-password", ADMIN_PW).await?;
    d.click("signin-submit").await?;
    // The store is made encrypted; its recovery key is shown once, and the
    // screen stays until the admin says they have kept it.
    d.el("screen-recovery-key").await?;
    let key = d.text("recovery-key").await?;
    assert_eq!(key.trim().len(), 39, "eight groups of four: {key:?}");
    assert!(
        d.el("recovery-continue").await?.attr("disabled").await?.is_some(),
        "not before the box is ticked"
    );
    d.shot("first-run-recovery-key").await?;
    d.assert_accessible("recovery key").await?;
    d.click("recovery-kept").await?;
    d.click("recovery-continue").await?;
    d.el("screen-first-run").await?;
    d.shot("first-run").await?;
    d.assert_accessible("first run").await?;

    // ── Admin: the team.
    d.click("nav-settings").await?;
    d.el("screen-settings").await?;
    for (id, name, role, limit, pw) in [
        ("kim", "김지은", "reviewer", "", KIM_PW),
        ("park", "박서연", "supervisor", "5000000", PARK_PW),
        ("yoon", "윤하늘", "admin", "", YOON_PW),
    ] {
        d.fill("new-user-id", id).await?;
        d.fill("new-user-name", name).await?;
        d.select("new-user-role", role).await?;
        d.fill("new-user-limit", limit).await?;
        d.fill("new-user-password", pw).await?;
        d.click("new-user-create").await?;
        d.el(&format!("user-{id}")).await?;
    }
    d.shot("settings").await?;
    d.assert_accessible("settings").await?;

    // ── Admin: import a file with bad rows; the quarantine lists them.
    d.click("nav-import").await?;
    d.el("screen-import").await?;
    d.answer_dialogs(&[&fixture("sample-intake.csv")], &[]).await?;
    d.click("import-pick").await?;
    d.wait_text("import-file", "sample-intake.csv").await?;
    d.click("import-start").await?;
    d.el("import-summary").await?;
    d.wait_text("import-count-imported", "295").await?;
    d.wait_text("import-count-quarantined", "11").await?;
    let quarantine = d.wait_text("quarantine-table", "010-12-5678").await?;
    assert!(quarantine.contains("많이"), "the quarantine shows the bad amount: {quarantine}");
    assert!(
        quarantine.contains("‘많이’은(는) 원 단위 금액이 아닙니다"),
        "the reason in Korean: {quarantine}"
    );
    assert!(!quarantine.contains("is not an amount"), "no English in the Korean quarantine: {quarantine}");
    d.shot("import").await?;
    d.assert_accessible("import").await?;

    sign_out(d).await?;
    d.shot("signin").await?;

    // ── A wrong password: one clear message, no hint which part was wrong.
    d.fill("signin-user", "kim").await?;
    d.fill("signin-password", "not-her-password").await?;
    d.click("signin-submit").await?;
    let refused = d.text("signin-error").await?;
    assert!(!refused.trim().is_empty() && !refused.contains("kim"), "sign-in error: {refused}");
    d.shot("signin-refused").await?;
    d.assert_accessible("sign-in refused").await?;

    // ── Reviewer: queue, triage, take, annotate, recommend.
    sign_in(d, "kim", KIM_PW).await?;
    d.click("nav-queue").await?;
    d.el("queue-table").await?;
    d.wait_text("queue-total", "295").await?;

    open_claim(d, FOLLOWS).await?;
    d.fill("triage-tags", "택시, 전화확인").await?;
    d.select("triage-priority", "high").await?;
    d.click("triage-submit").await?;
    wait_status(d, "분류됨").await?;
    d.click("claim-take").await?;
    wait_status(d, "심사 중").await?;
    d.fill("triage-tags", "택시, 전화확인, 증빙충분").await?;
    d.click("annotate-submit").await?;
    d.wait_text("claim-timeline", "증빙충분").await?;
    // A note, labelled as a note (not its code), withdrawn by its author.
    d.fill("note-body", "잘못 적은 메모: 다른 신고인 통화 내용").await?;
    d.click("note-add").await?;
    d.wait_text("claim-notes", "잘못 적은 메모").await?;
    let withdraw = d
        .js("const b = document.querySelector('[data-testid^=\"note-withdraw-\"]'); return b ? b.getAttribute('data-testid') : null;", vec![])
        .await?;
    let withdraw = withdraw.as_str().ok_or("no withdraw button on one's own note")?.to_string();
    let kind = d.text(&withdraw.replace("note-withdraw-", "note-kind-")).await?;
    assert_eq!(kind, "메모", "the note kind is labelled");
    d.click(&withdraw).await?;
    d.wait_text(&withdraw.replace("note-withdraw-", "note-"), "철회됨").await?;
    d.wait_gone(&withdraw).await?;
    d.el("recommend-form").await?;
    d.el("follows-policy").await?;
    d.click("recommend-submit").await?;
    wait_status(d, "심사 의견 제출").await?;

    open_claim(d, OVERRIDE).await?;
    d.click("claim-take").await?;
    wait_status(d, "심사 중").await?;
    d.fill("decision-amount", "20000").await?;
    d.el("override-notice").await?;
    // An override cannot be sent without a justification.
    assert!(
        !d.is_enabled("recommend-submit").await?,
        "recommend is enabled for an override without justification"
    );
    d.fill("decision-justification", "영업 손실 영수증을 추가로 확인함").await?;
    d.shot("claim").await?;
    d.assert_accessible("claim").await?;
    d.click("recommend-submit").await?;
    wait_status(d, "심사 의견 제출").await?;

    // An inquiry: typed as one, then closed with a standard reply of the policy's catalog (not denied).
    open_claim(d, INQUIRY).await?;
    d.wait_text("claim-report-type", "피해 신고").await?;
    d.select("report-type-select", "inquiry").await?;
    d.click("report-type-submit").await?;
    d.wait_text("claim-report-type", "문의").await?;
    assert!(!d.is_enabled("close-submit").await?, "no reply chosen yet: the close is not offered");
    d.select("close-reply", "INQUIRY_ANSWERED").await?;
    d.fill("close-note", "고객센터에서 전화로 안내함").await?;
    d.click("close-submit").await?;
    wait_status(d, "비피해 종결").await?;
    d.wait_text("claim-reason-code", "문의하신 내용에 답변").await?;
    d.shot("claim-closed-no-damage").await?;
    d.assert_accessible("claim closed as non-damage").await?;

    // A small business: one document arrived (ticked), the rest asked for, due on the policy's day.
    open_claim(d, DEFICIENT).await?;
    d.click("claim-take").await?;
    wait_status(d, "심사 중").await?;
    d.wait_text("documents-count", "0 / 4").await?;
    d.click("document-check-SMALL_BUSINESS_CERT").await?;
    d.wait_text("documents-count", "1 / 4").await?;
    d.select("request-info-code", "LOSS_PROOF_NEEDED").await?;
    d.fill("request-info-message", "2022년 10월 매출 장부 사본을 보내 주세요").await?;
    d.click("request-info-submit").await?;
    wait_status(d, "보완 요청").await?;
    d.wait_text("cure-state", "기한 내").await?;
    let due = kst_today() + chrono::Days::new(33);
    d.wait_text("cure-due", &due.to_string()).await?;
    d.js("document.querySelector('[data-testid=\"cure-clock\"]').scrollIntoView({block: 'start'});", vec![])
        .await?;
    d.shot("claim-info-requested").await?;
    d.assert_accessible("claim waiting for documents").await?;
    sign_out(d).await?;

    // ── Supervisor: recommends one claim, builds a batch, approves it; the
    // self-approval is refused with its message.
    sign_in(d, "park", PARK_PW).await?;
    open_claim(d, OWN).await?;
    d.click("claim-take").await?;
    wait_status(d, "심사 중").await?;
    d.click("recommend-submit").await?;
    wait_status(d, "심사 의견 제출").await?;

    d.click("nav-batches").await?;
    d.el("screen-batches").await?;
    d.fill("batch-name", "1차 지급 (e2e)").await?;
    d.click("batch-create").await?;
    d.el("batch-review").await?;
    d.wait_text("batch-total-claims", "3").await?;
    d.el(&format!("batch-line-{OVERRIDE}")).await?;
    d.shot("batches").await?;
    d.assert_accessible("batches").await?;
    d.click("batch-approve").await?;
    d.click("approve-confirm-ok").await?;
    d.el("approval-refusals").await?;
    let refusal = d.wait_text(&format!("refusal-{OWN}"), OWN).await?;
    assert!(
        refusal.contains("MAKER_CHECKER") || refusal.contains("yourself") || refusal.contains("본인"),
        "the refusal says why: {refusal}"
    );
    d.shot("approval-refused").await?;
    d.assert_accessible("approval refused").await?;
    d.click("approval-close").await?;
    sign_out(d).await?;

    // ── Admin: the payout file; another admin confirms it (dual control).
    sign_in(d, "admin", ADMIN_PW).await?;
    d.click("nav-batches").await?;
    d.el("payout").await?;
    let payout = work.join("payout.csv");
    d.answer_dialogs(&[], &[&payout]).await?;
    d.select("payout-format", "csv").await?;
    d.click("payout-export").await?;
    d.el("payout-exported").await?;
    d.wait_text("payout-dual-control", "다른 관리자").await?;
    assert!(!d.is_enabled("payout-confirm").await?, "the exporter cannot confirm their own payout");
    d.shot("payout").await?;
    d.assert_accessible("payout").await?;
    sign_out(d).await?;
    sign_in(d, "yoon", YOON_PW).await?;
    d.click("nav-batches").await?;
    // The pending payout is there for the second admin, who may confirm it.
    d.el("payout-exported").await?;
    assert!(!d.has("payout-dual-control").await, "no dual-control note for another admin");
    d.click("payout-confirm").await?;
    d.wait_gone("payout-exported").await?;
    // The confirmed payout is listed with who wrote and who confirmed it.
    d.click("payout-history-open").await?;
    let row = d.wait_text("payout-history-1", "지급 완료").await?;
    assert!(row.contains("admin") && row.contains("yoon"), "written by the admin, confirmed by yoon: {row}");
    d.shot("payout-history").await?;
    let file = std::fs::read_to_string(&payout)?;
    assert!(file.contains(FOLLOWS) && file.contains(OVERRIDE) && !file.contains(OWN), "payout file:\n{file}");

    open_claim(d, OVERRIDE).await?;
    wait_status(d, "지급 완료").await?;
    d.shot("claim-paid").await?;

    // ── The end of the day: the policy screen.
    d.click("nav-policy").await?;
    d.el("policy-view-1").await?;
    d.shot("policy").await?;
    Ok(())
}

fn kst_today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&claimdesk_core::time::kst()).date_naive()
}

/// Five weeks on (the desktop's clock moved with the store's offset, which its
/// op writer and its "today" both read): the request is overdue; the queue's
/// filter finds it, the supervisor closes it as not cured.
async fn five_weeks_later(d: &Desktop) -> Result<()> {
    sign_in(d, "park", PARK_PW).await?;
    d.click("nav-queue").await?;
    d.el("queue-table").await?;
    d.click("queue-filters-toggle").await?;
    d.select("filter-due", "overdue").await?;
    d.wait_text("queue-total", "1").await?;
    d.el(&format!("queue-due-{DEFICIENT}")).await?;
    d.shot("queue-overdue").await?;
    d.assert_accessible("queue of overdue requests").await?;
    open_claim(d, DEFICIENT).await?;
    d.wait_text("cure-state", "기한 경과").await?;
    d.el("claim-expire").await?;
    d.shot("claim-overdue").await?;
    d.assert_accessible("overdue claim").await?;
    d.fill("expire-note", "기한까지 매출 증빙이 오지 않음").await?;
    d.click("expire-submit").await?;
    wait_status(d, "기각 종결").await?;
    d.wait_text("claim-reason-code", "NOT_CURED").await?;
    d.wait_gone("cure-clock").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(claimdesk_e2e),
    ignore = "needs the built app: set CLAIMDESK_APP_BIN (scripts/test.sh does, with CI=1)"
)]
async fn a_full_day_in_the_app() -> Result<()> {
    let app = app_binary()?;
    let work = tempfile::tempdir()?;
    let store_path = work.path().join("claimdesk.db");
    let desktop = Desktop::launch(&app, &store_path).await?;
    let outcome = day(&desktop, work.path()).await;
    if outcome.is_err() {
        let _ = desktop.capture("zz-failure").await;
    }
    desktop.quit().await?;
    outcome?;

    // ── What the clicks left in the store.
    // Encrypted: plain SQLite cannot open it, the admin's password does.
    assert_eq!(claimdesk_store::keys::inspect(&store_path)?, claimdesk_store::keys::StoreFile::Encrypted);
    assert_eq!(Store::open(&store_path).err().map(|e| e.code()), Some("STORE_LOCKED"));
    let mut store = Store::unlock(&store_path, "admin", ADMIN_PW)?.store;
    assert!(store.pending_recovery_key(&store.actor("admin")?)?.is_none(), "the key was confirmed once");
    let follows = store.claim(FOLLOWS)?;
    assert_eq!(follows.status, ClaimStatus::Paid);
    assert!(follows.tags.contains(&"증빙충분".to_string()), "{:?}", follows.tags);
    assert_eq!(follows.priority, "high");
    assert!(
        follows
            .notes
            .iter()
            .any(|n| n.kind == claimdesk_core::NoteKind::Note && n.author == "kim" && n.withdrawn),
        "the note was withdrawn: {:?}",
        follows.notes
    );
    let over = store.claim(OVERRIDE)?;
    assert_eq!(over.status, ClaimStatus::Paid);
    let rec = over.recommendation.expect("the override's recommendation");
    assert!(rec.is_override);
    assert_eq!(rec.by, "kim");
    assert_eq!(rec.justification.as_deref(), Some("영업 손실 영수증을 추가로 확인함"));
    assert_eq!(store.claim(OWN)?.status, ClaimStatus::Batched, "the self-approved claim stays in its batch");
    let inquiry = store.claim(INQUIRY)?;
    assert_eq!(
        (inquiry.status, inquiry.report_type, inquiry.reason_code.as_deref()),
        (ClaimStatus::ClosedNoDamage, claimdesk_core::ReportType::Inquiry, Some("INQUIRY_ANSWERED"))
    );
    let refused: i64 = store.conn().query_row(
        "SELECT count(*) FROM ops WHERE entity = ?1 AND kind = 'claim.approve' AND outcome = 'refused' AND user_id = 'park'",
        [format!("claim:{OWN}")],
        |r| r.get(0),
    )?;
    assert_eq!(refused, 1, "the refused self-approval is in the audit log");
    let admin = store.actor("admin")?;
    assert_eq!(store.quarantine(&admin, true)?.len(), 11);
    let waiting = store.claim(DEFICIENT)?;
    assert_eq!(
        (waiting.status, waiting.documents_received.clone()),
        (ClaimStatus::NeedsInfo, vec!["SMALL_BUSINESS_CERT".to_string()])
    );
    store.verify_audit()?;
    assert_eq!(store.integrity_check()?, "ok");

    // ── Five weeks later, on the same desktop.
    store.conn().execute(
        "INSERT INTO meta (key, value) VALUES ('clock_offset_ms', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(35_i64 * 86_400_000).to_string()],
    )?;
    drop(store);
    let desktop = Desktop::launch(&app, &store_path).await?;
    let outcome = five_weeks_later(&desktop).await;
    if outcome.is_err() {
        let _ = desktop.capture("zz-failure-later").await;
    }
    desktop.quit().await?;
    outcome?;
    let store = Store::unlock(&store_path, "admin", ADMIN_PW)?.store;
    let closed = store.claim(DEFICIENT)?;
    assert_eq!(
        (closed.status, closed.reason_code.as_deref()),
        (ClaimStatus::ClosedDenied, Some("NOT_CURED"))
    );
    let expired: i64 = store.conn().query_row(
        "SELECT count(*) FROM ops WHERE entity = ?1 AND kind = 'claim.expire' AND outcome = 'applied' AND user_id = 'park'",
        [format!("claim:{DEFICIENT}")],
        |r| r.get(0),
    )?;
    assert_eq!(expired, 1, "the expiry is on record, by the supervisor");
    store.verify_audit()?;
    Ok(())
}
