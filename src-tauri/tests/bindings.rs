//! The TypeScript types of ui/src/lib/bindings are generated from the Rust
//! types (ts-rs). This test generates them afresh and fails when the
//! committed files differ; `scripts/bindings.sh` (CLAIMDESK_WRITE_BINDINGS=1)
//! rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, ExportError, TS};

fn export(cfg: &Config) -> Result<(), ExportError> {
    use claimdesk_app::dto;
    use claimdesk_core::{policy, workflow, Catalog};
    use claimdesk_store::{
        batches, claims, dashboard, evaluate, import, oplog, payout, policies, prefs, quarantine, queue,
        stats, users,
    };
    claimdesk_app::error::ApiError::export_all(cfg)?;
    dto::Progress::export_all(cfg)?;
    dto::SessionUser::export_all(cfg)?;
    dto::FirstRunState::export_all(cfg)?;
    dto::BulkAction::export_all(cfg)?;
    dto::BulkReport::export_all(cfg)?;
    dto::PolicyCheck::export_all(cfg)?;
    dto::WhatIfReport::export_all(cfg)?;
    dto::DraftCheck::export_all(cfg)?;
    dto::ExamplePolicyInfo::export_all(cfg)?;
    dto::EvidenceData::export_all(cfg)?;
    dto::UserUpdate::export_all(cfg)?;
    dto::StartupReport::export_all(cfg)?;
    dto::KeychainStatus::export_all(cfg)?;
    claimdesk_core::ClaimStatus::export_all(cfg)?;
    claimdesk_core::Category::export_all(cfg)?;
    claimdesk_core::Remedy::export_all(cfg)?;
    claimdesk_core::Reason::export_all(cfg)?;
    claimdesk_core::Role::export_all(cfg)?;
    claimdesk_core::Actor::export_all(cfg)?;
    Catalog::export_all(cfg)?;
    policy::Explanation::export_all(cfg)?;
    workflow::Decision::export_all(cfg)?;
    workflow::Priority::export_all(cfg)?;
    workflow::ClaimView::export_all(cfg)?;
    batches::BatchInfo::export_all(cfg)?;
    batches::BatchReview::export_all(cfg)?;
    batches::ApprovalReport::export_all(cfg)?;
    batches::BatchBuild::export_all(cfg)?;
    claims::ClaimDetail::export_all(cfg)?;
    claims::TimelineEntry::export_all(cfg)?;
    claims::TriageChange::export_all(cfg)?;
    claims::PersonalField::export_all(cfg)?;
    dashboard::SeriesKey::export_all(cfg)?;
    dashboard::SeriesPoint::export_all(cfg)?;
    dashboard::Throughput::export_all(cfg)?;
    evaluate::EvalSummary::export_all(cfg)?;
    import::ImportSummary::export_all(cfg)?;
    import::ImportProgress::export_all(cfg)?;
    oplog::OpReceipt::export_all(cfg)?;
    oplog::ChainReport::export_all(cfg)?;
    payout::PayoutExport::export_all(cfg)?;
    claimdesk_store::reveals::RevealEntry::export_all(cfg)?;
    payout::PayoutConfirm::export_all(cfg)?;
    claimdesk_store::fulfilment::FulfilmentExport::export_all(cfg)?;
    claimdesk_store::fulfilment::FulfilmentConfirm::export_all(cfg)?;
    claimdesk_store::delivery::DeliveryRow::export_all(cfg)?;
    policies::PolicyVersion::export_all(cfg)?;
    policies::ReasonCatalog::export_all(cfg)?;
    prefs::SavedView::export_all(cfg)?;
    quarantine::QuarantineEntry::export_all(cfg)?;
    queue::QueueFilter::export_all(cfg)?;
    queue::QueuePage::export_all(cfg)?;
    stats::Stats::export_all(cfg)?;
    stats::OpLine::export_all(cfg)?;
    users::User::export_all(cfg)?;
    claimdesk_app::sync::SyncStatusView::export_all(cfg)?;
    claimdesk_app::sync::SyncOutcome::export_all(cfg)?;
    claimdesk_app::sync::SyncSettings::export_all(cfg)?;
    claimdesk_app::sync::ServerAccount::export_all(cfg)?;
    claimdesk_app::sync::ParkedView::export_all(cfg)?;
    claimdesk_app::sync::ParkedAdvice::export_all(cfg)?;
    claimdesk_core::ClaimAction::export_all(cfg)?;
    claimdesk_core::NoteKind::export_all(cfg)?;
    workflow::ClaimCommand::export_all(cfg)?;
    claimdesk_core::ops::Stamp::export_all(cfg)?;
    dto::NoticeExport::export_all(cfg)?;
    claimdesk_store::notices::NoticeRow::export_all(cfg)?;
    claimdesk_store::notices::NoticeCounts::export_all(cfg)?;
    claimdesk_store::cure::DueCounts::export_all(cfg)?;
    claimdesk_store::cure::CureClock::export_all(cfg)?;
    claimdesk_core::LetterKind::export_all(cfg)?;
    claimdesk_core::NoticeChannel::export_all(cfg)?;
    claims::TimelineRefusal::export_all(cfg)?;
    claimdesk_app::sync::ConflictView::export_all(cfg)?;
    claimdesk_app::sync::ConflictSide::export_all(cfg)?;
    claimdesk_store::sync_desk::LeaseInfo::export_all(cfg)?;
    claimdesk_store::incidents::IncidentInfo::export_all(cfg)?;
    claimdesk_store::incidents::HistoryRow::export_all(cfg)?;
    Ok(())
}

/// Every .ts file under `dir`, by path relative to it (ts-rs puts some in subfolders).
fn files(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|x| x == "ts") {
                let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                out.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn committed_dir() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../ui/src/lib/bindings")
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let fresh = tempfile::tempdir().expect("tempdir");
    let cfg = Config::new().with_out_dir(fresh.path()).with_large_int("number");
    export(&cfg).expect("export the bindings");
    let generated = files(fresh.path());
    assert!(
        generated.contains_key("ClaimDetail.ts") && generated.contains_key("ApiError.ts"),
        "{:?}",
        generated.keys()
    );

    let dir = committed_dir();
    if std::env::var_os("CLAIMDESK_WRITE_BINDINGS").is_some() {
        std::fs::create_dir_all(&dir).expect("bindings dir");
        for (name, _) in files(&dir) {
            std::fs::remove_file(dir.join(name)).expect("remove an old binding");
        }
        for (name, text) in &generated {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("bindings subdir");
            }
            std::fs::write(path, text).expect("write a binding");
        }
        let index: String = generated
            .keys()
            .filter(|n| !n.contains('/'))
            .map(|n| format!("export type * from './{}';\n", n.trim_end_matches(".ts")))
            .collect();
        std::fs::write(dir.join("index.ts"), index).expect("write index.ts");
        return;
    }
    let mut committed = files(&dir);
    let index = committed.remove("index.ts").unwrap_or_default();
    let stale: Vec<&String> = generated.keys().filter(|n| committed.get(*n) != generated.get(*n)).collect();
    let extra: Vec<&String> = committed.keys().filter(|n| !generated.contains_key(*n)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/lib/bindings is stale (changed or missing: {stale:?}; no longer generated: {extra:?}); run scripts/bindings.sh and commit the result"
    );
    for name in generated.keys().filter(|n| !n.contains('/')) {
        assert!(
            index.contains(&format!("'./{}'", name.trim_end_matches(".ts"))),
            "index.ts does not export {name}; run scripts/bindings.sh"
        );
    }
}
