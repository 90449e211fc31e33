//! The review queue: filtered, sorted pages of claims, fast at any page of a
//! million-claim store (the page's ids come from a covering index scan, then
//! only those rows are read), and the same filter drives bulk actions.

use claimdesk_core::msg;
use claimdesk_core::{Category, ClaimStatus, Reason, Remedy, ReportType};
use rusqlite::types::ToSql;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::{search, Store};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct QueueFilter {
    pub statuses: Vec<ClaimStatus>,
    pub categories: Vec<Category>,
    pub services: Vec<String>,
    /// A user id; "" means unassigned.
    pub assignee: Option<String>,
    /// Bounds on the policy amount, whole won, inclusive.
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub eligible: Option<bool>,
    pub remedies: Vec<Remedy>,
    pub reasons: Vec<Reason>,
    /// Report types (damage claim, inquiry, opinion, complaint).
    pub report_types: Vec<ReportType>,
    /// Reason codes the claims carry now (a denial's, an open request's, a closure's; LEGACY).
    pub reason_codes: Vec<String>,
    /// Only recommendations that override the policy.
    pub overrides_only: bool,
    /// Only claims the policy or a reviewer marked as duplicates.
    pub duplicates_only: bool,
    /// Claims carrying every one of these tags.
    pub tags: Vec<String>,
    pub priority: Option<String>,
    pub batch_id: Option<String>,
    /// Full-text search in names and descriptions (search.rs).
    pub text: Option<String>,
    /// The incident; None: the store's current one (every list is of one incident).
    pub incident: Option<String>,
    /// Requests for information in this state of the cure clock (open,
    /// reminder due, overdue), by this desktop's today.
    pub due: Option<claimdesk_core::model::DueState>,
    /// The due state's dates, set by the store when it scopes the filter
    /// (today, the incident's cure window); a value given is replaced.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    #[doc(hidden)]
    pub due_bounds: Option<crate::cure::DueBounds>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    ReceivedAt,
    /// The policy's amount.
    Amount,
    ClaimedAmount,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// One line of the queue. Names are shown; phone, BRN and account are not.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueueRow {
    pub external_id: String,
    pub received_at: i64,
    pub category: String,
    pub name: String,
    pub service: String,
    pub status: String,
    pub priority: String,
    pub assignee: Option<String>,
    pub claimed_amount: Option<i64>,
    pub eligible: Option<bool>,
    pub reason: Option<String>,
    pub remedy: Option<String>,
    pub amount: Option<i64>,
    pub tags: Vec<String>,
    pub is_override: bool,
    pub version: i64,
    pub report_type: String,
    pub reason_code: Option<String>,
    /// The due date of the request for information it waits for (YYYY-MM-DD,
    /// the window's extension applied), None unless it waits for one.
    pub due_on: Option<String>,
    /// Where that due date stands by this desktop's today (None with no request).
    pub due_state: Option<claimdesk_core::model::DueState>,
    /// The day that request was made (what the extension is decided on).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    requested_on: Option<String>,
}

impl QueueRow {
    /// The row's due date moved by the incident's extension of the window,
    /// and where it stands on `today`.
    fn clock(&mut self, window: &claimdesk_core::policy::CureWindow, today: chrono::NaiveDate) {
        let day = |d: &Option<String>| d.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok());
        if let (Some(asked), Some(due)) = (day(&self.requested_on), day(&self.due_on)) {
            let due = window.extended(asked, due);
            self.due_on = Some(due.to_string());
            self.due_state = Some(window.state(due, today));
        }
    }
}

/// The rows' cure clocks (the window read once for the rows, only when one
/// of them waits for information).
fn clock_all(conn: &rusqlite::Connection, rows: &mut [QueueRow], incident: &str) -> Result<()> {
    if rows.iter().any(|r| r.due_on.is_some()) {
        let (window, today) = (crate::cure::window(conn, incident), crate::cure::today(conn)?);
        rows.iter_mut().for_each(|r| r.clock(&window, today));
    }
    Ok(())
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: u64,
    pub offset: u64,
    /// How many claims at the head of the whole result the search text names
    /// exactly (its 접수번호, phone or BRN: [`Lookup`]); the text's word
    /// matches follow them. 0 without a search text.
    pub exact: u64,
}

/// What a search text may name exactly, besides its words: a claim by its
/// 접수번호, or every claim of a phone or a BRN, in any spelling people type
/// (010-1234-5678, +82 10 1234 5678, 220-81-62517, 2208162517: the intake's
/// own readers, so the values are those the store holds).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Lookup {
    external_ids: Vec<String>,
    phone: Option<String>,
    brn: Option<String>,
}

/// Most claims a lookup puts ahead of the word matches (one claimant's claims
/// across services and incidents are far fewer).
const MAX_EXACT: usize = 1_000;

impl Lookup {
    pub(crate) fn of(text: &str) -> Lookup {
        let t = text.trim();
        let mut external_ids = Vec::new();
        // A 접수번호 is one token; ids are compared as written and upper-cased
        // (people read D22-… aloud and type d22-…).
        if !t.is_empty() && !t.contains(char::is_whitespace) && t.len() <= 64 {
            external_ids.push(t.to_string());
            let upper = t.to_uppercase();
            if upper != t {
                external_ids.push(upper);
            }
        }
        Lookup {
            external_ids,
            phone: claimdesk_core::validate::parse_phone(t).ok(),
            brn: claimdesk_core::validate::normalize_brn(t).ok(),
        }
    }

    fn is_empty(&self) -> bool {
        self.external_ids.is_empty() && self.phone.is_none() && self.brn.is_none()
    }

    /// The condition and its parameters.
    fn condition(&self) -> (String, Vec<Box<dyn ToSql>>) {
        let mut terms = Vec::new();
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        if !self.external_ids.is_empty() {
            terms.push(format!("external_id IN ({})", vec!["?"; self.external_ids.len()].join(", ")));
            params.extend(self.external_ids.iter().map(|id| Box::new(id.clone()) as Box<dyn ToSql>));
        }
        if let Some(phone) = &self.phone {
            terms.push("phone = ?".to_string());
            params.push(Box::new(phone.clone()));
        }
        if let Some(brn) = &self.brn {
            terms.push("brn = ?".to_string());
            params.push(Box::new(brn.clone()));
        }
        (format!("({})", terms.join(" OR ")), params)
    }
}

const ROW_COLUMNS: &str =
    "external_id, received_at, category, name, service, status, priority, assignee, claimed_amount, eligible,
    reason, remedy, amount, tags, is_override, version, report_type, reason_code, due_on, requested_on";

fn queue_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueRow> {
    let tags: String = r.get(13)?;
    Ok(QueueRow {
        external_id: r.get(0)?,
        received_at: r.get(1)?,
        category: r.get(2)?,
        name: r.get(3)?,
        service: r.get(4)?,
        status: r.get(5)?,
        priority: r.get(6)?,
        assignee: r.get(7)?,
        claimed_amount: r.get(8)?,
        eligible: r.get(9)?,
        reason: r.get(10)?,
        remedy: r.get(11)?,
        amount: r.get(12)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        is_override: r.get(14)?,
        version: r.get(15)?,
        report_type: r.get(16)?,
        reason_code: r.get(17)?,
        due_on: r.get(18)?,
        due_state: None,
        requested_on: r.get(19)?,
    })
}

/// Most rows one page may ask for.
pub const MAX_PAGE: u64 = 1_000;

/// A WHERE clause with its parameters.
pub(crate) struct Where {
    pub sql: String,
    pub params: Vec<Box<dyn ToSql>>,
}

impl Where {
    fn push(&mut self, clause: &str) {
        self.sql.push_str(if self.sql.is_empty() { " WHERE " } else { " AND " });
        self.sql.push_str(clause);
    }

    fn any_of(&mut self, column: &str, values: Vec<String>) {
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        self.push(&format!("{column} IN ({marks})"));
        self.params.extend(values.into_iter().map(|v| Box::new(v) as Box<dyn ToSql>));
    }

    pub fn param_refs(&self) -> Vec<&dyn ToSql> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

/// The filter's search text, if it has one that is not blank.
fn search_text(f: &QueueFilter) -> Option<&str> {
    f.text.as_deref().filter(|t| !t.trim().is_empty())
}

/// The filter as one WHERE clause: what [`Store::queue_page`] lists, for
/// counts and bulk actions (a search text matches its exact lookups or its words).
pub(crate) fn where_clause(f: &QueueFilter) -> Result<Where> {
    let mut w = filters_without_text(f);
    let Some(text) = search_text(f) else { return Ok(w) };
    let lookup = Lookup::of(text);
    let mut terms = Vec::new();
    if !lookup.is_empty() {
        let (condition, params) = lookup.condition();
        terms.push(condition);
        w.params.extend(params);
    }
    if let Some(expr) = search::match_expression(text) {
        terms.push("claims.id IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?)".to_string());
        w.params.push(Box::new(search::match_in(&expr, None)));
    }
    if terms.is_empty() {
        return Err(StoreError::Invalid(msg!("store.search_empty", text = text)));
    }
    w.push(&format!("({})", terms.join(" OR ")));
    Ok(w)
}

fn filters_without_text(f: &QueueFilter) -> Where {
    let mut w = Where { sql: String::new(), params: Vec::new() };
    // First, as the queue's indexes lead with it.
    if let Some(incident) = &f.incident {
        w.push("incident_id = ?");
        w.params.push(Box::new(incident.clone()));
    }
    w.any_of("status", f.statuses.iter().map(|s| s.code().to_string()).collect());
    w.any_of("category", f.categories.iter().map(|c| c.code().to_string()).collect());
    w.any_of("service", f.services.clone());
    w.any_of("remedy", f.remedies.iter().map(|r| r.code().to_string()).collect());
    w.any_of("reason", f.reasons.iter().map(|r| r.code().to_string()).collect());
    w.any_of("report_type", f.report_types.iter().map(|t| t.code().to_string()).collect());
    w.any_of("reason_code", f.reason_codes.clone());
    match f.assignee.as_deref() {
        Some("") => w.push("assignee IS NULL"),
        Some(user) => {
            w.push("assignee = ?");
            w.params.push(Box::new(user.to_string()));
        }
        None => {}
    }
    if let Some(min) = f.amount_min {
        w.push("amount >= ?");
        w.params.push(Box::new(min));
    }
    if let Some(max) = f.amount_max {
        w.push("amount <= ?");
        w.params.push(Box::new(max));
    }
    if let Some(e) = f.eligible {
        w.push("eligible = ?");
        w.params.push(Box::new(e));
    }
    if f.overrides_only {
        w.push("is_override = 1");
    }
    if f.duplicates_only {
        w.push("(reason = 'DUPLICATE' OR duplicate_of IS NOT NULL)");
    }
    for tag in &f.tags {
        w.push("EXISTS (SELECT 1 FROM json_each(claims.tags) WHERE value = ?)");
        w.params.push(Box::new(tag.clone()));
    }
    if let Some(p) = &f.priority {
        w.push("priority = ?");
        w.params.push(Box::new(p.clone()));
    }
    if let Some(b) = &f.batch_id {
        w.push("batch_id = ?");
        w.params.push(Box::new(b.clone()));
    }
    if let Some(due) = &f.due_bounds {
        // Through the partial index of open requests; the extension's day is
        // bound once per mention (positional parameters cannot be reused here).
        w.push("due_on IS NOT NULL");
        let ext = || Box::new(due.extended_until.clone()) as Box<dyn ToSql>;
        let effective = crate::cure::effective_due_sql("?");
        for (op, bound) in [(">=", &due.from), ("<=", &due.to)] {
            if let Some(day) = bound {
                w.push(&format!("{effective} {op} ?"));
                w.params.extend([ext(), ext(), ext(), Box::new(day.clone()) as Box<dyn ToSql>]);
            }
        }
    }
    w
}

fn order_by(sort: Sort) -> String {
    let column = match sort.key {
        SortKey::ReceivedAt => "received_at",
        SortKey::Amount => "amount",
        SortKey::ClaimedAmount => "claimed_amount",
    };
    let dir = if sort.descending { "DESC" } else { "ASC" };
    format!("{column} {dir}, id {dir}")
}

impl Store {
    /// The filter within its incident (named, or the current one). The
    /// condition stays even when the store has one incident: the queue
    /// indexes lead with `incident_id`, and without it a status, category and
    /// service filter could only skip-scan them (p99 6.6 ms at 200,000 claims,
    /// and far worse at 1,000,000).
    pub(crate) fn scoped(&self, filter: &QueueFilter) -> Result<QueueFilter> {
        let incident = self.resolve_incident(filter.incident.as_deref())?;
        let due_bounds = match filter.due {
            Some(state) => Some(crate::cure::DueBounds::of(
                state,
                &crate::cure::window(self.conn(), &incident),
                crate::cure::today(self.conn())?,
            )),
            None => None,
        };
        Ok(QueueFilter { incident: Some(incident), due_bounds, ..filter.clone() })
    }

    /// One page of the queue and the number of claims the filter matches.
    /// Search results (a filter with text) come newest intake first: the
    /// search index hands out matches in that order, so the first page and
    /// the count cost the same whatever the number of matches.
    pub fn queue_page(&self, filter: &QueueFilter, sort: Sort, offset: u64, limit: u64) -> Result<QueuePage> {
        let filter = &self.scoped(filter)?;
        let limit = limit.clamp(1, MAX_PAGE);
        let Some(text) = search_text(filter) else {
            let w = filters_without_text(filter);
            let sql = format!(
                "SELECT id FROM claims{} ORDER BY {} LIMIT {limit} OFFSET {offset}",
                w.sql,
                order_by(sort)
            );
            let ids = self.ids_of(&sql, &w)?;
            return Ok(QueuePage {
                rows: self.rows_of(&ids, filter)?,
                total: self.queue_count(filter)?,
                offset,
                exact: 0,
            });
        };
        // Exact matches (a 접수번호, a phone, a BRN) first, then the word matches without them.
        let exact = self.exact_ids(filter, &Lookup::of(text))?;
        let words = search::match_expression(text);
        if words.is_none() && exact.is_empty() {
            return Err(StoreError::Invalid(msg!("store.search_empty", text = text)));
        }
        let skip = (offset as usize).min(exact.len());
        let mut ids: Vec<i64> = exact.iter().skip(skip).take(limit as usize).copied().collect();
        let mut total = exact.len() as u64;
        if let Some(words) = words {
            // Within the incident alone the index answers by itself, in rowid
            // order; other filters read each match's claims row (the join).
            let others = filters_without_text(&QueueFilter { incident: None, ..filter.clone() });
            let joined = !others.sql.is_empty();
            let (mut w, expr) = match filter.incident.as_deref() {
                Some(incident) if !joined => {
                    let scope = self.has_claims_outside(incident)?.then_some(incident);
                    (others, search::match_in(&words, scope))
                }
                _ => (filters_without_text(filter), search::match_in(&words, None)),
            };
            // Parameters: the filters' first, then the search expression.
            let mut condition = if joined {
                format!("{} AND claims_fts MATCH ?", w.sql)
            } else {
                " WHERE claims_fts MATCH ?".into()
            };
            if !exact.is_empty() {
                // Row ids are integers from the store itself: safe to write inline.
                let list: Vec<String> = exact.iter().map(i64::to_string).collect();
                condition.push_str(&format!(" AND claims_fts.rowid NOT IN ({})", list.join(",")));
            }
            let from =
                if joined { "claims_fts JOIN claims ON claims.id = claims_fts.rowid" } else { "claims_fts" };
            w.params.push(Box::new(expr));
            let matches: i64 = self
                .conn()
                .prepare_cached(&format!("SELECT count(*) FROM {from}{condition}"))?
                .query_row(w.param_refs().as_slice(), |r| r.get(0))?;
            total += matches as u64;
            let room = limit - ids.len() as u64;
            if room > 0 {
                let word_offset = offset - skip as u64;
                let sql = format!(
                    "SELECT claims_fts.rowid AS id FROM {from}{condition}
                     ORDER BY claims_fts.rowid DESC LIMIT {room} OFFSET {word_offset}"
                );
                ids.extend(self.ids_of(&sql, &w)?);
            }
        }
        Ok(QueuePage { rows: self.rows_of(&ids, filter)?, total, offset, exact: exact.len() as u64 })
    }

    /// Whether any claim belongs to another incident than this one (two
    /// seeks of the incident index): if none, a search needs no incident term.
    fn has_claims_outside(&self, incident: &str) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM claims WHERE incident_id < ?1)
                 OR EXISTS (SELECT 1 FROM claims WHERE incident_id > ?1)",
            )?
            .query_row([incident], |r| r.get(0))?)
    }

    /// The ids of the claims within the filter that the lookup names, newest first.
    fn exact_ids(&self, filter: &QueueFilter, lookup: &Lookup) -> Result<Vec<i64>> {
        if lookup.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = filters_without_text(filter);
        let (condition, params) = lookup.condition();
        w.push(&condition);
        w.params.extend(params);
        let sql =
            format!("SELECT id FROM claims{} ORDER BY received_at DESC, id DESC LIMIT {MAX_EXACT}", w.sql);
        self.ids_of(&sql, &w)
    }

    fn ids_of(&self, sql: &str, w: &Where) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(w.param_refs().as_slice(), |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The rows of these ids, in their order: one point lookup each.
    fn rows_of(&self, ids: &[i64], scoped: &QueueFilter) -> Result<Vec<QueueRow>> {
        let mut stmt =
            self.conn().prepare_cached(&format!("SELECT {ROW_COLUMNS} FROM claims WHERE id = ?1"))?;
        let mut rows = ids.iter().map(|id| stmt.query_row([id], queue_row)).collect::<Result<Vec<_>, _>>()?;
        clock_all(self.conn(), &mut rows, scoped.incident.as_deref().unwrap_or_default())?;
        Ok(rows)
    }

    /// How many claims the filter matches.
    pub fn queue_count(&self, filter: &QueueFilter) -> Result<u64> {
        let w = where_clause(&self.scoped(filter)?)?;
        let mut stmt = self.conn().prepare_cached(&format!("SELECT count(*) FROM claims{}", w.sql))?;
        Ok(stmt.query_row(w.param_refs().as_slice(), |r| r.get::<_, i64>(0))? as u64)
    }

    /// Every row the filter matches in the sort's order (a search text too:
    /// by the sort, not exact matches first), one at a time, for exports.
    pub(crate) fn for_each_row(
        &self,
        filter: &QueueFilter,
        sort: Sort,
        mut f: impl FnMut(&QueueRow) -> Result<()>,
    ) -> Result<u64> {
        let scoped = self.scoped(filter)?;
        let w = where_clause(&scoped)?;
        let window = crate::cure::window(self.conn(), scoped.incident.as_deref().unwrap_or_default());
        let today = crate::cure::today(self.conn())?;
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM claims{} ORDER BY {}",
            w.sql,
            order_by(sort)
        ))?;
        let mut rows = stmt.query(w.param_refs().as_slice())?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let mut row = queue_row(r)?;
            row.clock(&window, today);
            f(&row)?;
            n += 1;
        }
        Ok(n)
    }

    /// The external ids of every claim the filter matches (for bulk actions).
    pub fn queue_ids(&self, filter: &QueueFilter) -> Result<Vec<String>> {
        let w = where_clause(&self.scoped(filter)?)?;
        let mut stmt =
            self.conn().prepare(&format!("SELECT external_id FROM claims{} ORDER BY external_id", w.sql))?;
        let rows = stmt.query_map(w.param_refs().as_slice(), |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The other claims of the same claimant for the same service in the same incident, side by side.
    pub fn duplicate_group(&self, external_id: &str) -> Result<Vec<QueueRow>> {
        let (key, service, incident): (Option<String>, String, String) = self
            .conn()
            .query_row(
                "SELECT claimant_key, service, incident_id FROM claims WHERE external_id = ?1",
                [external_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let Some(key) = key else { return Ok(Vec::new()) };
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM claims WHERE claimant_key = ?1 AND service = ?2 AND incident_id = ?3
             ORDER BY received_at, external_id"
        ))?;
        let mut rows =
            stmt.query_map([&key, &service, &incident], queue_row)?.collect::<Result<Vec<_>, _>>()?;
        clock_all(self.conn(), &mut rows, &incident)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportOptions;

    /// The queue's filters reach SQLite as the prefix of its indexes, which
    /// lead with the incident: a store of one incident too (without the
    /// condition a status + category + service filter could only skip-scan
    /// them, which made a queue page of a large store slow).
    #[test]
    fn a_filter_of_a_single_incident_store_searches_the_queue_index_by_its_prefix() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open(&dir.path().join("s.db")).expect("store");
        let admin = store.actor("admin").expect("admin");
        let file = dir.path().join("in.csv");
        std::fs::write(
            &file,
            "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description
T-001,2022-10-19T09:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,60000,180000,,,호출이 안 됐습니다
T-002,2022-10-22 12:00,free_user,박무료,010-4444-5555,,kakaotalk,2022-10-15 15:30,2022-10-16 01:31,,,,,메시지가 안 갔어요
",
        )
        .expect("file");
        store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
        let filter = QueueFilter {
            statuses: vec![ClaimStatus::New],
            categories: vec![Category::TaxiDriver],
            services: vec!["kakao_t".into()],
            ..QueueFilter::default()
        };
        let w = where_clause(&store.scoped(&filter).expect("scoped")).expect("where");
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN SELECT count(*) FROM claims{}", w.sql))
            .expect("plan");
        let plan: Vec<String> = stmt
            .query_map(w.param_refs().as_slice(), |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<std::result::Result<_, _>>()
            .expect("plan rows");
        assert!(
            plan.iter().any(|d| d.contains("INDEX claims_queue_")
                && d.contains("incident_id=? AND status=? AND category=? AND service=?")),
            "{plan:?}"
        );
        assert_eq!(store.queue_count(&filter).expect("count"), 1);
    }
}
