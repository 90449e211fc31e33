//! The evaluation of policy.md: the checks in order, the duplicate rule over
//! the whole set, then the remedy of the category. One code path serves
//! `evaluate_all` (no tracing, no allocation per claim) and `explain` (the
//! same path with a tracer that writes the steps).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::{normalized, GrantRule, Policy, SegmentFallback, Segments};
use super::explain::{Step, Tracer};
use crate::grant::{self, Grant};
use crate::model::{claimant_key, Category, ClaimInput, Reason, Remedy};
use crate::validate::brn_is_valid;

/// What the policy reads of a claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyInput {
    pub external_id: String,
    pub received_at: DateTime<Utc>,
    pub category: Category,
    /// A service code, matched exactly against the policy's catalog.
    pub service: String,
    /// Normalized (11 digits); the claimant key of individuals.
    pub phone: Option<String>,
    /// Normalized (10 digits); the claimant key of businesses.
    pub brn: Option<String>,
    pub damage_start: DateTime<Utc>,
    pub damage_end: DateTime<Utc>,
    pub claimed_amount: Option<Decimal>,
    pub daily_income: Option<Decimal>,
    pub documented_loss: Option<Decimal>,
    pub ad_spend: Option<Decimal>,
    /// The intake file's columns beyond the known ones, by header (a
    /// segment's column is read from here). Callers may leave it empty when
    /// the policy reads none ([`Policy::reads_extra_columns`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

impl PolicyInput {
    /// The claimant key of policy.md (phone for individuals, BRN for businesses).
    pub fn claimant_key(&self) -> Option<&str> {
        claimant_key(self.category, self.phone.as_deref(), self.brn.as_deref())
    }

    /// The key duplicates are grouped by: the claimant key, unless blank (a
    /// blank phone identifies no one, so it must not group strangers).
    pub(crate) fn group_key(&self) -> Option<&str> {
        self.claimant_key().filter(|k| !k.trim().is_empty())
    }

    /// "Claimed" of policy.md: the claimed amount when present and > 0.
    pub fn claimed(&self) -> Option<Decimal> {
        self.claimed_amount.filter(|c| *c > Decimal::ZERO)
    }
}

impl From<&ClaimInput> for PolicyInput {
    fn from(c: &ClaimInput) -> PolicyInput {
        PolicyInput {
            external_id: c.external_id.clone(),
            received_at: c.received_at,
            category: c.category,
            service: c.service.clone(),
            phone: c.phone.clone(),
            brn: c.brn.clone(),
            damage_start: c.damage_start,
            damage_end: c.damage_end,
            claimed_amount: c.claimed_amount,
            daily_income: c.daily_income,
            documented_loss: c.documented_loss,
            ad_spend: c.ad_spend,
            extra: c.extra.clone(),
        }
    }
}

/// The policy's result for one claim. `remedy`, `amount` and
/// `extension_days` are the evaluation table's columns (policy.md); when the
/// claim is given more than the one grant they describe, `grants` lists
/// every grant and those three are its summary ([`grant::summary`]: cash
/// when any grant is cash, the cash total, the extension days).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub eligible: bool,
    pub reason: Option<Reason>,
    pub remedy: Remedy,
    /// The cash, whole won (a multiple of 10 under the formulas); 0 without cash.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
    pub extension_days: u32,
    /// Every grant, when there is more than the one grant the three fields
    /// above describe; empty otherwise (always under the default policy).
    /// [`Outcome::grants`] lists them in both cases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
}

impl Outcome {
    pub fn ineligible(reason: Reason) -> Outcome {
        Outcome {
            eligible: false,
            reason: Some(reason),
            remedy: Remedy::None,
            amount: Decimal::ZERO,
            extension_days: 0,
            grants: Vec::new(),
        }
    }

    /// An eligible result of one grant in the single-remedy form (or manual review).
    pub fn eligible(remedy: Remedy, reason: Option<Reason>, amount: Decimal, extension_days: u32) -> Outcome {
        Outcome { eligible: true, reason, remedy, amount, extension_days, grants: Vec::new() }
    }

    /// An eligible result of these grants (kept compact, [`grant::compact`]).
    pub fn granted(grants: Vec<Grant>) -> Outcome {
        let (remedy, amount, days) = grant::summary(&grants);
        let grants = grant::compact(remedy, amount, days, grants);
        Outcome { eligible: true, reason: None, remedy, amount, extension_days: days, grants }
    }

    /// Every grant of the result (none when ineligible or sent to manual review).
    pub fn grants(&self) -> Vec<Grant> {
        if !self.eligible {
            return Vec::new();
        }
        grant::full(self.remedy, self.amount, self.extension_days, &self.grants)
    }
}

/// Evaluates every claim; the result is in input order. The duplicate rule
/// looks across the whole slice, so pass every claim that may share a
/// claimant key and service (the whole store, or whole groups).
pub fn evaluate_all(policy: &Policy, claims: &[PolicyInput]) -> Vec<Outcome> {
    let engine = Engine::new(policy);
    let mut checked: Vec<Checked> = claims.iter().map(|c| engine.check(c, &mut ())).collect();
    mark_duplicates(claims, &mut checked);
    claims
        .iter()
        .zip(&checked)
        .map(|(claim, check)| match *check {
            Checked::Failed(reason) => Outcome::ineligible(reason),
            Checked::Passed { overlap, .. } => engine.remedy(claim, overlap, &mut ()),
        })
        .collect()
}

pub(crate) const DAY_SECS: i64 = 86_400;

/// The result of checks 1-4 for one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    Failed(Reason),
    /// `service` indexes the policy's catalog; `overlap` is in whole seconds, > 0.
    Passed {
        service: u32,
        overlap: i64,
    },
}

/// The policy with its windows and catalog prepared for fast lookups.
pub(crate) struct Engine<'p> {
    pub(crate) policy: &'p Policy,
    filing_start: DateTime<Utc>,
    filing_end: DateTime<Utc>,
    services: HashMap<&'p str, u32, FastHash>,
    /// Outage window of each service, by catalog index, in UTC.
    pub(crate) outages: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Segments of taxi_driver, designated_driver, small_business, advertiser, prepared.
    segments: [Option<SegmentIndex<'p>>; 4],
}

/// A category's segments with their column names and values normalized once.
pub(crate) struct SegmentIndex<'p> {
    pub(crate) rule: &'p Segments,
    columns: Vec<String>,
    /// (normalized value, segment index).
    values: Vec<(String, usize)>,
}

impl<'p> SegmentIndex<'p> {
    fn new(rule: &'p Segments) -> SegmentIndex<'p> {
        let columns = rule.column.iter().map(|c| normalized(c).collect()).collect();
        let values = rule
            .segments
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.values.iter().map(move |v| (normalized(v).collect::<String>(), i)))
            .collect();
        SegmentIndex { rule, columns, values }
    }

    /// The claim's segment: the first listed column it has a non-blank value for.
    pub(crate) fn pick<'c>(&self, c: &'c PolicyInput) -> Pick<'c> {
        let found = self.columns.iter().find_map(|name| {
            c.extra.iter().find(|(k, v)| normalized(k).eq(name.chars()) && !v.trim().is_empty())
        });
        let Some((column, value)) = found else { return Pick::Missing };
        match self.values.iter().find(|(key, _)| normalized(value).eq(key.chars())) {
            Some(&(_, i)) => Pick::Found { column, value, segment: i },
            None => Pick::Unknown { column, value },
        }
    }
}

/// Which segment a claim is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick<'c> {
    Found {
        column: &'c str,
        value: &'c str,
        segment: usize,
    },
    /// No column of the rule, or only blank values.
    Missing,
    Unknown {
        column: &'c str,
        value: &'c str,
    },
}

fn segment_slot(category: Category) -> Option<usize> {
    match category {
        Category::TaxiDriver => Some(0),
        Category::DesignatedDriver => Some(1),
        Category::SmallBusiness => Some(2),
        Category::Advertiser => Some(3),
        _ => None,
    }
}

impl<'p> Engine<'p> {
    pub(crate) fn new(policy: &'p Policy) -> Engine<'p> {
        let mut services = HashMap::with_capacity_and_hasher(policy.services.len(), FastHash::default());
        let mut outages = Vec::with_capacity(policy.services.len());
        for (i, s) in policy.services.iter().enumerate() {
            // A repeated code (only in an unvalidated policy) keeps its first window.
            services.entry(s.code.as_str()).or_insert(i as u32);
            outages.push((s.outage_start_utc(), s.outage_end_utc()));
        }
        let index = |s: &'p Option<Segments>| s.as_ref().map(SegmentIndex::new);
        Engine {
            policy,
            filing_start: policy.filing_window.start.with_timezone(&Utc),
            filing_end: policy.filing_window.end.with_timezone(&Utc),
            services,
            outages,
            segments: [
                index(&policy.taxi_driver.segments),
                index(&policy.designated_driver.segments),
                index(&policy.small_business.segments),
                index(&policy.advertiser.segments),
            ],
        }
    }

    /// Checks 1-4 of policy.md, in order; the first that fails decides.
    pub(crate) fn check<T: Tracer>(&self, c: &PolicyInput, t: &mut T) -> Checked {
        if c.received_at < self.filing_start || c.received_at > self.filing_end {
            t.step(|| Step::filing_window(self, c, false));
            return Checked::Failed(Reason::FiledOutOfWindow);
        }
        t.step(|| Step::filing_window(self, c, true));
        let Some(&service) = self.services.get(c.service.as_str()) else {
            t.step(|| Step::unknown_service(c));
            return Checked::Failed(Reason::UnknownService);
        };
        let overlap = self.overlap(c, service);
        t.step(|| Step::overlap(self, c, service, overlap));
        if overlap == 0 {
            return Checked::Failed(Reason::NoOverlap);
        }
        if c.category.is_business() {
            let valid = c.brn.as_deref().is_some_and(brn_is_valid);
            t.step(|| Step::brn(c, valid));
            if !valid {
                return Checked::Failed(Reason::MissingBrn);
            }
        }
        Checked::Passed { service, overlap }
    }

    /// Seconds of [damage_start, damage_end] ∩ the service's outage window.
    pub(crate) fn overlap(&self, c: &PolicyInput, service: u32) -> i64 {
        let Some(&(start, end)) = self.outages.get(service as usize) else { return 0 };
        let from = c.damage_start.max(start);
        let to = c.damage_end.min(end);
        if to <= from {
            0
        } else {
            to.signed_duration_since(from).num_seconds()
        }
    }

    /// The remedy table of policy.md for a claim that passed every check,
    /// with the category's segments and further grants when the policy has them.
    pub(crate) fn remedy<T: Tracer>(&self, c: &PolicyInput, overlap: i64, t: &mut T) -> Outcome {
        let p = self.policy;
        match c.category {
            Category::FreeUser => {
                let rule = &p.free_user;
                if rule.voucher {
                    t.step(Step::voucher);
                }
                let own = rule.voucher.then(|| Grant::new(Remedy::Voucher, Decimal::ZERO, 1));
                self.with_grants(
                    own,
                    Outcome::eligible(Remedy::Voucher, None, Decimal::ZERO, 0),
                    &[&rule.grants],
                    t,
                )
            }
            Category::PaidSubscriber => {
                let rule = &p.paid_subscriber;
                let days = extension_days(rule.extension_multiplier, overlap);
                t.step(|| Step::extension(rule.extension_multiplier, overlap, days));
                let own = Grant::new(Remedy::Extension, Decimal::ZERO, days);
                self.with_grants(
                    Some(own),
                    Outcome::eligible(Remedy::Extension, None, Decimal::ZERO, days),
                    &[&rule.grants],
                    t,
                )
            }
            Category::TaxiDriver | Category::DesignatedDriver => {
                let rule =
                    if c.category == Category::TaxiDriver { &p.taxi_driver } else { &p.designated_driver };
                if let Some(out) = self.segmented(c, &rule.grants, t) {
                    return out;
                }
                let income = c.daily_income.filter(|d| *d > Decimal::ZERO);
                let base = match income {
                    // Multiply before dividing; an overflow can only mean "far above any cap".
                    Some(d) => Base::from(
                        d.checked_mul(Decimal::from(overlap)).and_then(|x| x.checked_div(DAY.into())),
                    ),
                    None => Base::Exact(rule.flat),
                };
                let amount = capped(base, rule.cap, c.claimed());
                t.step(|| Step::driver_cash(income, overlap, rule, base, c.claimed(), amount));
                self.cash(amount, &[&rule.grants], t)
            }
            Category::SmallBusiness => {
                let rule = &p.small_business;
                if let Some(out) = self.segmented(c, &rule.grants, t) {
                    return out;
                }
                let loss = c.claimed().unwrap_or(Decimal::ZERO);
                let base = match rule.bands.iter().find(|b| loss <= b.up_to) {
                    Some(band) => Base::Exact(band.base),
                    None => match c.documented_loss {
                        Some(doc) => documented_base(rule, doc),
                        None => {
                            t.step(|| Step::small_business_needs_evidence(rule, loss));
                            return Outcome::eligible(
                                Remedy::ManualReview,
                                Some(Reason::NeedsEvidence),
                                Decimal::ZERO,
                                0,
                            );
                        }
                    },
                };
                let amount = capped(base, rule.cap, c.claimed());
                t.step(|| {
                    Step::small_business_cash(rule, loss, c.documented_loss, base, c.claimed(), amount)
                });
                self.cash(amount, &[&rule.grants], t)
            }
            Category::Advertiser => {
                let rule = &p.advertiser;
                if let Some(out) = self.segmented(c, &rule.grants, t) {
                    return out;
                }
                match c.ad_spend.filter(|a| *a > Decimal::ZERO) {
                    Some(spend) => {
                        let amount = capped(Base::Exact(spend), rule.cap, c.claimed());
                        t.step(|| Step::advertiser_cash(spend, rule.cap, c.claimed(), amount));
                        self.cash(amount, &[&rule.grants], t)
                    }
                    None => {
                        t.step(Step::advertiser_needs_evidence);
                        Outcome::eligible(Remedy::ManualReview, Some(Reason::NeedsEvidence), Decimal::ZERO, 0)
                    }
                }
            }
            Category::Other => {
                t.step(Step::manual_review);
                Outcome::eligible(Remedy::ManualReview, Some(Reason::ManualReview), Decimal::ZERO, 0)
            }
        }
    }

    /// The result of a category with segments: the segment's flat amount (and
    /// its grants, then the category's), or manual review without a listed
    /// value. None: the category has no segments, or the claim falls back to
    /// the category's formula.
    fn segmented<T: Tracer>(
        &self,
        c: &PolicyInput,
        category_grants: &[GrantRule],
        t: &mut T,
    ) -> Option<Outcome> {
        let index = segment_slot(c.category).and_then(|i| self.segments.get(i)).and_then(Option::as_ref)?;
        let pick = index.pick(c);
        match pick {
            Pick::Found { segment, .. } => {
                let seg = index.rule.segments.get(segment)?;
                t.step(|| Step::segment(index, pick));
                Some(self.cash(seg.amount, &[&seg.grants, category_grants], t))
            }
            Pick::Missing | Pick::Unknown { .. } => {
                t.step(|| Step::segment(index, pick));
                match index.rule.otherwise {
                    SegmentFallback::Formula => None,
                    SegmentFallback::ManualReview => {
                        let reason = if pick == Pick::Missing {
                            Reason::SegmentMissing
                        } else {
                            Reason::SegmentUnknown
                        };
                        Some(Outcome::eligible(Remedy::ManualReview, Some(reason), Decimal::ZERO, 0))
                    }
                }
            }
        }
    }

    /// Cash of `amount` with the grants of `lists`.
    fn cash<T: Tracer>(&self, amount: Decimal, lists: &[&[GrantRule]], t: &mut T) -> Outcome {
        self.with_grants(
            Some(Grant::new(Remedy::Cash, amount, 0)),
            Outcome::eligible(Remedy::Cash, None, amount, 0),
            lists,
            t,
        )
    }

    /// The category's own grant (`own`, whose single-remedy result is
    /// `single`) and the grants of `lists`, each explained. Without further
    /// grants the result is `single` itself: nothing is allocated for it.
    fn with_grants<T: Tracer>(
        &self,
        own: Option<Grant>,
        single: Outcome,
        lists: &[&[GrantRule]],
        t: &mut T,
    ) -> Outcome {
        if lists.iter().all(|l| l.is_empty()) {
            return single;
        }
        let mut grants: Vec<Grant> = own.into_iter().collect();
        for rule in lists.iter().flat_map(|l| l.iter()) {
            let g = rule.grant();
            t.step(|| Step::grant(&g));
            grants.push(g);
        }
        Outcome::granted(grants)
    }
}

const DAY: i64 = DAY_SECS;

/// A base amount, or "too large for Decimal" (which every cap is below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    Exact(Decimal),
    Huge,
}

impl From<Option<Decimal>> for Base {
    fn from(v: Option<Decimal>) -> Base {
        v.map_or(Base::Huge, Base::Exact)
    }
}

/// max(min, base + (documented_loss − threshold) × rate), exactly.
fn documented_base(rule: &super::config::SmallBusinessRule, doc: Decimal) -> Base {
    let d = &rule.documented;
    match doc.checked_sub(d.threshold).and_then(|x| x.checked_mul(d.rate)).and_then(|x| x.checked_add(d.base))
    {
        Some(v) => Base::Exact(v.max(d.min)),
        // Overflow: a huge gain above the threshold, or a huge shortfall below it.
        None if (doc > d.threshold) == (d.rate > Decimal::ZERO) => Base::Huge,
        None => Base::Exact(d.min),
    }
}

/// floor10(min(base, cap, claimed)), claimed left out when None. Never negative:
/// only an unvalidated policy could make it so.
pub(crate) fn capped(base: Base, cap: Decimal, claimed: Option<Decimal>) -> Decimal {
    let mut x = match base {
        Base::Exact(b) => b.min(cap),
        Base::Huge => cap,
    };
    if let Some(c) = claimed {
        x = x.min(c);
    }
    floor10(x)
}

/// x rounded down to a multiple of 10 won (0 for negative x).
pub(crate) fn floor10(x: Decimal) -> Decimal {
    if x <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let ten = Decimal::TEN;
    x.checked_div(ten).and_then(|q| q.floor().checked_mul(ten)).unwrap_or(Decimal::ZERO)
}

/// ceil(multiplier × overlap / 86,400 s), saturating at u32::MAX.
pub(crate) fn extension_days(multiplier: Decimal, overlap: i64) -> u32 {
    let days = Decimal::from(overlap).checked_mul(multiplier).and_then(|x| x.checked_div(DAY.into()));
    match days {
        Some(d) if d <= Decimal::ZERO => 0,
        Some(d) => d.ceil().to_u32().unwrap_or(u32::MAX),
        None if multiplier > Decimal::ZERO && overlap > 0 => u32::MAX,
        None => 0,
    }
}

/// Earliest received first; a tie goes to the smallest external id (bytes).
pub(crate) fn earlier(a: &PolicyInput, b: &PolicyInput) -> Ordering {
    a.received_at.cmp(&b.received_at).then_with(|| a.external_id.as_bytes().cmp(b.external_id.as_bytes()))
}

/// Check 5, in place: every claim that passed checks 1-4 and is not the
/// winner of its (claimant key, service) group becomes `Failed(Duplicate)`.
///
/// Groups are found by sorting (hash of the key, index) pairs rather than
/// through a hash map: a map over a million keys is one cache miss per claim,
/// while a one-pass partition on the hash's top bits followed by small sorts
/// stays in cache. Equal hashes are re-checked on the real keys, so a hash
/// collision can never merge two claimants.
pub(crate) fn mark_duplicates(claims: &[PolicyInput], checked: &mut [Checked]) {
    let mut keyed: Vec<(u64, u32)> = Vec::new();
    for (i, (claim, check)) in claims.iter().zip(checked.iter()).enumerate() {
        let Checked::Passed { service, .. } = *check else { continue };
        // No key (an individual without a phone): nothing to be a duplicate of.
        let Some(key) = claim.group_key() else { continue };
        let Ok(i) = u32::try_from(i) else { break };
        keyed.push((group_hash(key, service), i));
    }
    sort_by_hash(&mut keyed);
    let key_of = |i: u32| -> Option<(&str, u32)> {
        let claim = claims.get(i as usize)?;
        match checked.get(i as usize) {
            Some(Checked::Passed { service, .. }) => Some((claim.group_key()?, *service)),
            _ => None,
        }
    };
    // Earliest received, then smallest external id, then first in the input
    // (only equal ids reach that, and ids are unique in a store).
    let by_arrival = |a: u32, b: u32| {
        match (claims.get(a as usize), claims.get(b as usize)) {
            (Some(x), Some(y)) => earlier(x, y),
            _ => Ordering::Equal,
        }
        .then(a.cmp(&b))
    };
    let mut losers: Vec<u32> = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < 2 {
            continue;
        }
        let first = key_of(run[0].1);
        if run.iter().all(|&(_, i)| key_of(i) == first) {
            let winner = run.iter().map(|&(_, i)| i).min_by(|&a, &b| by_arrival(a, b));
            losers.extend(run.iter().map(|&(_, i)| i).filter(|&i| Some(i) != winner));
            continue;
        }
        // A hash collision: split the run by real key.
        let mut rest: Vec<u32> = run.iter().map(|&(_, i)| i).collect();
        while let Some(&first) = rest.first() {
            let key = key_of(first);
            let (group, other): (Vec<u32>, Vec<u32>) = rest.iter().partition(|&&i| key_of(i) == key);
            let winner = group.iter().copied().min_by(|&a, &b| by_arrival(a, b));
            losers.extend(group.iter().copied().filter(|&i| Some(i) != winner));
            rest = other;
        }
    }
    for i in losers {
        if let Some(c) = checked.get_mut(i as usize) {
            *c = Checked::Failed(Reason::Duplicate);
        }
    }
}

fn group_hash(key: &str, service: u32) -> u64 {
    let mut h = FxLike::default();
    h.write(key.as_bytes());
    h.write_u32(service);
    h.finish()
}

/// Sorts (hash, index) pairs: partition on the top bits into cache-sized
/// buckets (one counting pass, one scatter), then sort each bucket.
fn sort_by_hash(v: &mut Vec<(u64, u32)>) {
    const BUCKET: usize = 512;
    if v.len() <= 4 * BUCKET {
        v.sort_unstable();
        return;
    }
    let bits = (v.len() / BUCKET).next_power_of_two().trailing_zeros().clamp(1, 16);
    let shift = 64 - bits;
    let mut starts = vec![0usize; (1usize << bits) + 1];
    for &(h, _) in v.iter() {
        if let Some(c) = starts.get_mut((h >> shift) as usize + 1) {
            *c += 1;
        }
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut next = starts.clone();
    let mut out = vec![(0u64, 0u32); v.len()];
    for &item in v.iter() {
        if let Some(pos) = next.get_mut((item.0 >> shift) as usize) {
            if let Some(slot) = out.get_mut(*pos) {
                *slot = item;
            }
            *pos += 1;
        }
    }
    for w in starts.windows(2) {
        if let Some(bucket) = out.get_mut(w[0]..w[1]) {
            bucket.sort_unstable();
        }
    }
    *v = out;
}

/// A small, fast hasher for short keys (phones, BRNs, service codes): FxHash
/// rounds with a final avalanche so that hashbrown's low and high bits are both good.
/// Keys come from the organisation's own store, so DoS resistance is not needed.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxLike {
    hash: u64,
}

type FastHash = BuildHasherDefault<FxLike>;

impl FxLike {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxLike {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3 fmix64
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}
