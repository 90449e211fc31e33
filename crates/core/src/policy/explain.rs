//! Explanations: the steps that led to a claim's outcome, one line each in
//! Korean and English, produced by the very code path `evaluate_all` runs.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::config::{DriverRule, Policy, SegmentFallback, SmallBusinessRule};
use super::evaluate::{earlier, Base, Checked, Engine, Outcome, Pick, PolicyInput, SegmentIndex, DAY_SECS};
use crate::grant::Grant;
use crate::mask::{mask_brn, mask_phone};
use crate::model::Reason;
use crate::time::{format_won, kst};

/// The outcome of one claim and how it was reached.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub outcome: Outcome,
    pub steps: Vec<Step>,
    /// The external id of the report this one repeats, when it fails with DUPLICATE.
    pub duplicate_of: Option<String>,
}

/// One line of an explanation. `code` is stable (a Reason code for the step
/// that failed, else the name of the check or the remedy).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub code: String,
    pub ko: String,
    pub en: String,
}

/// Receives steps; `()` ignores them without building them, so the
/// evaluation path costs nothing extra when no one is listening.
pub(crate) trait Tracer {
    fn step(&mut self, make: impl FnOnce() -> Step);
}

impl Tracer for () {
    #[inline(always)]
    fn step(&mut self, _make: impl FnOnce() -> Step) {}
}

impl Tracer for Vec<Step> {
    fn step(&mut self, make: impl FnOnce() -> Step) {
        self.push(make());
    }
}

/// Explains claim `index` of `claims`: the same outcome `evaluate_all` gives
/// it over the same slice, with the steps. An index out of range gets an
/// ineligible outcome without a reason and a single NO_SUCH_CLAIM step.
pub fn explain(policy: &Policy, claims: &[PolicyInput], index: usize) -> Explanation {
    let Some(claim) = claims.get(index) else {
        return Explanation {
            outcome: Outcome { reason: None, ..Outcome::ineligible(Reason::ManualReview) },
            steps: vec![Step::new(
                "NO_SUCH_CLAIM",
                format!("{index}번 신고가 없습니다 (전체 {}건)", claims.len()),
                format!("there is no claim number {index} (of {})", claims.len()),
            )],
            duplicate_of: None,
        };
    };
    let engine = Engine::new(policy);
    let mut steps = Vec::new();
    let (service, overlap) = match engine.check(claim, &mut steps) {
        Checked::Failed(reason) => {
            return Explanation { outcome: Outcome::ineligible(reason), steps, duplicate_of: None }
        }
        Checked::Passed { service, overlap } => (service, overlap),
    };
    let Some(key) = claim.group_key() else {
        steps.push(Step::new(
            "NOT_GROUPED",
            "신고인 식별값이 없어 중복 확인 대상이 아닙니다".into(),
            "no claimant key, so the report is not grouped for duplicates".into(),
        ));
        let outcome = engine.remedy(claim, overlap, &mut steps);
        return Explanation { outcome, steps, duplicate_of: None };
    };
    // The group's winner, exactly as duplicate_winners picks it (first index on a full tie).
    let mut group = 0usize;
    let mut winner = index;
    for (j, other) in claims.iter().enumerate() {
        if other.group_key() != Some(key) || other.service != claim.service {
            continue;
        }
        if !matches!(engine.check(other, &mut ()), Checked::Passed { service: s, .. } if s == service) {
            continue;
        }
        group += 1;
        let best = claims.get(winner).unwrap_or(claim);
        if earlier(other, best).then(j.cmp(&winner)).is_lt() {
            winner = j;
        }
    }
    let who = if claim.category.is_business() { format!("BRN {}", mask_brn(key)) } else { mask_phone(key) };
    if winner != index {
        let first = claims.get(winner).unwrap_or(claim);
        steps.push(Step::new(
            Reason::Duplicate.code(),
            format!(
                "같은 신고인({who})의 같은 서비스({}) 신고가 먼저 접수됨: {} ({}) → 중복",
                claim.service,
                first.external_id,
                when(first.received_at)
            ),
            format!(
                "the same claimant ({who}) reported the same service ({}) first: {} received {} → duplicate",
                claim.service,
                first.external_id,
                when(first.received_at)
            ),
        ));
        return Explanation {
            outcome: Outcome::ineligible(Reason::Duplicate),
            steps,
            duplicate_of: Some(first.external_id.clone()),
        };
    }
    steps.push(if group > 1 {
        Step::new(
            "FIRST_REPORT",
            format!("같은 신고인({who})·같은 서비스 신고 {group}건 중 가장 먼저 접수됨"),
            format!("the earliest of {group} reports by this claimant ({who}) for this service"),
        )
    } else {
        Step::new(
            "FIRST_REPORT",
            format!("같은 신고인({who})·같은 서비스의 다른 신고 없음"),
            format!("no other report by this claimant ({who}) for this service"),
        )
    });
    let outcome = engine.remedy(claim, overlap, &mut steps);
    Explanation { outcome, steps, duplicate_of: None }
}

impl Step {
    fn new(code: &str, ko: String, en: String) -> Step {
        Step { code: code.to_string(), ko, en }
    }

    pub(crate) fn filing_window(e: &Engine<'_>, c: &PolicyInput, inside: bool) -> Step {
        let w = &e.policy.filing_window;
        let (from, to) = (when(w.start.with_timezone(&Utc)), when(w.end.with_timezone(&Utc)));
        let at = when(c.received_at);
        if inside {
            Step::new(
                "FILED_IN_WINDOW",
                format!("접수 {at}: 접수 기간({from} ~ {to}) 안"),
                format!("received {at}, inside the filing window {from} – {to}"),
            )
        } else {
            Step::new(
                Reason::FiledOutOfWindow.code(),
                format!("접수 {at}: 접수 기간({from} ~ {to}) 밖"),
                format!("received {at}, outside the filing window {from} – {to}"),
            )
        }
    }

    pub(crate) fn unknown_service(c: &PolicyInput) -> Step {
        Step::new(
            Reason::UnknownService.code(),
            format!("서비스 '{}'는 이 보상안의 대상 서비스가 아닙니다", c.service),
            format!("service '{}' is not in this policy's catalog", c.service),
        )
    }

    pub(crate) fn overlap(e: &Engine<'_>, c: &PolicyInput, service: u32, overlap: i64) -> Step {
        let name = e.policy.services.get(service as usize).map_or(c.service.as_str(), |s| s.name.as_str());
        let (os, oe) = e.outages.get(service as usize).copied().unwrap_or_default();
        let damage = format!("{} ~ {}", when(c.damage_start), when(c.damage_end));
        let outage = format!("{} ~ {}", when(os), when(oe));
        if overlap == 0 {
            Step::new(
                Reason::NoOverlap.code(),
                format!("피해 기간({damage})이 {name} 장애({outage})와 겹치지 않음"),
                format!("the damage period ({damage}) does not meet the {} outage ({outage})", c.service),
            )
        } else {
            Step::new(
                "OVERLAP",
                format!("피해 기간({damage})과 {name} 장애({outage})의 중첩 {}", duration_ko(overlap)),
                format!(
                    "the damage period ({damage}) meets the {} outage ({outage}) for {}",
                    c.service,
                    duration_en(overlap)
                ),
            )
        }
    }

    pub(crate) fn brn(c: &PolicyInput, valid: bool) -> Step {
        let shown = c.brn.as_deref().map(mask_brn);
        match (valid, shown) {
            (true, Some(b)) => Step::new(
                "BRN_VALID",
                format!("사업자등록번호 {b} 확인"),
                format!("business registration number {b} is valid"),
            ),
            (_, Some(b)) => Step::new(
                Reason::MissingBrn.code(),
                format!("사업자등록번호 {b}가 유효하지 않음 ({} 유형)", c.category.label_ko()),
                format!("business registration number {b} is not valid (category {})", c.category.code()),
            ),
            (_, None) => Step::new(
                Reason::MissingBrn.code(),
                format!("사업자 유형({})인데 사업자등록번호가 없음", c.category.label_ko()),
                format!("a business category ({}) without a registration number", c.category.code()),
            ),
        }
    }

    pub(crate) fn voucher() -> Step {
        Step::new(
            "VOUCHER",
            "무료 이용자: 사과 이모티콘 교환권, 금액 0원 (청구액과 무관)".into(),
            "free user: the apology emoticon voucher, amount 0 whatever was claimed".into(),
        )
    }

    pub(crate) fn extension(multiplier: Decimal, overlap: i64, days: u32) -> Step {
        let m = number(multiplier);
        let exact =
            Decimal::from(overlap).checked_mul(multiplier).and_then(|x| x.checked_div(DAY_SECS.into()));
        let exact = exact.map_or_else(|| "∞".to_string(), number);
        Step::new(
            "EXTENSION",
            format!("{m} × 중첩 {} ÷ 24시간 = {exact} → 올림 {days}일 연장", duration_ko(overlap)),
            format!(
                "{m} × overlap {} ÷ 24 h = {exact} → rounded up: {days} days of extension",
                duration_en(overlap)
            ),
        )
    }

    pub(crate) fn driver_cash(
        income: Option<Decimal>,
        overlap: i64,
        rule: &DriverRule,
        base: Base,
        claimed: Option<Decimal>,
        amount: Decimal,
    ) -> Step {
        let (base_ko, base_en) = match income {
            Some(d) => (
                format!(
                    "중첩 {} × 일평균수입 {}원 ÷ 24시간 = {}",
                    duration_ko(overlap),
                    won(d),
                    base_won(base, "원")
                ),
                format!(
                    "overlap {} × daily income {} ÷ 24 h = {}",
                    duration_en(overlap),
                    won(d),
                    base_won(base, "")
                ),
            ),
            None => (
                format!("일평균수입 없음: 정액 {}원", won(rule.flat)),
                format!("no daily income: flat {}", won(rule.flat)),
            ),
        };
        cash_chain("CASH", base_ko, base_en, rule.cap, claimed, amount)
    }

    pub(crate) fn small_business_cash(
        rule: &SmallBusinessRule,
        loss: Decimal,
        documented: Option<Decimal>,
        base: Base,
        claimed: Option<Decimal>,
        amount: Decimal,
    ) -> Step {
        let mut lower: Option<Decimal> = None;
        let mut band_text: Option<(String, String)> = None;
        for b in &rule.bands {
            if loss <= b.up_to {
                let range = match lower {
                    Some(l) => format!("{} < L ≤ {}", won(l), won(b.up_to)),
                    None => format!("L ≤ {}", won(b.up_to)),
                };
                band_text = Some((
                    format!("신고 손해 L {}원 ({range}) → 기준액 {}원", won(loss), won(b.base)),
                    format!("reported loss L {} ({range}) → base {}", won(loss), won(b.base)),
                ));
                break;
            }
            lower = Some(b.up_to);
        }
        let (base_ko, base_en) = band_text.unwrap_or_else(|| {
            let d = &rule.documented;
            let top = lower.map(won).unwrap_or_default();
            let doc = documented.map(won).unwrap_or_default();
            let formula = format!(
                "max({}, {} + ({doc} − {}) × {})",
                won(d.min),
                won(d.base),
                won(d.threshold),
                number(d.rate)
            );
            (
                format!(
                    "신고 손해 L {}원 > {top}원, 입증손해액 {doc}원: {formula} = {}",
                    won(loss),
                    base_won(base, "원")
                ),
                format!(
                    "reported loss L {} > {top}, documented loss {doc}: {formula} = {}",
                    won(loss),
                    base_won(base, "")
                ),
            )
        });
        cash_chain("CASH", base_ko, base_en, rule.cap, claimed, amount)
    }

    pub(crate) fn small_business_needs_evidence(rule: &SmallBusinessRule, loss: Decimal) -> Step {
        let top = rule.bands.last().map(|b| won(b.up_to)).unwrap_or_default();
        Step::new(
            Reason::NeedsEvidence.code(),
            format!("신고 손해 L {}원 > {top}원인데 입증손해액이 없음 → 수동 심사", won(loss)),
            format!("reported loss L {} > {top} without a documented loss → manual review", won(loss)),
        )
    }

    pub(crate) fn advertiser_cash(
        spend: Decimal,
        cap: Decimal,
        claimed: Option<Decimal>,
        amount: Decimal,
    ) -> Step {
        cash_chain(
            "CASH",
            format!("광고비 {}원", won(spend)),
            format!("ad spend {}", won(spend)),
            cap,
            claimed,
            amount,
        )
    }

    pub(crate) fn advertiser_needs_evidence() -> Step {
        Step::new(
            Reason::NeedsEvidence.code(),
            "광고주: 광고비 자료가 없음 → 수동 심사".into(),
            "advertiser without an ad spend → manual review".into(),
        )
    }

    /// Which segment the claim's column puts it in, or what a missing or unlisted value does.
    pub(crate) fn segment(index: &SegmentIndex<'_>, pick: Pick<'_>) -> Step {
        let rule = index.rule;
        let labels = rule.segments.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ");
        let (then_ko, then_en) = match rule.otherwise {
            SegmentFallback::ManualReview => ("수동 심사", "manual review"),
            SegmentFallback::Formula => ("기본 산식 적용", "the category's formula applies"),
        };
        let code = |reason: Reason| match rule.otherwise {
            SegmentFallback::ManualReview => reason.code(),
            SegmentFallback::Formula => "SEGMENT_FALLBACK",
        };
        match pick {
            Pick::Found { column, value, segment } => {
                let Some(seg) = rule.segments.get(segment) else {
                    return Step::new("SEGMENT", String::new(), String::new());
                };
                Step::new(
                    "SEGMENT",
                    format!("{column} '{value}' → 구간 '{}': 정액 {}원 (상한·청구액 미적용)", seg.label, won(seg.amount)),
                    format!("{column} '{value}' → segment '{}': flat {} (no cap, the claimed amount does not apply)", seg.label, won(seg.amount)),
                )
            }
            Pick::Missing => {
                let names = rule.column.join(" / ");
                Step::new(
                    code(Reason::SegmentMissing),
                    format!("구간 칸({names})에 값이 없음 → {then_ko}"),
                    format!("no value in the segment column ({names}) → {then_en}"),
                )
            }
            Pick::Unknown { column, value } => Step::new(
                code(Reason::SegmentUnknown),
                format!("{column} '{value}'는 이 보상안의 구간({labels})이 아님 → {then_ko}"),
                format!("{column} '{value}' is not a segment of this policy ({labels}) → {then_en}"),
            ),
        }
    }

    /// A grant given beside the category's own remedy.
    pub(crate) fn grant(g: &Grant) -> Step {
        let (ko, en) = describe_grant(g);
        Step::new("GRANT", format!("함께 지급: {ko}"), format!("also granted: {en}"))
    }

    pub(crate) fn manual_review() -> Step {
        Step::new(
            Reason::ManualReview.code(),
            "기타 유형: 수동 심사, 금액 0원".into(),
            "category other: manual review, amount 0".into(),
        )
    }
}

/// A grant as people read it: "메시지 크레딧 50,000원 (카카오톡 채널 메시지 크레딧)",
/// "points 5,000 points, worth 5,000".
pub fn describe_grant(g: &Grant) -> (String, String) {
    let unit = Grant::quantity_unit(g.kind);
    let mut ko = g.kind.label_ko().to_string();
    let mut en = g.kind.label_en().to_lowercase();
    if let (Some((uk, ue)), true) = (unit, g.quantity > 0) {
        ko.push_str(&format!(" {}{uk}", crate::time::format_won(i64::from(g.quantity))));
        en.push_str(&format!(" {} {ue}", crate::time::format_won(i64::from(g.quantity))));
    }
    if !g.amount.is_zero() {
        if unit.is_some() && g.quantity > 0 {
            ko.push_str(&format!(", {}원 상당", won(g.amount)));
            en.push_str(&format!(", worth {}", won(g.amount)));
        } else {
            ko.push_str(&format!(" {}원", won(g.amount)));
            en.push_str(&format!(" {}", won(g.amount)));
        }
    }
    if !g.label.is_empty() {
        ko.push_str(&format!(" ({})", g.label));
        en.push_str(&format!(" ({})", g.label));
    }
    (ko, en)
}

/// "base → cap X → claimed Y → amount", the min and floor10 of policy.md.
fn cash_chain(
    code: &str,
    base_ko: String,
    base_en: String,
    cap: Decimal,
    claimed: Option<Decimal>,
    amount: Decimal,
) -> Step {
    let (claimed_ko, claimed_en) = match claimed {
        Some(c) => (format!("청구액 {}원", won(c)), format!("claimed {}", won(c))),
        None => ("청구액 없음".to_string(), "nothing claimed".to_string()),
    };
    Step::new(
        code,
        format!("{base_ko} → 상한 {}원 → {claimed_ko} → {}원", won(cap), won(amount)),
        format!("{base_en} → cap {} → {claimed_en} → {}", won(cap), won(amount)),
    )
}

fn base_won(base: Base, unit: &str) -> String {
    match base {
        Base::Exact(b) => format!("{}{unit}", won(b)),
        Base::Huge => "∞".to_string(),
    }
}

/// Won with thousands separators; a fraction (only inside a formula) shows
/// at most 2 decimals, with "…" when it was cut.
pub(crate) fn won(d: Decimal) -> String {
    let cut = d.round_dp_with_strategy(2, RoundingStrategy::ToZero);
    let int = cut.trunc();
    let mut out = match int.to_i64() {
        Some(i) => format_won(i),
        None => int.to_string(),
    };
    if out == "0" && cut.is_sign_negative() && !cut.is_zero() {
        out = "-0".into();
    }
    let frac = (cut - int).abs().normalize();
    if !frac.is_zero() {
        // "0.25" → ".25"
        let f = frac.to_string();
        out.push_str(f.trim_start_matches('0'));
    }
    if cut != d {
        out.push('…');
    }
    out
}

/// A plain number (multiplier, rate, ratio) with at most 2 decimals shown.
fn number(d: Decimal) -> String {
    won(d.normalize())
}

fn when(t: DateTime<Utc>) -> String {
    let k = t.with_timezone(&kst());
    if k.format("%S").to_string() == "00" {
        k.format("%Y-%m-%d %H:%M").to_string()
    } else {
        k.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn duration_en(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if s == 0 {
        format!("{h} h {m} min")
    } else {
        format!("{h} h {m} min {s} s")
    }
}

fn duration_ko(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if s == 0 {
        format!("{h}시간 {m}분")
    } else {
        format!("{h}시간 {m}분 {s}초")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_formats_whole_and_fractional_amounts() {
        assert_eq!(won(Decimal::from(75_125)), "75,125");
        assert_eq!(won(Decimal::new(7_512_525, 2)), "75,125.25");
        assert_eq!(won(Decimal::new(75_125_347, 3)), "75,125.34…");
        assert_eq!(won(Decimal::ZERO), "0");
        assert_eq!(won(Decimal::new(-5, 1)), "-0.5");
        assert_eq!(number(Decimal::new(10, 2)), "0.1");
        assert_eq!(number(Decimal::from(3)), "3");
    }

    #[test]
    fn durations_read_as_hours_minutes_and_seconds() {
        assert_eq!(duration_en(36_060), "10 h 1 min");
        assert_eq!(duration_ko(36_061), "10시간 1분 1초");
        assert_eq!(duration_en(59), "0 h 0 min 59 s");
    }
}
