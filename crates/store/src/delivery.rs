//! What a payout and a fulfilment share: the way a decided claim leaves
//! ClaimDesk. A file lists the claims reserved for it (one live reservation
//! per claim, team-wide: the sync server accepts one), and then it is either
//! confirmed once (the claims become paid, or fulfilled), cancelled (the
//! claims are released and may be exported again), or written again when
//! claims left it. A payout carries cash ([`crate::payout`]); a fulfilment
//! everything else a decision grants ([`crate::fulfilment`]).

use claimdesk_core::msg;
use claimdesk_core::ops::{Op, PayoutExport, PayoutRef};
use claimdesk_core::workflow::{AdminAction, ClaimCommand};
use claimdesk_core::Actor;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use crate::batches::ClaimRefusal;
use crate::claim_state::apply_local;
use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter};
use crate::users::team_op_in_tx;
use crate::{now_secs, Store};

/// Which way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Cash, to the bank.
    Payout,
    /// Vouchers, extensions, points, message credits, fee waivers, to the
    /// systems that grant them.
    Fulfilment,
}

/// What a confirmation did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Confirmed {
    /// Claims marked paid or fulfilled.
    pub done: u64,
    /// Claims the rules refused (each with its reason).
    pub refused: Vec<ClaimRefusal>,
}

/// A payout or fulfilment as listed, newest first (exported ones wait for
/// their confirmation, also after a restart).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeliveryRow {
    /// The payout's or fulfilment's number on this desktop.
    pub id: i64,
    pub file: String,
    /// exported, confirmed or cancelled.
    pub status: String,
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<i64>,
    pub claims: u64,
    /// Lines of the file: one per claim in a payout, one per grant in a fulfilment.
    pub lines: u64,
    /// Won: paid, or the value of the grants listed.
    pub total: i64,
    /// Claims left it after its file was written: write it again before confirming.
    pub file_outdated: bool,
}

impl Delivery {
    /// Its table; its items are in `<table without s>_items`.
    fn table(self) -> &'static str {
        match self {
            Delivery::Payout => "payouts",
            Delivery::Fulfilment => "fulfilments",
        }
    }

    fn items(self) -> &'static str {
        match self {
            Delivery::Payout => "payout_items",
            Delivery::Fulfilment => "fulfilment_items",
        }
    }

    /// The column of an item naming its delivery.
    fn item_key(self) -> &'static str {
        match self {
            Delivery::Payout => "payout_id",
            Delivery::Fulfilment => "fulfilment_id",
        }
    }

    pub(crate) fn action(self) -> AdminAction {
        match self {
            Delivery::Payout => AdminAction::ExportPayout,
            Delivery::Fulfilment => AdminAction::ExportFulfilment,
        }
    }

    /// The audit entity of delivery `key` (its local number or its uid).
    pub(crate) fn entity(self, key: impl std::fmt::Display) -> String {
        match self {
            Delivery::Payout => format!("payout:{key}"),
            Delivery::Fulfilment => format!("fulfilment:{key}"),
        }
    }

    pub(crate) fn reserve(self, uid: &str) -> ClaimCommand {
        match self {
            Delivery::Payout => ClaimCommand::ReservePayout { payout_id: uid.into() },
            Delivery::Fulfilment => ClaimCommand::ReserveFulfilment { fulfilment_id: uid.into() },
        }
    }

    fn release(self, uid: &str) -> ClaimCommand {
        match self {
            Delivery::Payout => ClaimCommand::ReleasePayout { payout_id: uid.into() },
            Delivery::Fulfilment => ClaimCommand::ReleaseFulfilment { fulfilment_id: uid.into() },
        }
    }

    fn complete(self, uid: &str) -> ClaimCommand {
        match self {
            Delivery::Payout => ClaimCommand::MarkPaid { payout_id: uid.into() },
            Delivery::Fulfilment => ClaimCommand::MarkFulfilled { fulfilment_id: uid.into() },
        }
    }

    pub(crate) fn export_op(self, record: PayoutExport) -> Op {
        match self {
            Delivery::Payout => Op::PayoutExport(record),
            Delivery::Fulfilment => Op::FulfilmentExport(record),
        }
    }

    fn confirm_op(self, uid: &str) -> Op {
        let r = PayoutRef { id: uid.into() };
        match self {
            Delivery::Payout => Op::PayoutConfirm(r),
            Delivery::Fulfilment => Op::FulfilmentConfirm(r),
        }
    }

    fn cancel_op(self, uid: &str) -> Op {
        let r = PayoutRef { id: uid.into() };
        match self {
            Delivery::Payout => Op::PayoutCancel(r),
            Delivery::Fulfilment => Op::FulfilmentCancel(r),
        }
    }

    fn not_reserved(self, id: i64, waiting: i64) -> StoreError {
        match self {
            Delivery::Payout => StoreError::PayoutNotReserved { payout_id: id, waiting },
            Delivery::Fulfilment => StoreError::FulfilmentNotReserved { fulfilment_id: id, waiting },
        }
    }

    fn outdated(self, id: i64) -> StoreError {
        match self {
            Delivery::Payout => StoreError::PayoutFileOutdated { payout_id: id },
            Delivery::Fulfilment => StoreError::FulfilmentFileOutdated { fulfilment_id: id },
        }
    }

    /// Refused: the delivery is not `exported` any more (`what`: confirm, cancel, rewrite).
    pub(crate) fn not_exported(self, what: Step, id: i64, status: &str) -> StoreError {
        let m = match (self, what) {
            (Delivery::Payout, Step::Confirm) => msg!("store.payout_status", payout_id = id, status = status),
            (Delivery::Payout, Step::Cancel) => {
                msg!("store.payout_cancel_status", payout_id = id, status = status)
            }
            (Delivery::Payout, Step::Rewrite) => {
                msg!("store.payout_rewrite_status", payout_id = id, status = status)
            }
            (Delivery::Fulfilment, Step::Confirm) => {
                msg!("store.fulfilment_status", fulfilment_id = id, status = status)
            }
            (Delivery::Fulfilment, Step::Cancel) => {
                msg!("store.fulfilment_cancel_status", fulfilment_id = id, status = status)
            }
            (Delivery::Fulfilment, Step::Rewrite) => {
                msg!("store.fulfilment_rewrite_status", fulfilment_id = id, status = status)
            }
        };
        StoreError::Invalid(m)
    }

    /// A delivery's status, uid and whether its file lists claims that left it.
    pub(crate) fn row(self, conn: &rusqlite::Connection, id: i64) -> Result<(String, String, bool)> {
        conn.query_row(
            &format!("SELECT status, uid, file_outdated FROM {} WHERE id = ?1", self.table()),
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(self.entity(id)))
    }

    /// The claims (external ids) a delivery still holds, in id order.
    pub(crate) fn live_claims(self, tx: &Transaction<'_>, id: i64) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT c.external_id FROM {items} p JOIN claims c ON c.id = p.claim_id
             WHERE p.{key} = ?1 AND p.live = 1 ORDER BY c.external_id",
            items = self.items(),
            key = self.item_key()
        );
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reserves one claim for delivery `uid` (number `id`), recording the
    /// item; false when the rules refuse it (another delivery holds it).
    pub(crate) fn reserve_item(
        self,
        tx: &Transaction<'_>,
        ops: &mut OpWriter,
        author: &Author<'_>,
        actor: &Actor,
        (id, uid): (i64, &str),
        item: Item<'_>,
    ) -> Result<bool> {
        match apply_local(tx, ops, author, actor, item.external_id, None, self.reserve(uid)) {
            Ok(change) => {
                match self {
                    Delivery::Payout => tx
                        .prepare_cached(
                            "INSERT INTO payout_items (payout_id, claim_id, amount, reserve_op) VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![id, item.claim_id, item.amount, change.receipt.op_id])?,
                    Delivery::Fulfilment => tx
                        .prepare_cached(
                            "INSERT INTO fulfilment_items (fulfilment_id, claim_id, amount, lines, reserve_op)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                        )?
                        .execute(params![id, item.claim_id, item.amount, item.lines, change.receipt.op_id])?,
                };
                Ok(true)
            }
            // Another delivery of this desktop got it meanwhile: not in this one.
            Err(StoreError::Refused(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// One claim joining a delivery.
pub(crate) struct Item<'a> {
    pub claim_id: i64,
    pub external_id: &'a str,
    /// Won: the cash paid, or the value of the grants fulfilled.
    pub amount: i64,
    /// Lines of the file (fulfilment: one per grant).
    pub lines: i64,
}

/// What is asked of an exported delivery.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    Confirm,
    Cancel,
    Rewrite,
}

impl Store {
    /// Admin: the delivery happened (the bank paid, the grants were given);
    /// its claims become paid or fulfilled. Refused to the admin who exported
    /// it (dual control: another admin confirms), while a reservation is
    /// not yet accepted by the sync server (a desktop offline confirms only
    /// what it reserved online), and while the file lists claims that left it.
    pub(crate) fn confirm_delivery(&mut self, actor: &Actor, d: Delivery, id: i64) -> Result<Confirmed> {
        self.require(actor, d.action(), &d.entity(id))?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let team = self.sync_setting("server_url")?.is_some();
        let tx = self.write_tx()?;
        let (status, uid, outdated) = d.row(&tx, id)?;
        if status != "exported" {
            return Err(d.not_exported(Step::Confirm, id, &status));
        }
        // Dual control, said once for the file (the rules refuse each claim
        // too, on every desktop and on the server: see MarkPaid).
        let exporter: String =
            tx.query_row(&format!("SELECT created_by FROM {} WHERE id = ?1", d.table()), [id], |r| r.get(0))?;
        if exporter == actor.user {
            return Err(StoreError::Refused(claimdesk_core::workflow::Refusal::OwnExport));
        }
        if outdated {
            return Err(d.outdated(id));
        }
        if team {
            let waiting: i64 = tx.query_row(
                &format!(
                    "SELECT count(*) FROM {items} p LEFT JOIN ops o ON o.op_id = p.reserve_op
                     WHERE p.{key} = ?1 AND p.live = 1 AND (o.sync IS NULL OR o.sync != 'acked')",
                    items = d.items(),
                    key = d.item_key()
                ),
                [id],
                |r| r.get(0),
            )?;
            if waiting > 0 {
                return Err(d.not_reserved(id, waiting));
            }
        }
        let ids = d.live_claims(&tx, id)?;
        let mut ops = OpWriter::begin(&tx)?;
        let mut report = Confirmed { done: 0, refused: Vec::new() };
        for external_id in &ids {
            match apply_local(&tx, &mut ops, &author, actor, external_id, None, d.complete(&uid)) {
                Ok(_) => report.done += 1,
                Err(StoreError::Refused(r)) => {
                    report.refused.push(ClaimRefusal::new(external_id, r.code(), &r))
                }
                Err(e) => return Err(e),
            }
        }
        tx.execute(
            &format!(
                "UPDATE {} SET status = 'confirmed', confirmed_at = ?2, confirmed_by = ?3 WHERE id = ?1",
                d.table()
            ),
            params![id, now_secs(), actor.user],
        )?;
        team_op_in_tx(&tx, &mut ops, &author, actor, &d.entity(&uid), &d.confirm_op(&uid))?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Admin: every payout or fulfilment of this desktop, newest first.
    pub(crate) fn deliveries(&mut self, actor: &Actor, d: Delivery) -> Result<Vec<DeliveryRow>> {
        self.require(actor, d.action(), d.table())?;
        // A payout file has one line per claim; a fulfilment counts its grant lines.
        let lines = match d {
            Delivery::Payout => "claims",
            Delivery::Fulfilment => "lines",
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, file_name, status, created_by, created_at, confirmed_by, confirmed_at, claims, {lines}, total, file_outdated
             FROM {} ORDER BY id DESC",
            d.table()
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(DeliveryRow {
                id: r.get(0)?,
                file: r.get(1)?,
                status: r.get(2)?,
                created_by: r.get(3)?,
                created_at: r.get(4)?,
                confirmed_by: r.get(5)?,
                confirmed_at: r.get(6)?,
                claims: r.get::<_, i64>(7)? as u64,
                lines: r.get::<_, i64>(8)? as u64,
                total: r.get(9)?,
                file_outdated: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Admin: the file was not sent; its claims are released and may be exported again.
    pub(crate) fn cancel_delivery(&mut self, actor: &Actor, d: Delivery, id: i64) -> Result<()> {
        self.require(actor, d.action(), &d.entity(id))?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let (status, uid, _) = d.row(&tx, id)?;
        if status != "exported" {
            return Err(d.not_exported(Step::Cancel, id, &status));
        }
        let ids = d.live_claims(&tx, id)?;
        let mut ops = OpWriter::begin(&tx)?;
        for external_id in &ids {
            match apply_local(&tx, &mut ops, &author, actor, external_id, None, d.release(&uid)) {
                // Not reserved for it any more (the server gave it to another one): nothing to release.
                Ok(_) | Err(StoreError::Refused(_)) => {}
                Err(e) => return Err(e),
            }
        }
        tx.execute(&format!("UPDATE {} SET status = 'cancelled' WHERE id = ?1", d.table()), [id])?;
        tx.execute(&format!("UPDATE {} SET live = 0 WHERE {} = ?1", d.items(), d.item_key()), [id])?;
        team_op_in_tx(&tx, &mut ops, &author, actor, &d.entity(&uid), &d.cancel_op(&uid))?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// A reservation the sync server refused (another payout or fulfilment has
/// the claim): the claim leaves this desktop's delivery, whose file then
/// lists one claim too many and must be written again before it is confirmed.
pub(crate) fn reservation_refused(tx: &Transaction<'_>, reserve_op: &str, reason: &str) -> Result<()> {
    for d in [Delivery::Payout, Delivery::Fulfilment] {
        let (items, key) = (d.items(), d.item_key());
        let held: Option<i64> = tx
            .query_row(
                &format!("SELECT {key} FROM {items} WHERE reserve_op = ?1 AND live = 1"),
                [reserve_op],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = held else { continue };
        tx.execute(
            &format!("UPDATE {items} SET live = 0, dropped_reason = ?2 WHERE reserve_op = ?1"),
            params![reserve_op, reason],
        )?;
        let lines = match d {
            Delivery::Payout => String::new(),
            Delivery::Fulfilment => format!(
                ", lines = (SELECT coalesce(sum(lines), 0) FROM {items} WHERE {key} = ?1 AND live = 1)"
            ),
        };
        tx.execute(
            &format!(
                "UPDATE {table} SET file_outdated = 1,
                     claims = (SELECT count(*) FROM {items} WHERE {key} = ?1 AND live = 1),
                     total = (SELECT coalesce(sum(amount), 0) FROM {items} WHERE {key} = ?1 AND live = 1){lines}
                 WHERE id = ?1 AND status = 'exported'",
                table = d.table()
            ),
            [id],
        )?;
    }
    Ok(())
}

/// Writes a delivery's file through a temporary name, so that a failure
/// never leaves a half-written file under the requested name.
pub(crate) fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&std::path::Path) -> Result<()>,
) -> Result<()> {
    let tmp = path.with_extension("partial");
    if let Err(e) = write(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}
