//! What a claim is given: a list of grants, each a kind of remedy with its
//! quantities. A policy's result, the proposal a recommendation is checked
//! against and the recommended decision all carry one.
//!
//! | kind | `amount` (won) | `quantity` |
//! | --- | --- | --- |
//! | cash | paid out, ≥ 0 | none (0) |
//! | voucher | face value, ≥ 0 (0: the apology emoticon pack) | vouchers, ≥ 1 |
//! | extension | 0 | days, ≥ 1 |
//! | points | won value, ≥ 0 | points, ≥ 1 |
//! | message_credit | credit, > 0 | none (0) |
//! | fee_waiver | fee waived, ≥ 0 | months, ≥ 0 (one of the two > 0) |
//!
//! Only cash leaves as money (payout); every other kind is fulfilled outside
//! ClaimDesk. The older single-remedy form (`remedy`, `amount`,
//! `extension_days`) is one grant: [`legacy`] reads it as a list, and a list
//! that says no more than it is stored in that form ([`compact`]), so
//! results, proposals and decisions recorded before grants existed read and
//! compare exactly as they did.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::message::Message;
use crate::model::Remedy;
use crate::msg;

/// One remedy given to a claim.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    pub kind: Remedy,
    /// Won (see the table of the module): 0 when the kind has no money value.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
    /// Counted in the kind's unit (days, vouchers, points, months); 0 when it has none.
    #[serde(default)]
    pub quantity: u32,
    /// What people call it ("카카오톡 채널 메시지 크레딧"); may be empty.
    #[serde(default)]
    pub label: String,
}

/// Most grants one result or decision may list.
pub const MAX_GRANTS: usize = 16;
/// Longest label, in characters.
pub const MAX_LABEL: usize = 100;
/// Largest amount a grant may hold (10^15 won, as for policy figures).
const AMOUNT_MAX: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

impl Grant {
    /// A grant without a label.
    pub fn new(kind: Remedy, amount: Decimal, quantity: u32) -> Grant {
        Grant { kind, amount, quantity, label: String::new() }
    }

    pub fn with_label(mut self, label: &str) -> Grant {
        self.label = label.to_string();
        self
    }

    /// The unit of `quantity` for this kind, in Korean and English (None: the kind has no quantity).
    pub fn quantity_unit(kind: Remedy) -> Option<(&'static str, &'static str)> {
        match kind {
            Remedy::Extension => Some(("일", "days")),
            Remedy::Voucher => Some(("매", "vouchers")),
            Remedy::Points => Some(("포인트", "points")),
            Remedy::FeeWaiver => Some(("개월", "months")),
            Remedy::Cash | Remedy::MessageCredit | Remedy::ManualReview | Remedy::None => None,
        }
    }

    /// Checks the grant against the table of the module. The error names the
    /// part (`kind`, `amount`, `quantity`, `label`) and what is wrong with it.
    pub fn check(&self) -> Result<(), (&'static str, Message)> {
        let kind = self.kind;
        if !kind.is_grant() {
            return Err(("kind", msg!("policy.problem.not_grantable", kind = kind.code())));
        }
        let a = self.amount;
        if a.is_sign_negative() && !a.is_zero() {
            return Err(("amount", msg!("policy.problem.non_negative")));
        }
        if !a.fract().is_zero() {
            return Err(("amount", msg!("policy.problem.whole_won")));
        }
        if a > AMOUNT_MAX {
            return Err(("amount", msg!("policy.problem.at_most", max = "1,000,000,000,000,000")));
        }
        let q = self.quantity;
        match kind {
            Remedy::Extension if !a.is_zero() => {
                return Err(("amount", msg!("policy.problem.extension_amount")))
            }
            Remedy::Extension | Remedy::Voucher | Remedy::Points if q == 0 => {
                let unit = Grant::quantity_unit(kind).map_or("", |u| u.1);
                return Err((
                    "quantity",
                    msg!("policy.problem.quantity_at_least_one", unit = unit, kind = kind.code()),
                ));
            }
            Remedy::Cash | Remedy::MessageCredit if q != 0 => {
                return Err(("quantity", msg!("policy.problem.quantity_unused", kind = kind.code())))
            }
            Remedy::MessageCredit if a.is_zero() => {
                return Err(("amount", msg!("policy.problem.credit_amount")))
            }
            Remedy::FeeWaiver if a.is_zero() && q == 0 => {
                return Err(("amount", msg!("policy.problem.fee_waiver_empty")))
            }
            _ => {}
        }
        if self.label.chars().count() > MAX_LABEL {
            return Err(("label", msg!("policy.problem.too_long", max = MAX_LABEL)));
        }
        if self.label.chars().any(char::is_control) {
            return Err(("label", msg!("policy.problem.control_characters")));
        }
        Ok(())
    }
}

impl Remedy {
    /// Whether a claim can be given this (everything but manual_review and none).
    pub fn is_grant(self) -> bool {
        !matches!(self, Remedy::ManualReview | Remedy::None)
    }

    /// Whether the single-remedy form (`remedy`, `amount`, `extension_days`) can say it.
    pub fn is_legacy_grant(self) -> bool {
        matches!(self, Remedy::Cash | Remedy::Voucher | Remedy::Extension)
    }
}

/// The single-remedy form as a list: cash, a voucher (one, of `amount`) or an
/// extension of `days`; nothing for manual_review, none and the newer kinds.
pub fn legacy(remedy: Remedy, amount: Decimal, days: u32) -> Vec<Grant> {
    match remedy {
        Remedy::Cash => vec![Grant::new(Remedy::Cash, amount, 0)],
        Remedy::Voucher => vec![Grant::new(Remedy::Voucher, amount, 1)],
        Remedy::Extension => vec![Grant { amount, ..Grant::new(Remedy::Extension, Decimal::ZERO, days) }],
        _ => Vec::new(),
    }
}

/// The single-remedy form of a list: the remedy (cash when any grant is cash,
/// else the first grant's kind, `none` for an empty list), the cash total and
/// the extension days (saturating).
pub fn summary(grants: &[Grant]) -> (Remedy, Decimal, u32) {
    let mut cash = Decimal::ZERO;
    let mut days = 0u32;
    let mut has_cash = false;
    for g in grants {
        match g.kind {
            Remedy::Cash => {
                has_cash = true;
                cash = cash.saturating_add(g.amount);
            }
            Remedy::Extension => days = days.saturating_add(g.quantity),
            _ => {}
        }
    }
    let remedy = if has_cash { Remedy::Cash } else { grants.first().map_or(Remedy::None, |g| g.kind) };
    (remedy, cash, days)
}

/// `grants` as stored beside the single-remedy form: empty when the form says it all.
pub fn compact(remedy: Remedy, amount: Decimal, days: u32, grants: Vec<Grant>) -> Vec<Grant> {
    if same(&grants, &legacy(remedy, amount, days)) {
        Vec::new()
    } else {
        grants
    }
}

/// The grants of a single-remedy form and its list (empty = the form's own grant).
pub fn full(remedy: Remedy, amount: Decimal, days: u32, grants: &[Grant]) -> Vec<Grant> {
    if grants.is_empty() {
        legacy(remedy, amount, days)
    } else {
        grants.to_vec()
    }
}

/// The same grants, in any order (amounts compared by value).
pub fn same(a: &[Grant], b: &[Grant]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let key = |g: &Grant| (g.kind, g.amount.normalize(), g.quantity, g.label.clone());
    let mut x: Vec<_> = a.iter().map(key).collect();
    let mut y: Vec<_> = b.iter().map(key).collect();
    x.sort();
    y.sort();
    x == y
}

/// Checks a listed set of grants and that the single-remedy form beside it
/// is its summary (so the cash total an approval limit and a payout read is
/// the cash the list grants).
pub fn check_listed(remedy: Remedy, amount: Decimal, days: u32, grants: &[Grant]) -> Result<(), String> {
    if grants.len() > MAX_GRANTS {
        return Err(format!("at most {MAX_GRANTS} grants, not {}", grants.len()));
    }
    for (i, g) in grants.iter().enumerate() {
        g.check().map_err(|(part, problem)| {
            format!("grant {} ({}): the {part} {problem}", i + 1, g.kind.code())
        })?;
    }
    let (r, cash, d) = summary(grants);
    if r != remedy || cash != amount || d != days {
        return Err(format!(
            "the grants add up to {} with {} won of cash and {d} days of extension, not {} with {} won and {days} days",
            r.code(),
            cash.normalize(),
            remedy.code(),
            amount.normalize()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_single_remedy_form_is_one_grant_and_compacts_back() {
        assert_eq!(legacy(Remedy::Cash, dec!(60000), 0), vec![Grant::new(Remedy::Cash, dec!(60000), 0)]);
        assert_eq!(
            legacy(Remedy::Voucher, Decimal::ZERO, 0),
            vec![Grant::new(Remedy::Voucher, Decimal::ZERO, 1)]
        );
        assert_eq!(
            legacy(Remedy::Extension, Decimal::ZERO, 3),
            vec![Grant::new(Remedy::Extension, Decimal::ZERO, 3)]
        );
        assert!(legacy(Remedy::ManualReview, Decimal::ZERO, 0).is_empty());
        assert!(legacy(Remedy::Points, dec!(5), 0).is_empty(), "a newer kind always lists its grants");
        let one = vec![Grant::new(Remedy::Cash, dec!(50000.0), 0)];
        assert!(compact(Remedy::Cash, dec!(50000), 0, one).is_empty(), "by value");
        let two =
            vec![Grant::new(Remedy::Cash, dec!(50000), 0), Grant::new(Remedy::MessageCredit, dec!(50000), 0)];
        assert_eq!(compact(Remedy::Cash, dec!(50000), 0, two.clone()), two);
        assert_eq!(full(Remedy::Cash, dec!(50000), 0, &[]), legacy(Remedy::Cash, dec!(50000), 0));
        let labelled = vec![Grant::new(Remedy::Cash, dec!(50000), 0).with_label("T 블루")];
        assert_eq!(compact(Remedy::Cash, dec!(50000), 0, labelled.clone()), labelled, "a label is kept");
    }

    #[test]
    fn the_summary_is_cash_first_then_the_first_kind() {
        let g = [Grant::new(Remedy::MessageCredit, dec!(50000), 0), Grant::new(Remedy::Cash, dec!(30000), 0)];
        assert_eq!(summary(&g), (Remedy::Cash, dec!(30000), 0));
        let g =
            [Grant::new(Remedy::Points, dec!(5000), 5000), Grant::new(Remedy::Extension, Decimal::ZERO, 2)];
        assert_eq!(summary(&g), (Remedy::Points, Decimal::ZERO, 2));
        assert_eq!(summary(&[]), (Remedy::None, Decimal::ZERO, 0));
        assert!(same(&g, &[g[1].clone(), g[0].clone()]));
        assert!(!same(&g, &g[..1]));
    }

    #[test]
    fn each_kind_has_its_measures() {
        let ok = |g: Grant| g.check().map_err(|(p, e)| format!("{p} {e}"));
        assert!(
            ok(Grant::new(Remedy::Cash, Decimal::ZERO, 0)).is_ok(),
            "cash of 0 (a claim of 9 won) is a result"
        );
        assert!(ok(Grant::new(Remedy::Voucher, dec!(5000), 1)).is_ok());
        assert!(ok(Grant::new(Remedy::Points, Decimal::ZERO, 3000)).is_ok());
        assert!(ok(Grant::new(Remedy::FeeWaiver, Decimal::ZERO, 1)).is_ok());
        assert_eq!(
            ok(Grant::new(Remedy::Voucher, dec!(5000), 0)),
            Err("quantity must be at least 1 (vouchers) for voucher".into())
        );
        assert_eq!(
            ok(Grant::new(Remedy::Extension, dec!(1), 2)),
            Err("amount must be 0 for an extension (its days are the quantity)".into())
        );
        assert!(
            ok(Grant::new(Remedy::Cash, dec!(10), 2)).is_err_and(|e| e.starts_with("quantity is not used"))
        );
        assert_eq!(
            ok(Grant::new(Remedy::MessageCredit, Decimal::ZERO, 0)),
            Err("amount must be > 0 for a message credit".into())
        );
        assert!(ok(Grant::new(Remedy::FeeWaiver, Decimal::ZERO, 0)).is_err());
        assert_eq!(ok(Grant::new(Remedy::Cash, dec!(-10), 0)), Err("amount must be >= 0".into()));
        assert_eq!(
            ok(Grant::new(Remedy::Cash, dec!(10.5), 0)),
            Err("amount must be a whole number of won".into())
        );
        assert!(ok(Grant::new(Remedy::ManualReview, Decimal::ZERO, 0)).is_err_and(|e| e.starts_with("kind")));
        assert!(ok(Grant::new(Remedy::Voucher, Decimal::ZERO, 1).with_label(&"가".repeat(101)))
            .is_err_and(|e| e.starts_with("label")));
    }

    #[test]
    fn a_listed_set_must_add_up_to_its_single_remedy_form() {
        let g = [Grant::new(Remedy::Cash, dec!(30000), 0), Grant::new(Remedy::MessageCredit, dec!(50000), 0)];
        assert!(check_listed(Remedy::Cash, dec!(30000), 0, &g).is_ok());
        // Cash hidden in the list beside a small amount (which an approval limit reads) is refused.
        let hidden = [Grant::new(Remedy::Cash, dec!(5000000), 0)];
        let e = check_listed(Remedy::Cash, dec!(30000), 0, &hidden).expect_err("inconsistent");
        assert!(e.contains("5000000 won of cash"), "{e}");
        assert!(check_listed(Remedy::Voucher, Decimal::ZERO, 0, &g).is_err());
        let many = vec![Grant::new(Remedy::Points, Decimal::ZERO, 1); MAX_GRANTS + 1];
        assert!(check_listed(Remedy::Points, Decimal::ZERO, 0, &many).is_err());
    }

    #[test]
    fn grants_read_and_write_as_json_with_only_what_they_hold() {
        let g = Grant::new(Remedy::MessageCredit, dec!(50000), 0);
        assert_eq!(
            serde_json::to_string(&g).unwrap_or_default(),
            r#"{"kind":"message_credit","amount":"50000","quantity":0,"label":""}"#
        );
        let p: Grant = serde_json::from_str(r#"{"kind":"points","quantity":5000}"#).expect("reads");
        assert_eq!(p, Grant::new(Remedy::Points, Decimal::ZERO, 5000));
    }
}
