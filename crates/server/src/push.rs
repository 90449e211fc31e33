//! Storing a pushed page: one transaction, a handful of round trips whatever
//! the page size (duplicate lookup, recommendation lookup, one UNNEST insert,
//! one projection upsert).

use std::collections::{HashMap, HashSet};

use claimdesk_sync::protocol::{PushOutcome, PushResult, WireOp};
use deadpool_postgres::Client;
use uuid::Uuid;

use crate::auth::Session;
use crate::db::LOCK_PUSH;
use crate::error::ServerError;
use crate::rules::{Checker, RecInfo};

fn needs_recommendation(kind: &str) -> bool {
    matches!(kind, "claim.recommend" | "claim.approve" | "claim.resolve_conflict")
}

/// Stores the ops that pass the checks and answers one result per op, in order.
pub async fn store_page(
    client: &mut Client,
    session: &Session,
    ops: &[WireOp],
    now_ms: i64,
    max_clock_ahead_ms: u64,
) -> Result<Vec<PushResult>, ServerError> {
    let actor = session.actor();
    let tx = client.transaction().await?;
    // Pushes commit one at a time, in sequence order: a pull never skips an op
    // that commits later with a lower seq (docs/decisions/0006-server-stack.md).
    let lock = tx.prepare_cached("SELECT pg_advisory_xact_lock($1)").await?;
    tx.execute(&lock, &[&LOCK_PUSH]).await?;

    let ids: Vec<Uuid> = ops.iter().filter_map(|o| Uuid::parse_str(&o.op_id).ok()).collect();
    let known_stmt = tx.prepare_cached("SELECT op_id, seq FROM ops WHERE op_id = ANY($1)").await?;
    let known: HashMap<Uuid, i64> =
        tx.query(&known_stmt, &[&ids]).await?.iter().map(|r| (r.get::<_, Uuid>(0), r.get::<_, i64>(1))).collect();

    let entities: Vec<&str> = ops
        .iter()
        .filter(|o| needs_recommendation(&o.kind))
        .map(|o| o.entity.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut recs: HashMap<String, RecInfo> = HashMap::new();
    if !entities.is_empty() {
        let stmt = tx
            .prepare_cached("SELECT entity, op_id::text, hlc, device, author, decision::text FROM claim_recommendations WHERE entity = ANY($1)")
            .await?;
        for r in tx.query(&stmt, &[&entities]).await? {
            let decision: serde_json::Value = serde_json::from_str(r.get::<_, &str>(5)).unwrap_or_default();
            recs.insert(
                r.get(0),
                RecInfo { op_id: r.get(1), hlc: r.get(2), device: r.get(3), author: r.get(4), decision },
            );
        }
    }
    let recs_before = recs.clone();

    enum Slot {
        Done(PushOutcome),
        /// Index into the insert batch.
        Insert(usize),
    }
    let mut slots = Vec::with_capacity(ops.len());
    let mut batch: Vec<&WireOp> = Vec::new();
    let mut in_batch: HashMap<&str, usize> = HashMap::new();
    {
        let mut checker = Checker { actor: &actor, now_ms, max_clock_ahead_ms, recs: &mut recs };
        for op in ops {
            if let Some(seq) = Uuid::parse_str(&op.op_id).ok().and_then(|id| known.get(&id)) {
                slots.push(Slot::Done(PushOutcome::Duplicate { seq: *seq }));
                continue;
            }
            if let Some(&i) = in_batch.get(op.op_id.as_str()) {
                slots.push(Slot::Insert(i));
                continue;
            }
            match checker.check(op) {
                Ok(()) => {
                    in_batch.insert(op.op_id.as_str(), batch.len());
                    slots.push(Slot::Insert(batch.len()));
                    batch.push(op);
                }
                Err(r) => slots.push(Slot::Done(PushOutcome::Rejected { code: r.code, reason: r.reason })),
            }
        }
    }

    let mut seqs: HashMap<Uuid, i64> = HashMap::new();
    if !batch.is_empty() {
        let mut op_id = Vec::with_capacity(batch.len());
        let mut hlc = Vec::with_capacity(batch.len());
        let mut author = Vec::with_capacity(batch.len());
        let mut device = Vec::with_capacity(batch.len());
        let mut entity = Vec::with_capacity(batch.len());
        let mut kind = Vec::with_capacity(batch.len());
        let mut payload = Vec::with_capacity(batch.len());
        let mut base = Vec::with_capacity(batch.len());
        let mut at_ms = Vec::with_capacity(batch.len());
        for o in &batch {
            op_id.push(Uuid::parse_str(&o.op_id).unwrap_or_default());
            hlc.push(o.hlc);
            author.push(o.user.as_str());
            device.push(o.device.as_str());
            entity.push(o.entity.as_str());
            kind.push(o.kind.as_str());
            payload.push(o.payload.to_string());
            base.push(o.base);
            at_ms.push(o.at_ms);
        }
        let insert = tx
            .prepare_cached(
                "INSERT INTO ops (op_id, hlc, author, device, entity, kind, payload, base, at_ms)
                 SELECT op_id, hlc, author, device, entity, kind, payload::jsonb, base, at_ms
                 FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[])
                      WITH ORDINALITY AS t(op_id, hlc, author, device, entity, kind, payload, base, at_ms, n)
                 ORDER BY n
                 ON CONFLICT (op_id) DO NOTHING
                 RETURNING op_id, seq",
            )
            .await?;
        let rows = tx
            .query(&insert, &[&op_id, &hlc, &author, &device, &entity, &kind, &payload, &base, &at_ms])
            .await?;
        for r in rows {
            seqs.insert(r.get(0), r.get(1));
        }
    }

    // The latest recommendation of each claim whose one changed in this page.
    let changed: Vec<&RecInfo> =
        recs.iter().filter(|(e, r)| recs_before.get(*e) != Some(*r)).map(|(_, r)| r).collect();
    if !changed.is_empty() {
        let mut entity = Vec::new();
        let mut op_id = Vec::new();
        let mut hlc = Vec::new();
        let mut device = Vec::new();
        let mut author = Vec::new();
        let mut decision = Vec::new();
        let mut seq = Vec::new();
        for (e, r) in recs.iter().filter(|(e, r)| recs_before.get(*e) != Some(*r)) {
            let Some(s) = Uuid::parse_str(&r.op_id).ok().and_then(|u| seqs.get(&u)) else { continue };
            entity.push(e.as_str());
            op_id.push(Uuid::parse_str(&r.op_id).unwrap_or_default());
            hlc.push(r.hlc);
            device.push(r.device.as_str());
            author.push(r.author.as_str());
            decision.push(r.decision.to_string());
            seq.push(*s);
        }
        let upsert = tx
            .prepare_cached(
                "INSERT INTO claim_recommendations (entity, op_id, hlc, device, author, decision, seq)
                 SELECT entity, op_id, hlc, device, author, decision::jsonb, seq
                 FROM unnest($1::text[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[])
                      AS t(entity, op_id, hlc, device, author, decision, seq)
                 ON CONFLICT (entity) DO UPDATE SET op_id = EXCLUDED.op_id, hlc = EXCLUDED.hlc, device = EXCLUDED.device,
                     author = EXCLUDED.author, decision = EXCLUDED.decision, seq = EXCLUDED.seq",
            )
            .await?;
        tx.execute(&upsert, &[&entity, &op_id, &hlc, &device, &author, &decision, &seq]).await?;
    }
    tx.commit().await?;

    let results = ops
        .iter()
        .zip(slots)
        .map(|(op, slot)| {
            let outcome = match slot {
                Slot::Done(o) => o,
                Slot::Insert(i) => {
                    let id = Uuid::parse_str(&batch[i].op_id).unwrap_or_default();
                    match seqs.get(&id) {
                        Some(seq) if std::ptr::eq(batch[i], op) => PushOutcome::Accepted { seq: *seq },
                        Some(seq) => PushOutcome::Duplicate { seq: *seq },
                        None => PushOutcome::Rejected {
                            code: "internal".into(),
                            reason: "the server could not store this change; it will be sent again".into(),
                        },
                    }
                }
            };
            PushResult { op_id: op.op_id.clone(), outcome }
        })
        .collect();
    Ok(results)
}
