//! `claimdesk fulfilment`: the file of what decisions grant beside cash
//! (vouchers, extensions, points, message credits, fee waivers) for the
//! systems that grant them, then its confirmation; the same steps as a
//! payout (crates/store/src/fulfilment.rs holds the rules).

use std::path::PathBuf;

use claimdesk_core::message::Lang;
use claimdesk_store::delivery::DeliveryRow;
use claimdesk_store::fulfilment::FulfilmentExport;
use clap::Subcommand;

use crate::output::{kst, table, won};
use crate::StoreArgs;

#[derive(Subcommand)]
pub enum FulfilmentCommand {
    /// Reserve every claim waiting for its non-cash grants (approved with no cash, or paid)
    /// and write one line per grant to a file (.csv or .xlsx). In a team the reservations
    /// are accepted by the sync server at the next sync.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write an exported fulfilment's file again, with exactly the claims still reserved for it.
    File {
        #[command(flatten)]
        store: StoreArgs,
        fulfilment_id: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// The grants were given: mark the fulfilment's claims fulfilled (in a team, once the
    /// server accepted its reservations).
    Confirm {
        #[command(flatten)]
        store: StoreArgs,
        fulfilment_id: i64,
    },
    /// The file was not sent: its claims may be exported again.
    Cancel {
        #[command(flatten)]
        store: StoreArgs,
        fulfilment_id: i64,
    },
    /// Every fulfilment of this desktop, newest first (exported ones wait for confirmation).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn fulfilment(c: FulfilmentCommand) -> anyhow::Result<()> {
    match c {
        FulfilmentCommand::Export { store, out } => {
            let (mut s, actor) = store.open_existing()?;
            let e = s.export_fulfilment(&actor, &out)?;
            print_export(&e, "written to");
            if s.sync_setting("server_url")?.is_some() {
                crate::out!("its claims are reserved for it once the sync server accepts them: run claimdesk sync (online)");
            }
            crate::out!("after the grants are given: claimdesk fulfilment confirm {}", e.fulfilment_id);
        }
        FulfilmentCommand::File { store, fulfilment_id, out } => {
            let (mut s, actor) = store.open_existing()?;
            let e = s.rewrite_fulfilment_file(&actor, fulfilment_id, &out)?;
            print_export(&e, "written again to");
        }
        FulfilmentCommand::Confirm { store, fulfilment_id } => {
            let (mut s, actor) = store.open_existing()?;
            let r = s.confirm_fulfilment(&actor, fulfilment_id)?;
            crate::out!("fulfilment {}: {} claims marked fulfilled", r.fulfilment_id, r.fulfilled);
            for x in &r.refused {
                crate::out!("  ! {}: {}", x.external_id, x.message);
            }
            if !r.refused.is_empty() {
                anyhow::bail!(
                    "{} claims of fulfilment {} were not marked fulfilled (listed above); check them before granting by hand",
                    r.refused.len(),
                    r.fulfilment_id
                );
            }
        }
        FulfilmentCommand::Cancel { store, fulfilment_id } => {
            let (mut s, actor) = store.open_existing()?;
            s.cancel_fulfilment(&actor, fulfilment_id)?;
            crate::out!("fulfilment {fulfilment_id} cancelled; its claims can be exported again");
        }
        FulfilmentCommand::List { store } => {
            let (mut s, actor) = store.open_existing()?;
            print_deliveries(
                &s.fulfilments(&actor)?,
                "no fulfilments yet: claimdesk fulfilment export --out FILE",
            );
        }
    }
    Ok(())
}

/// Payouts or fulfilments as a table, newest first (`empty`: what to say when there are none).
pub(crate) fn print_deliveries(rows: &[DeliveryRow], empty: &str) {
    if rows.is_empty() {
        crate::out!("{empty}");
        return;
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let status =
                if r.file_outdated { format!("{} (file outdated)", r.status) } else { r.status.clone() };
            vec![
                r.id.to_string(),
                status,
                r.claims.to_string(),
                r.lines.to_string(),
                won(Some(r.total)),
                format!("{} {}", kst(r.created_at), r.created_by),
                r.confirmed_at
                    .map(|t| format!("{} {}", kst(t), r.confirmed_by.clone().unwrap_or_default()))
                    .unwrap_or_else(|| "-".into()),
                r.file.clone(),
            ]
        })
        .collect();
    table(
        &["id", "status", "claims", "lines", "total", "exported", "confirmed", "file"],
        &cells,
        &[0, 2, 3, 4],
    );
}

/// The totals of a file written, one line per kind of grant.
fn print_export(e: &FulfilmentExport, what: &str) {
    crate::out!(
        "fulfilment {}: {} claims, {} grants worth {} won, {what} {}",
        e.fulfilment_id,
        e.claims,
        e.lines,
        won(Some(e.total)),
        e.file
    );
    let ko = crate::lang() == Lang::Ko;
    for k in &e.kinds {
        let kind = if ko { k.kind.label_ko() } else { k.kind.label_en() };
        crate::out!("  {kind}: {} claims, quantity {}, {} won", k.claims, k.quantity, won(Some(k.amount)));
    }
}
