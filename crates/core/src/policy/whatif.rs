//! What-if: two policies over the same claims, their totals by category and
//! remedy and by kind of grant (cash and every non-cash kind), the
//! difference, and the claims whose outcome changes.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::Policy;
use super::evaluate::{evaluate_all, Outcome, PolicyInput};
use crate::model::{Category, Reason, Remedy};

/// Counts and totals of one evaluation.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub claims: u64,
    pub eligible: u64,
    pub ineligible: u64,
    /// Sum of cash amounts, won.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
    pub extension_days: u64,
    /// Every (category, remedy) that has at least one claim, in that order.
    pub groups: Vec<GroupTotal>,
    /// Claims by (eligible, reason); reason None = eligible without a reason.
    pub reasons: Vec<ReasonCount>,
    /// Every kind of grant given to at least one claim, in the order of the remedy codes.
    pub grants: Vec<GrantTotal>,
}

/// What one kind of grant adds up to over a set of claims.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantTotal {
    pub kind: Remedy,
    /// Claims given at least one grant of the kind.
    pub claims: u64,
    /// Grants of the kind (four vouchers to one claim are four).
    pub grants: u64,
    /// Sum of the grants' amounts, won.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
    /// Sum of the grants' quantities, in the kind's unit (days, vouchers, points, months).
    pub quantity: u64,
}

/// One kind of grant before and after, and the difference.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantDiff {
    pub kind: Remedy,
    pub before_claims: u64,
    pub after_claims: u64,
    pub claims_change: i64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub before_amount: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub after_amount: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount_change: Decimal,
    pub before_quantity: u64,
    pub after_quantity: u64,
    pub quantity_change: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTotal {
    pub category: Category,
    pub remedy: Remedy,
    pub count: u64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
    pub extension_days: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    pub eligible: bool,
    pub reason: Option<Reason>,
    pub count: u64,
}

/// One (category, remedy) before and after, and the difference.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDiff {
    pub category: Category,
    pub remedy: Remedy,
    pub before_count: u64,
    pub after_count: u64,
    pub count_change: i64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub before_amount: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub after_amount: Decimal,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount_change: Decimal,
    pub before_extension_days: u64,
    pub after_extension_days: u64,
    pub extension_days_change: i64,
}

/// A claim whose outcome differs between the two policies.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the claims given to `what_if`.
    pub index: usize,
    pub external_id: String,
    pub before: Outcome,
    pub after: Outcome,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    pub before: Totals,
    pub after: Totals,
    /// Every (category, remedy) present in either, in that order.
    pub difference: Vec<GroupDiff>,
    /// Every kind of grant present in either, in the order of the remedy codes.
    pub grant_difference: Vec<GrantDiff>,
    /// In input order.
    pub changed: Vec<Change>,
}

impl WhatIf {
    /// The difference per (category, remedy).
    pub fn diff(&self) -> Vec<GroupDiff> {
        self.difference.clone()
    }
}

/// Evaluates `claims` under both policies and compares.
pub fn what_if(before: &Policy, after: &Policy, claims: &[PolicyInput]) -> WhatIf {
    let b = evaluate_all(before, claims);
    let a = evaluate_all(after, claims);
    let before_totals = Totals::of(claims, &b);
    let after_totals = Totals::of(claims, &a);
    let changed = claims
        .iter()
        .zip(b.into_iter().zip(a))
        .enumerate()
        // Outcome equality compares amounts by value (50000 == 50000.0).
        .filter(|(_, (_, (x, y)))| x != y)
        .map(|(index, (c, (before, after)))| Change {
            index,
            external_id: c.external_id.clone(),
            before,
            after,
        })
        .collect();
    let difference = difference(&before_totals, &after_totals);
    let grant_difference = grant_difference(&before_totals, &after_totals);
    WhatIf { before: before_totals, after: after_totals, difference, grant_difference, changed }
}

const CATS: usize = Category::ALL.len();
const REMS: usize = Remedy::ALL.len();
const REASON_SLOTS: usize = Reason::ALL.len() + 1;

#[derive(Clone, Copy, Default)]
struct Acc {
    count: u64,
    amount: Decimal,
    days: u64,
}

#[derive(Clone, Copy, Default)]
struct GrantAcc {
    claims: u64,
    grants: u64,
    amount: Decimal,
    quantity: u64,
}

impl GrantAcc {
    fn add(&mut self, amount: Decimal, quantity: u32, first_of_claim: bool) {
        self.claims += u64::from(first_of_claim);
        self.grants += 1;
        self.amount = self.amount.saturating_add(amount);
        self.quantity = self.quantity.saturating_add(u64::from(quantity));
    }
}

fn reason_slot(r: Option<Reason>) -> usize {
    r.map_or(0, |r| r as usize + 1)
}

impl Totals {
    /// Totals of `outcomes`, the evaluation of `claims` (same length and order;
    /// extra items of the longer slice are ignored).
    pub fn of(claims: &[PolicyInput], outcomes: &[Outcome]) -> Totals {
        let mut acc = [[Acc::default(); REMS]; CATS];
        // [eligible][reason slot]
        let mut reasons = [[0u64; REASON_SLOTS]; 2];
        let mut kinds = [GrantAcc::default(); REMS];
        let mut t = Totals::default();
        for (c, o) in claims.iter().zip(outcomes) {
            if o.eligible {
                if o.grants.is_empty() {
                    // The single-remedy form, read without building its list.
                    let quantity = match o.remedy {
                        Remedy::Voucher => 1,
                        Remedy::Extension => o.extension_days,
                        _ => 0,
                    };
                    if o.remedy.is_legacy_grant() {
                        if let Some(k) = kinds.get_mut(o.remedy as usize) {
                            k.add(o.amount, quantity, true);
                        }
                    }
                } else {
                    let mut seen = 0u64;
                    for g in &o.grants {
                        let bit = 1u64 << (g.kind as usize % 64);
                        if let Some(k) = kinds.get_mut(g.kind as usize) {
                            k.add(g.amount, g.quantity, seen & bit == 0);
                        }
                        seen |= bit;
                    }
                }
            }
            if let Some(a) = acc.get_mut(c.category as usize).and_then(|row| row.get_mut(o.remedy as usize)) {
                a.count += 1;
                a.amount = a.amount.saturating_add(o.amount);
                a.days = a.days.saturating_add(u64::from(o.extension_days));
            }
            if let Some(n) =
                reasons.get_mut(usize::from(o.eligible)).and_then(|r| r.get_mut(reason_slot(o.reason)))
            {
                *n += 1;
            }
            t.claims += 1;
            if o.eligible {
                t.eligible += 1;
            } else {
                t.ineligible += 1;
            }
            t.amount = t.amount.saturating_add(o.amount);
            t.extension_days = t.extension_days.saturating_add(u64::from(o.extension_days));
        }
        for &category in Category::ALL {
            for &remedy in Remedy::ALL {
                let a = acc[category as usize][remedy as usize];
                if a.count > 0 {
                    t.groups.push(GroupTotal {
                        category,
                        remedy,
                        count: a.count,
                        amount: a.amount,
                        extension_days: a.days,
                    });
                }
            }
        }
        for &kind in Remedy::ALL {
            let k = kinds[kind as usize];
            if k.grants > 0 {
                t.grants.push(GrantTotal {
                    kind,
                    claims: k.claims,
                    grants: k.grants,
                    amount: k.amount,
                    quantity: k.quantity,
                });
            }
        }
        for eligible in [true, false] {
            let reason_options = std::iter::once(None).chain(Reason::ALL.iter().copied().map(Some));
            for reason in reason_options {
                let count = reasons[usize::from(eligible)][reason_slot(reason)];
                if count > 0 {
                    t.reasons.push(ReasonCount { eligible, reason, count });
                }
            }
        }
        t
    }

    /// The totals of one (category, remedy); zero when it has no claim.
    pub fn group(&self, category: Category, remedy: Remedy) -> GroupTotal {
        self.groups
            .iter()
            .find(|g| g.category == category && g.remedy == remedy)
            .cloned()
            .unwrap_or(GroupTotal { category, remedy, count: 0, amount: Decimal::ZERO, extension_days: 0 })
    }

    /// The totals of one kind of grant; zero when no claim has it.
    pub fn grant(&self, kind: Remedy) -> GrantTotal {
        self.grants.iter().find(|g| g.kind == kind).cloned().unwrap_or(GrantTotal {
            kind,
            claims: 0,
            grants: 0,
            amount: Decimal::ZERO,
            quantity: 0,
        })
    }

    /// How many claims have this (eligible, reason).
    pub fn reason_count(&self, eligible: bool, reason: Option<Reason>) -> u64 {
        self.reasons.iter().find(|r| r.eligible == eligible && r.reason == reason).map_or(0, |r| r.count)
    }
}

fn delta(before: u64, after: u64) -> i64 {
    (i128::from(after) - i128::from(before)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn difference(before: &Totals, after: &Totals) -> Vec<GroupDiff> {
    let mut out = Vec::new();
    for &category in Category::ALL {
        for &remedy in Remedy::ALL {
            let (b, a) = (before.group(category, remedy), after.group(category, remedy));
            if b.count == 0 && a.count == 0 {
                continue;
            }
            out.push(GroupDiff {
                category,
                remedy,
                before_count: b.count,
                after_count: a.count,
                count_change: delta(b.count, a.count),
                before_amount: b.amount,
                after_amount: a.amount,
                amount_change: a.amount.saturating_sub(b.amount),
                before_extension_days: b.extension_days,
                after_extension_days: a.extension_days,
                extension_days_change: delta(b.extension_days, a.extension_days),
            });
        }
    }
    out
}

fn grant_difference(before: &Totals, after: &Totals) -> Vec<GrantDiff> {
    let mut out = Vec::new();
    for &kind in Remedy::ALL {
        let (b, a) = (before.grant(kind), after.grant(kind));
        if b.grants == 0 && a.grants == 0 {
            continue;
        }
        out.push(GrantDiff {
            kind,
            before_claims: b.claims,
            after_claims: a.claims,
            claims_change: delta(b.claims, a.claims),
            before_amount: b.amount,
            after_amount: a.amount,
            amount_change: a.amount.saturating_sub(b.amount),
            before_quantity: b.quantity,
            after_quantity: a.quantity,
            quantity_change: delta(b.quantity, a.quantity),
        });
    }
    out
}
