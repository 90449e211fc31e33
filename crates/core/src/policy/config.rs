//! The policy as data: every parameter of policy.md, read from and written to
//! TOML, and checked before it can be used.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Service};
use crate::grant::Grant;
use crate::message::{Lang, Message};
use crate::model::Remedy;
use crate::msg;

/// The policy shipped as the first version (policy.md, "default policy").
pub const DEFAULT_POLICY_TOML: &str = include_str!("default-policy.toml");

/// The second example shipped with the product: the 2022 programme as it
/// finally paid (taxi drivers flat by membership tier, small businesses cash
/// plus message credit); docs/policies.md.
pub const FINAL_2022_POLICY_TOML: &str = include_str!("final-2022-policy.toml");

/// A policy shipped with the product, offered when a version is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExamplePolicy {
    /// Stable code (`claimdesk policy example <code>`).
    pub code: &'static str,
    pub name_ko: &'static str,
    pub name_en: &'static str,
    pub toml: &'static str,
}

/// The shipped policies: the default (version 1 of every store) and the final 2022 programme.
pub const EXAMPLE_POLICIES: &[ExamplePolicy] = &[
    ExamplePolicy {
        code: "default-2022",
        name_ko: "2022 기본 보상안",
        name_en: "2022 default plan",
        toml: DEFAULT_POLICY_TOML,
    },
    ExamplePolicy {
        code: "final-2022",
        name_ko: "2022 최종 보상안 (등급별 정액, 메시지 크레딧)",
        name_en: "2022 final programme (flat by tier, message credit)",
        toml: FINAL_2022_POLICY_TOML,
    },
];

/// A shipped policy by code.
pub fn example_policy(code: &str) -> Option<&'static ExamplePolicy> {
    EXAMPLE_POLICIES.iter().find(|e| e.code == code.trim())
}

/// Largest money figure a policy may hold (10^15 won). Far above any real
/// figure, and small enough that products with overlaps and rates stay well
/// inside Decimal's range.
const MONEY_MAX: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// A compensation policy (policy.md): every number and window the evaluation
/// uses. The remedy of each category is fixed by policy.md; its figures are
/// here, and beyond policy.md's table a category may pay flat amounts by
/// segment ([`Segments`]) and give further grants ([`GrantRule`]). Every
/// field added since the first version is optional and left out of the
/// TOML when unused, so older policy files read and write unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// A label for people ("2022 기본 보상안"); versions are numbered by the store.
    pub name: String,
    pub filing_window: FilingWindow,
    #[serde(default, skip_serializing_if = "FreeUserRule::is_default")]
    pub free_user: FreeUserRule,
    pub paid_subscriber: ExtensionRule,
    pub taxi_driver: DriverRule,
    pub designated_driver: DriverRule,
    pub small_business: SmallBusinessRule,
    pub advertiser: AdvertiserRule,
    /// The policy's own catalog: UNKNOWN_SERVICE means "not in this list".
    #[serde(rename = "service")]
    pub services: Vec<Service>,
    /// The reason catalog: the codes a denial, a request for information
    /// (deficiency) and a non-damage closure must cite. A policy without
    /// one (every file written before it existed) uses the shipped 2022
    /// catalog ([`standard_reasons`]); see [`Policy::reason_catalog`].
    #[serde(default, rename = "reason", skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<ReasonDef>,
    /// The documents each category must send (shown on the claim screen).
    #[serde(default, rename = "document", skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentDef>,
    /// How long a claimant has to answer a request for information.
    #[serde(default, skip_serializing_if = "CureWindow::is_default")]
    pub cure: CureWindow,
}

/// The time a claimant has to send what a request for information asks for:
/// `days` from the request, and `mail_days` more because the notice may go
/// by post (class-action practice: 30 days, +3 by mail). The due date a
/// notice states is the request's day (KST) + days + mail_days, the same on
/// every channel, so a claimant is never told two dates. `reminder_days`
/// before it a claim is "reminder due". `extended_until` is the programme's
/// extension of the window (2023: from 27 Feb to 14 Mar): every request made
/// on or before that day is due no earlier than it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CureWindow {
    #[serde(default = "thirty")]
    pub days: u32,
    #[serde(default = "three")]
    pub mail_days: u32,
    #[serde(default = "seven")]
    pub reminder_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub extended_until: Option<NaiveDate>,
}

impl Default for CureWindow {
    fn default() -> CureWindow {
        CureWindow { days: 30, mail_days: 3, reminder_days: 7, extended_until: None }
    }
}

impl CureWindow {
    fn is_default(&self) -> bool {
        *self == CureWindow::default()
    }

    /// The last day (KST) to answer a request made at `requested`.
    pub fn due_on(&self, requested: DateTime<Utc>) -> NaiveDate {
        self.due_from(requested.with_timezone(&crate::time::kst()).date_naive())
    }

    /// The last day to answer a request made on `day` (KST), before any extension.
    pub fn due_from(&self, day: NaiveDate) -> NaiveDate {
        day + chrono::Days::new(u64::from(self.days) + u64::from(self.mail_days))
    }

    /// The due date of a request made on `requested_on` and due on `due_on`
    /// once this window's extension applies: a request made on or before
    /// `extended_until` is due no earlier than that day.
    pub fn extended(&self, requested_on: NaiveDate, due_on: NaiveDate) -> NaiveDate {
        match self.extended_until {
            Some(until) if requested_on <= until && due_on < until => until,
            _ => due_on,
        }
    }

    /// Where a request due on `due_on` stands on `today`: overdue the day
    /// after it, reminder due from `reminder_days` before it.
    pub fn state(&self, due_on: NaiveDate, today: NaiveDate) -> crate::model::DueState {
        use crate::model::DueState;
        if today > due_on {
            DueState::Overdue
        } else if today + chrono::Days::new(u64::from(self.reminder_days)) >= due_on {
            DueState::ReminderDue
        } else {
            DueState::Open
        }
    }
}

fn seven() -> u32 {
    7
}

fn thirty() -> u32 {
    30
}

fn three() -> u32 {
    3
}

/// What a coded reason is for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Why a claim is denied (a deny recommendation).
    Denial,
    /// What a claimant must still send (a request for information).
    Deficiency,
    /// The standard reply with which a non-damage report is closed.
    Closure,
}

impl ReasonKind {
    pub fn code(self) -> &'static str {
        match self {
            ReasonKind::Denial => "denial",
            ReasonKind::Deficiency => "deficiency",
            ReasonKind::Closure => "closure",
        }
    }
}

/// One entry of a policy's reason catalog.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonDef {
    /// `NO_LOSS_SHOWN`: capitals, digits and `_`, starting with a letter.
    pub code: String,
    pub kind: ReasonKind,
    /// The text a claimant reads, in Korean.
    pub ko: String,
    pub en: String,
    /// Whether a claimant may ask for reconsideration (denials).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub appealable: bool,
}

/// A document a category must send (code and labels).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDef {
    pub code: String,
    pub ko: String,
    pub en: String,
    /// The categories that must send it.
    pub categories: Vec<crate::model::Category>,
}

/// A reason of the catalog as an op cites it: the entry as the policy in
/// force had it when the op was accepted (stamped by the sync server, or by
/// the author's desktop until then), with that policy's version.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedReason {
    pub code: String,
    pub kind: ReasonKind,
    pub ko: String,
    pub en: String,
    #[serde(default)]
    pub appealable: bool,
    /// The policy version whose catalog it is (None: not known to whoever stamped it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<i64>,
    /// That policy's cure window: a request's due date follows from the one
    /// its deficiency was cited under, an expiry is decided under the one in
    /// force then (its extension). None: stamped before the window existed
    /// (the default window applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cure: Option<CureWindow>,
}

/// The code a denial or request made before coded reasons is counted under.
pub const LEGACY_REASON: &str = "LEGACY";

/// Most entries of a reason catalog and of a document list.
const MAX_REASONS: usize = 100;
const MAX_DOCUMENTS: usize = 64;
/// Longest text of a reason or a document label (characters).
const MAX_REASON_TEXT: usize = 500;

/// The shipped 2022 reason catalog: what a policy without its own uses
/// (the default and final-2022 files list exactly these; a test keeps them equal).
pub fn standard_reasons() -> Vec<ReasonDef> {
    let r = |code: &str, kind, ko: &str, en: &str, appealable| ReasonDef {
        code: code.into(),
        kind,
        ko: ko.into(),
        en: en.into(),
        appealable,
    };
    use ReasonKind::{Closure, Deficiency, Denial};
    vec![
        r(
            "NO_LOSS_SHOWN",
            Denial,
            "장애로 인한 피해 사실이 확인되지 않았습니다.",
            "No loss caused by the outage was shown.",
            true,
        ),
        r(
            "OUTSIDE_WINDOW",
            Denial,
            "접수 기간이 지난 뒤에 접수된 신고입니다.",
            "The report was filed outside the filing window.",
            true,
        ),
        r(
            "DUPLICATE",
            Denial,
            "이미 접수된 신고와 같은 피해에 대한 중복 신고입니다.",
            "The report duplicates an earlier report of the same damage.",
            false,
        ),
        r(
            "NOT_ELIGIBLE_CATEGORY",
            Denial,
            "신고인 유형이 보상 대상에 해당하지 않습니다.",
            "The claimant's category is not covered by the programme.",
            true,
        ),
        r(
            "NOT_AFFECTED_SERVICE",
            Denial,
            "신고한 서비스는 장애 대상 서비스가 아닙니다.",
            "The service reported was not affected by the outage.",
            true,
        ),
        r(
            "NO_OVERLAP",
            Denial,
            "피해 기간이 장애 시간과 겹치지 않습니다.",
            "The damage period does not meet the outage.",
            true,
        ),
        r(
            "NO_VALID_BRN",
            Denial,
            "유효한 사업자등록번호가 확인되지 않습니다.",
            "No valid business registration number was given.",
            true,
        ),
        r(
            "NOT_CURED",
            Denial,
            "보완 요청한 서류가 기한까지 제출되지 않았습니다.",
            "The requested documents were not sent by the due date.",
            true,
        ),
        r(
            "DOCUMENTS_MISSING",
            Deficiency,
            "보상에 필요한 서류가 빠져 있습니다. 안내한 서류를 보내 주세요.",
            "Documents needed for compensation are missing; please send the documents listed.",
            false,
        ),
        r(
            "LOSS_PROOF_NEEDED",
            Deficiency,
            "매출 감소 등 피해 금액을 확인할 수 있는 증빙을 보내 주세요.",
            "Please send proof of the amount lost (lost sales, for example).",
            false,
        ),
        r(
            "ACCOUNT_INFO_NEEDED",
            Deficiency,
            "지급받을 계좌 정보를 확인할 수 없습니다. 통장 사본을 보내 주세요.",
            "The bank account for the payment cannot be confirmed; please send a copy of the bankbook.",
            false,
        ),
        r(
            "IDENTITY_UNCONFIRMED",
            Deficiency,
            "신고인 본인 확인이 필요합니다.",
            "The claimant's identity must be confirmed.",
            false,
        ),
        r(
            "INQUIRY_ANSWERED",
            Closure,
            "문의하신 내용에 답변드리고 접수를 종결합니다.",
            "Your inquiry has been answered and the report is closed.",
            false,
        ),
        r(
            "OPINION_NOTED",
            Closure,
            "보내 주신 의견을 접수하고 종결합니다.",
            "Your opinion has been noted and the report is closed.",
            false,
        ),
        r(
            "COMPLAINT_FORWARDED",
            Closure,
            "불편 사항을 담당 부서에 전달하고 종결합니다.",
            "Your complaint has been passed on and the report is closed.",
            false,
        ),
        r(
            "NO_DAMAGE_REPORTED",
            Closure,
            "보상 대상 피해가 신고되지 않아 종결합니다.",
            "No damage to compensate was reported; the report is closed.",
            false,
        ),
    ]
}

/// The documents the 2022 programme asked for (the default and final-2022 files list them).
pub fn standard_documents() -> Vec<DocumentDef> {
    use crate::model::Category::{Advertiser, DesignatedDriver, SmallBusiness, TaxiDriver};
    let d = |code: &str, ko: &str, en: &str, categories: Vec<crate::model::Category>| DocumentDef {
        code: code.into(),
        ko: ko.into(),
        en: en.into(),
        categories,
    };
    vec![
        d("SMALL_BUSINESS_CERT", "소상공인 확인서", "Small-business certificate", vec![SmallBusiness]),
        d("LOST_SALES_PROOF", "매출 감소 증빙", "Proof of lost sales", vec![SmallBusiness]),
        d(
            "SERVICE_USE_PROOF",
            "카카오 서비스 이용 증빙",
            "Proof of Kakao service use",
            vec![SmallBusiness, Advertiser],
        ),
        d("TRIP_RECORDS", "카카오 T 운행 내역", "Kakao T trip records", vec![TaxiDriver, DesignatedDriver]),
        d("AD_SPEND_STATEMENT", "광고비 집행 내역", "Statement of ad spend", vec![Advertiser]),
        d(
            "BANK_ACCOUNT_COPY",
            "통장 사본",
            "Copy of the bankbook",
            vec![SmallBusiness, TaxiDriver, DesignatedDriver, Advertiser],
        ),
    ]
}

/// Check 1: claims received outside [start, end] fail with FILED_OUT_OF_WINDOW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilingWindow {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

/// free_user: the apology voucher of policy.md (amount 0), and any further grants.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeUserRule {
    /// The apology emoticon voucher; false leaves only `grants` (which must then list one).
    #[serde(default = "yes")]
    pub voucher: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRule>,
}

impl Default for FreeUserRule {
    fn default() -> FreeUserRule {
        FreeUserRule { voucher: true, grants: Vec::new() }
    }
}

impl FreeUserRule {
    fn is_default(&self) -> bool {
        *self == FreeUserRule::default()
    }
}

fn yes() -> bool {
    true
}

/// paid_subscriber: extension_days = ceil(extension_multiplier × overlap / 86,400 s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRule {
    #[serde(with = "money")]
    pub extension_multiplier: Decimal,
    /// Given with the extension.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRule>,
}

/// taxi_driver and designated_driver: base = daily income × overlap / 86,400 s
/// (or `flat` without a daily income); amount = floor10(min(base, cap, claimed)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverRule {
    #[serde(with = "money")]
    pub flat: Decimal,
    #[serde(with = "money")]
    pub cap: Decimal,
    /// Flat amounts by an intake column instead of the formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Segments>,
    /// Given with the cash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRule>,
}

/// Segments inside a category: the value of one intake column (found by its
/// header) picks a segment, and the segment's amount is the claim's cash,
/// paid as listed (neither the cap nor the claimed amount applies). A claim
/// whose column is empty or absent, or holds a value no segment lists, gets
/// `otherwise`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segments {
    /// The column's header, in any of these spellings (Korean and/or English),
    /// matched as intake matches headers: ignoring case, spaces, `_` and `-`.
    /// The first one the claim has a value for is read.
    pub column: Vec<String>,
    #[serde(default)]
    pub otherwise: SegmentFallback,
    #[serde(rename = "segment")]
    pub segments: Vec<Segment>,
}

/// What a claim without a listed segment value gets.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentFallback {
    /// Manual review, reason SEGMENT_MISSING (no value) or SEGMENT_UNKNOWN (a value not listed).
    #[default]
    ManualReview,
    /// The category's own formula, as without segments.
    Formula,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// What people call it ("T 블루").
    pub label: String,
    /// The column values that mean this segment, compared like headers
    /// (ignoring case, spaces, `_` and `-`): "T 블루", "T Blue", ...
    pub values: Vec<String>,
    /// Cash, whole won, paid as listed.
    #[serde(with = "money")]
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub amount: Decimal,
    /// Given besides the cash to claims of this segment (before the category's own grants).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRule>,
}

/// A grant a category gives with its own remedy, the same to every eligible
/// claim of the category that is not sent to manual review. Quantities are
/// those of [`crate::grant`]: `quantity` is the days of an extension, the
/// vouchers (1 when left out), points or months; `amount` is won.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRule {
    /// voucher, extension, points, message_credit or fee_waiver (cash comes from the category's own rule).
    pub kind: Remedy,
    #[serde(default, with = "money", skip_serializing_if = "Decimal::is_zero")]
    #[cfg_attr(feature = "ts", ts(type = "number | string", optional))]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub quantity: Option<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
}

impl GrantRule {
    /// The grant a claim gets.
    pub fn grant(&self) -> Grant {
        let quantity = self.quantity.unwrap_or(u32::from(self.kind == Remedy::Voucher));
        Grant { kind: self.kind, amount: self.amount, quantity, label: self.label.clone() }
    }
}

/// Most grants one list of a policy may hold, and most segments of a category.
const MAX_RULE_GRANTS: usize = 8;
const MAX_SEGMENTS: usize = 64;

/// small_business: banded base on the reported loss, or the documented-loss
/// formula above the last band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmallBusinessRule {
    #[serde(with = "money")]
    pub cap: Decimal,
    /// Ascending by `up_to`; the first band with L ≤ up_to gives the base.
    pub bands: Vec<Band>,
    pub documented: DocumentedLossRule,
    /// Flat amounts by an intake column instead of the bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Segments>,
    /// Given with the cash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(with = "money")]
    pub up_to: Decimal,
    #[serde(with = "money")]
    pub base: Decimal,
}

/// Above the last band: base = max(min, base + (documented_loss − threshold) × rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentedLossRule {
    #[serde(with = "money")]
    pub min: Decimal,
    #[serde(with = "money")]
    pub base: Decimal,
    #[serde(with = "money")]
    pub threshold: Decimal,
    #[serde(with = "money")]
    pub rate: Decimal,
}

/// advertiser: amount = floor10(min(ad_spend, cap, claimed)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvertiserRule {
    #[serde(with = "money")]
    pub cap: Decimal,
    /// Flat amounts by an intake column instead of the ad spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Segments>,
    /// Given with the cash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRule>,
}

/// Why a policy file cannot be used. Messages name the field.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy is not valid TOML: {0}")]
    Toml(#[from] crate::toml_text::TomlSyntax),
    /// `problem` in English (logs, scripts); `said` in the reader's language.
    #[error("{field} {problem}")]
    Invalid { field: String, problem: String, said: Box<Message> },
    #[error("service '{0}' appears twice in the policy")]
    DuplicateService(String),
}

impl PolicyError {
    /// A stable code the UI and scripts can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Toml(_) => "POLICY_SYNTAX",
            PolicyError::Invalid { .. } => "POLICY_INVALID",
            PolicyError::DuplicateService(_) => "POLICY_DUPLICATE_SERVICE",
        }
    }
}

impl Policy {
    /// The default policy of policy.md (the 2022 final plan).
    pub fn default_2022() -> Policy {
        // The embedded file is covered by a test; the fallback only exists so
        // that this function can never panic.
        Policy::from_toml(DEFAULT_POLICY_TOML).unwrap_or_else(|_| Policy::builtin_2022())
    }

    /// The final 2022 programme, the second shipped example (docs/policies.md).
    pub fn final_2022() -> Result<Policy, PolicyError> {
        Policy::from_toml(FINAL_2022_POLICY_TOML)
    }

    /// Whether the evaluation reads intake columns beyond the known ones (a
    /// category has segments): callers that load claims may skip them otherwise.
    pub fn reads_extra_columns(&self) -> bool {
        self.taxi_driver.segments.is_some()
            || self.designated_driver.segments.is_some()
            || self.small_business.segments.is_some()
            || self.advertiser.segments.is_some()
    }

    /// The reason catalog in force under this policy: its own list, or the
    /// shipped 2022 catalog for a policy that lists none.
    pub fn reason_catalog(&self) -> std::borrow::Cow<'_, [ReasonDef]> {
        if self.reasons.is_empty() {
            std::borrow::Cow::Owned(standard_reasons())
        } else {
            std::borrow::Cow::Borrowed(&self.reasons)
        }
    }

    /// The catalog entry of `kind` with `code` (exact), as an op cites it under version `version`.
    pub fn cite(&self, kind: ReasonKind, code: &str, version: Option<i64>) -> Option<CitedReason> {
        self.reason_catalog().iter().find(|r| r.kind == kind && r.code == code).map(|r| CitedReason {
            code: r.code.clone(),
            kind: r.kind,
            ko: r.ko.clone(),
            en: r.en.clone(),
            appealable: r.appealable,
            policy_version: version,
            cure: Some(self.cure),
        })
    }

    /// The documents a claimant of `category` must send.
    pub fn documents_for(&self, category: crate::model::Category) -> Vec<&DocumentDef> {
        self.documents.iter().filter(|d| d.categories.contains(&category)).collect()
    }

    /// Parses and validates a policy file.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = crate::toml_text::parse(text)?;
        policy.validate()?;
        Ok(policy)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The same policy with its service catalog replaced by `catalog`'s.
    pub fn with_catalog(mut self, catalog: &Catalog) -> Policy {
        self.services = catalog.services.clone();
        self
    }

    /// A service of the policy's catalog, by exact code.
    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }

    /// Checks every parameter; the first problem found is returned, naming its field.
    pub fn validate(&self) -> Result<(), PolicyError> {
        match self.problems().into_iter().next() {
            Some(p) => Err(p.into_error()),
            None => Ok(()),
        }
    }

    /// Every problem of the policy, in the order of the file, each with the
    /// path of its field, so an editor can show each one next to its input.
    pub fn problems(&self) -> Vec<PolicyProblem> {
        let mut c = Checker::default();
        if self.name.trim().is_empty() {
            c.push("name", "name", Rule::Empty, &[]);
        }
        if self.filing_window.end < self.filing_window.start {
            c.push(
                "filing_window.end",
                "filing_window.end",
                Rule::NotBefore,
                &[("other", "filing_window.start")],
            );
        }
        let m = "paid_subscriber.extension_multiplier";
        // ceil(multiplier × overlap / 1 day) must fit in a day count.
        if c.positive(m, self.paid_subscriber.extension_multiplier)
            && self.paid_subscriber.extension_multiplier > Decimal::from(1000)
        {
            c.push(m, m, Rule::AtMost, &[("max", "1000")]);
        }
        if self.cure.days == 0 {
            c.push("cure.days", "cure.days", Rule::Positive, &[]);
        } else if self.cure.days > 365 {
            c.push("cure.days", "cure.days", Rule::AtMost, &[("max", "365")]);
        }
        if self.cure.mail_days > 30 {
            c.push("cure.mail_days", "cure.mail_days", Rule::AtMost, &[("max", "30")]);
        }
        if self.cure.reminder_days > self.cure.days {
            let max = self.cure.days.to_string();
            c.push("cure.reminder_days", "cure.reminder_days", Rule::AtMost, &[("max", max.as_str())]);
        }
        if !self.free_user.voucher && self.free_user.grants.is_empty() {
            c.record(Err(Said::new("free_user.grants", msg!("policy.problem.free_user_grant"))));
        }
        c.record(check_grants("free_user.grants", &self.free_user.grants));
        c.record(check_grants("paid_subscriber.grants", &self.paid_subscriber.grants));
        for (name, rule) in
            [("taxi_driver", &self.taxi_driver), ("designated_driver", &self.designated_driver)]
        {
            c.non_negative(&format!("{name}.flat"), rule.flat);
            c.positive(&format!("{name}.cap"), rule.cap);
            c.record(check_segments(&format!("{name}.segments"), rule.segments.as_ref()));
            c.record(check_grants(&format!("{name}.grants"), &rule.grants));
        }
        let sb = &self.small_business;
        c.positive("small_business.cap", sb.cap);
        if sb.bands.is_empty() {
            c.push("small_business.bands", "small_business.bands", Rule::AtLeastOne, &[]);
        }
        let mut previous: Option<Decimal> = None;
        for (i, band) in sb.bands.iter().enumerate() {
            let field = format!("small_business.bands[{i}]");
            let up_to = format!("{field}.up_to");
            if c.non_negative(&up_to, band.up_to) && previous.is_some_and(|p| band.up_to <= p) {
                c.push(&up_to, &up_to, Rule::Ascending, &[]);
            }
            c.non_negative(&format!("{field}.base"), band.base);
            previous = Some(band.up_to);
        }
        let d = &sb.documented;
        c.non_negative("small_business.documented.min", d.min);
        c.non_negative("small_business.documented.base", d.base);
        c.non_negative("small_business.documented.threshold", d.threshold);
        if c.non_negative("small_business.documented.rate", d.rate) && d.rate > Decimal::ONE {
            c.push(
                "small_business.documented.rate",
                "small_business.documented.rate",
                Rule::AtMost,
                &[("max", "1")],
            );
        }
        c.record(check_segments("small_business.segments", sb.segments.as_ref()));
        c.record(check_grants("small_business.grants", &sb.grants));
        c.positive("advertiser.cap", self.advertiser.cap);
        c.record(check_segments("advertiser.segments", self.advertiser.segments.as_ref()));
        c.record(check_grants("advertiser.grants", &self.advertiser.grants));
        if self.services.is_empty() {
            c.push("service", "service", Rule::AtLeastOne, &[]);
        }
        let mut seen = HashSet::new();
        for (i, s) in self.services.iter().enumerate() {
            let named = format!("service '{}'", s.code);
            let code = [("service", s.code.as_str())];
            if s.code.trim().is_empty() || s.code.trim() != s.code {
                c.push(&format!("service[{i}].code"), &format!("{named}.code"), Rule::CodeFormat, &code);
            } else if !seen.insert(s.code.as_str()) {
                c.push(&format!("service[{i}].code"), &named, Rule::Duplicate, &code);
            }
            if s.outage_end < s.outage_start {
                c.push(
                    &format!("service[{i}].outage_end"),
                    &format!("{named}.outage_end"),
                    Rule::NotBefore,
                    &[("service", s.code.as_str()), ("other", "outage_start")],
                );
            }
        }
        c.reasons(&self.reasons);
        c.documents(&self.documents);
        c.problems
    }

    /// The default policy written out in code, used only if the embedded file
    /// were ever broken (a test keeps the two equal).
    fn builtin_2022() -> Policy {
        let kst = crate::time::kst();
        let at = |y, mo, d, h, mi, s| {
            use chrono::TimeZone;
            kst.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap_or_default()
        };
        let won = Decimal::from;
        Policy {
            name: "2022 카카오 장애 기본 보상안 (default 2022)".into(),
            filing_window: FilingWindow {
                start: at(2022, 10, 19, 0, 0, 0),
                end: at(2022, 11, 6, 23, 59, 59),
            },
            cure: CureWindow::default(),
            free_user: FreeUserRule::default(),
            paid_subscriber: ExtensionRule { extension_multiplier: won(3), grants: Vec::new() },
            taxi_driver: DriverRule {
                flat: won(25_000),
                cap: won(300_000),
                segments: None,
                grants: Vec::new(),
            },
            designated_driver: DriverRule {
                flat: won(25_000),
                cap: won(200_000),
                segments: None,
                grants: Vec::new(),
            },
            small_business: SmallBusinessRule {
                cap: won(1_000_000),
                bands: vec![
                    Band { up_to: won(300_000), base: won(30_000) },
                    Band { up_to: won(500_000), base: won(50_000) },
                ],
                documented: DocumentedLossRule {
                    min: won(50_000),
                    base: won(50_000),
                    threshold: won(500_000),
                    rate: Decimal::new(1, 1),
                },
                segments: None,
                grants: Vec::new(),
            },
            advertiser: AdvertiserRule { cap: won(5_000_000), segments: None, grants: Vec::new() },
            services: crate::catalog::Catalog::from_toml(crate::catalog::DEFAULT_CATALOG_TOML)
                .map(|c| c.services)
                .unwrap_or_default(),
            reasons: standard_reasons(),
            documents: standard_documents(),
        }
    }
}

/// The rule a value breaks; its code is stable (the UI words each one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Empty,
    NotBefore,
    Positive,
    NonNegative,
    AtMost,
    AtLeastOne,
    Ascending,
    CodeFormat,
    Duplicate,
    /// A rule of segments and grants, said by its English `problem` (the editor shows it as it is).
    Other,
}

impl Rule {
    fn code(self) -> &'static str {
        match self {
            Rule::Empty => "empty",
            Rule::NotBefore => "not_before",
            Rule::Positive => "positive",
            Rule::NonNegative => "non_negative",
            Rule::AtMost => "at_most",
            Rule::AtLeastOne => "at_least_one",
            Rule::Ascending => "ascending",
            Rule::CodeFormat => "code_format",
            Rule::Duplicate => "duplicate",
            Rule::Other => "other",
        }
    }

    /// The rule in the reader's language, with its figures (`get` reads the
    /// problem's parameters; `other`, the field compared with, by its label).
    fn message<'p>(self, get: impl Fn(&str) -> &'p str) -> Message {
        let other = || match get("other") {
            "outage_start" => "policy.field.outage_start",
            _ => "policy.field.filing_window.start",
        };
        match self {
            Rule::Empty => msg!("policy.rule.empty"),
            Rule::NotBefore => msg!("policy.rule.not_before").with_label("other", other()),
            Rule::Positive => msg!("policy.rule.positive"),
            Rule::NonNegative => msg!("policy.rule.non_negative"),
            Rule::AtMost => msg!("policy.rule.at_most", max = get("max")),
            Rule::AtLeastOne => msg!("policy.rule.at_least_one"),
            Rule::Ascending => msg!("policy.rule.ascending"),
            Rule::CodeFormat => msg!("policy.rule.code_format"),
            Rule::Duplicate => msg!("policy.rule.duplicate", service = get("service")),
            // Said by the check that found it (Checker::said); never pushed by rule.
            Rule::Other => msg!("policy.rule.other", problem = get("problem")),
        }
    }
}

/// One problem of a policy: where (`path`, as the editor addresses fields:
/// `small_business.bands[1].up_to`, `service[3].outage_end`), which rule
/// (`rule`, with its figures in `params`), the error code, and the English
/// message PolicyError has always given.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyProblem {
    pub path: String,
    /// POLICY_INVALID or POLICY_DUPLICATE_SERVICE (POLICY_SYNTAX comes from parsing).
    pub code: String,
    /// empty, not_before, positive, non_negative, at_most, at_least_one, ascending, code_format, duplicate,
    /// and for drafts not_a_number, not_a_time.
    pub rule: String,
    /// The rule's figures: `max`, `other` (the field it is compared with), `service` (its code), `value`.
    pub params: BTreeMap<String, String>,
    pub message: String,
    /// The problem in the reader's language (the field is shown beside it).
    pub explain: Message,
    /// The field as the message names it, and what is wrong: PolicyError::Invalid's parts.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    parts: (String, String),
}

impl PolicyProblem {
    /// A problem of a value that is not even a number or a time (editor drafts).
    pub(crate) fn unreadable(path: &str, rule: &'static str, value: &str) -> PolicyProblem {
        let (problem, explain) = if rule == "not_a_time" {
            ("must be a date and time", msg!("policy.rule.not_a_time"))
        } else {
            ("must be a number", msg!("policy.rule.not_a_number", value = value))
        };
        PolicyProblem {
            path: path.to_string(),
            code: "POLICY_INVALID".into(),
            rule: rule.into(),
            params: BTreeMap::from([("value".to_string(), value.to_string())]),
            message: format!("{path} {problem}"),
            explain,
            parts: (path.to_string(), problem.to_string()),
        }
    }

    pub fn into_error(self) -> PolicyError {
        if self.code == "POLICY_DUPLICATE_SERVICE" {
            return PolicyError::DuplicateService(self.params.get("service").cloned().unwrap_or_default());
        }
        PolicyError::Invalid { field: self.parts.0, problem: self.parts.1, said: Box::new(self.explain) }
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<PolicyProblem>,
}

impl Checker {
    /// `named` is the field as the English message names it (services by code).
    fn push(&mut self, path: &str, named: &str, rule: Rule, params: &[(&str, &str)]) {
        let get = |k: &str| params.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| *v);
        let problem = match rule {
            Rule::Empty => "must not be empty".to_string(),
            Rule::NotBefore if named.starts_with("service ") => {
                format!("must not be before its {}", get("other"))
            }
            Rule::NotBefore => format!("must not be before {}", get("other")),
            Rule::Positive => "must be > 0".into(),
            Rule::NonNegative => "must be >= 0".into(),
            Rule::AtMost => format!("must be at most {}", get("max")),
            Rule::AtLeastOne if named == "service" => "the policy needs at least one service".into(),
            Rule::AtLeastOne => "must have at least one band".into(),
            Rule::Ascending => {
                "must be greater than the up_to of the band before it (bands go in ascending order)".into()
            }
            Rule::CodeFormat => "must be a non-empty code without surrounding spaces".into(),
            Rule::Duplicate => "appears twice in the policy".into(),
            Rule::Other => get("problem").to_string(),
        };
        let code = if rule == Rule::Duplicate { "POLICY_DUPLICATE_SERVICE" } else { "POLICY_INVALID" };
        self.problems.push(PolicyProblem {
            path: path.to_string(),
            code: code.into(),
            rule: rule.code().into(),
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            message: format!("{named} {problem}"),
            explain: rule.message(get),
            parts: (named.to_string(), problem),
        });
    }

    /// A problem worded by a message of the core's catalogs (its English is the problem's text).
    fn said(&mut self, said: Said) {
        let problem = said.message.render(Lang::En);
        self.push(&said.field, &said.field, Rule::Other, &[("problem", &problem)]);
        if let Some(last) = self.problems.last_mut() {
            last.explain = said.message;
        }
    }

    /// Records the problem of a check that stops at its first (segments, grants).
    fn record(&mut self, checked: Result<(), Said>) {
        if let Err(said) = checked {
            self.said(said);
        }
    }

    /// Whether `v` is fine (>= 0 and at most MONEY_MAX); records the problem if not.
    fn non_negative(&mut self, field: &str, v: Decimal) -> bool {
        match money_problem(v) {
            None => true,
            Some(Rule::AtMost) => {
                self.push(field, field, Rule::AtMost, &[("max", MONEY_MAX_TEXT)]);
                false
            }
            Some(rule) => {
                self.push(field, field, rule, &[]);
                false
            }
        }
    }

    fn positive(&mut self, field: &str, v: Decimal) -> bool {
        if v <= Decimal::ZERO {
            self.push(field, field, Rule::Positive, &[]);
            return false;
        }
        self.non_negative(field, v)
    }
}

/// A problem at a field, worded in both languages by the core's message catalogs.
struct Said {
    field: String,
    message: Message,
}

impl Said {
    fn new(field: impl Into<String>, message: Message) -> Said {
        Said { field: field.into(), message }
    }
}

/// [`MONEY_MAX`] as the problems write it.
const MONEY_MAX_TEXT: &str = "1,000,000,000,000,000";

/// What is wrong with a sum of money, if anything: below zero, or above [`MONEY_MAX`].
fn money_problem(v: Decimal) -> Option<Rule> {
    if v.is_sign_negative() && !v.is_zero() {
        Some(Rule::NonNegative)
    } else if v > MONEY_MAX {
        Some(Rule::AtMost)
    } else {
        None
    }
}

fn non_negative(field: &str, v: Decimal) -> Result<(), Said> {
    match money_problem(v) {
        None => Ok(()),
        Some(Rule::AtMost) => Err(Said::new(field, msg!("policy.problem.at_most", max = MONEY_MAX_TEXT))),
        Some(_) => Err(Said::new(field, msg!("policy.problem.non_negative"))),
    }
}

/// A category's further grants: non-cash kinds, each within the measures of
/// [`crate::grant`], a few at most.
fn check_grants(field: &str, grants: &[GrantRule]) -> Result<(), Said> {
    if grants.len() > MAX_RULE_GRANTS {
        return Err(Said::new(field, msg!("policy.problem.too_many_grants", max = MAX_RULE_GRANTS)));
    }
    for (i, rule) in grants.iter().enumerate() {
        let at = format!("{field}[{i}]");
        match rule.kind {
            Remedy::Cash => return Err(Said::new(format!("{at}.kind"), msg!("policy.problem.grant_cash"))),
            Remedy::ManualReview | Remedy::None => {
                return Err(Said::new(format!("{at}.kind"), msg!("policy.problem.grant_kind")))
            }
            _ => {}
        }
        non_negative(&format!("{at}.amount"), rule.amount)?;
        rule.grant().check().map_err(|(part, problem)| Said::new(format!("{at}.{part}"), problem))?;
    }
    Ok(())
}

/// A category's segments: a column to read, at least one segment, each with a
/// label, values no other segment lists, and a whole non-negative amount.
fn check_segments(field: &str, segments: Option<&Segments>) -> Result<(), Said> {
    let Some(s) = segments else { return Ok(()) };
    if s.column.is_empty() {
        return Err(Said::new(format!("{field}.column"), msg!("policy.problem.segment_column")));
    }
    for (i, name) in s.column.iter().enumerate() {
        if normalized(name).next().is_none() {
            return Err(Said::new(format!("{field}.column[{i}]"), msg!("policy.problem.blank")));
        }
    }
    if s.segments.is_empty() {
        return Err(Said::new(format!("{field}.segment"), msg!("policy.problem.segment_list")));
    }
    if s.segments.len() > MAX_SEGMENTS {
        return Err(Said::new(
            format!("{field}.segment"),
            msg!("policy.problem.too_many_segments", max = MAX_SEGMENTS),
        ));
    }
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, seg) in s.segments.iter().enumerate() {
        let at = format!("{field}.segment[{i}]");
        if seg.label.trim().is_empty() {
            return Err(Said::new(format!("{at}.label"), msg!("policy.problem.empty")));
        }
        if seg.label.chars().count() > crate::grant::MAX_LABEL {
            return Err(Said::new(
                format!("{at}.label"),
                msg!("policy.problem.too_long", max = crate::grant::MAX_LABEL),
            ));
        }
        if seg.values.is_empty() {
            return Err(Said::new(format!("{at}.values"), msg!("policy.problem.segment_values")));
        }
        for (j, value) in seg.values.iter().enumerate() {
            let key: String = normalized(value).collect();
            if key.is_empty() {
                return Err(Said::new(format!("{at}.values[{j}]"), msg!("policy.problem.blank")));
            }
            if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
                return Err(Said::new(
                    format!("{at}.values[{j}]"),
                    msg!(
                        "policy.problem.value_taken",
                        value = value,
                        other = format!("{field}.segment[{other}]")
                    ),
                ));
            }
            seen.push((key, i));
        }
        non_negative(&format!("{at}.amount"), seg.amount)?;
        if !seg.amount.fract().is_zero() {
            return Err(Said::new(format!("{at}.amount"), msg!("policy.problem.whole_won")));
        }
        check_grants(&format!("{at}.grants"), &seg.grants)?;
    }
    Ok(())
}

/// A code of the reason catalog or the document list: `NO_LOSS_SHOWN`.
fn is_code(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && text.len() <= 40
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// What is wrong with a text a claimant reads (blank, too long), if anything.
fn text_problem(text: &str) -> Option<Message> {
    if text.trim().is_empty() {
        return Some(msg!("policy.problem.empty"));
    }
    (text.chars().count() > MAX_REASON_TEXT).then(|| msg!("policy.problem.too_long", max = MAX_REASON_TEXT))
}

impl Checker {
    /// A problem at `path`, worded by a message of the core's catalogs.
    fn other(&mut self, path: &str, message: Message) {
        self.said(Said::new(path, message));
    }

    /// A code of the catalog or the document list at `at`: well formed and not listed before.
    fn code<'a>(&mut self, at: &str, code: &'a str, seen: &mut HashSet<&'a str>, example: &str) {
        if !is_code(code) {
            self.other(&format!("{at}.code"), msg!("policy.problem.code_format", example = example));
        } else if !seen.insert(code) {
            self.other(&format!("{at}.code"), msg!("policy.problem.listed_twice", code = code));
        }
    }

    fn texts(&mut self, at: &str, ko: &str, en: &str) {
        for (lang, text) in [("ko", ko), ("en", en)] {
            if let Some(p) = text_problem(text) {
                self.other(&format!("{at}.{lang}"), p);
            }
        }
    }

    /// The reason catalog: codes well formed and unique, texts in both languages. Every problem, at its field.
    fn reasons(&mut self, reasons: &[ReasonDef]) {
        if reasons.len() > MAX_REASONS {
            self.other("reason", msg!("policy.problem.too_many_reasons", max = MAX_REASONS));
        }
        let mut seen = HashSet::new();
        for (i, r) in reasons.iter().enumerate() {
            let at = format!("reason[{i}]");
            if r.code == LEGACY_REASON {
                self.other(&format!("{at}.code"), msg!("policy.problem.legacy_code", code = LEGACY_REASON));
            } else {
                self.code(&at, &r.code, &mut seen, "NO_LOSS_SHOWN");
            }
            self.texts(&at, &r.ko, &r.en);
        }
    }

    /// The documents: codes well formed and unique, labels, at least one category each.
    fn documents(&mut self, documents: &[DocumentDef]) {
        if documents.len() > MAX_DOCUMENTS {
            self.other("document", msg!("policy.problem.too_many_documents", max = MAX_DOCUMENTS));
        }
        let mut seen = HashSet::new();
        for (i, d) in documents.iter().enumerate() {
            let at = format!("document[{i}]");
            self.code(&at, &d.code, &mut seen, "BANK_ACCOUNT_COPY");
            self.texts(&at, &d.ko, &d.en);
            if d.categories.is_empty() {
                self.other(&format!("{at}.categories"), msg!("policy.problem.document_categories"));
            }
        }
    }
}

/// A header or a segment value as compared: trimmed, without a byte order
/// mark, spaces, `_` or `-`, lower case (intake's rule for headers).
pub(crate) fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    text.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{a0}'))
        .flat_map(char::to_lowercase)
}

/// Money and rates in TOML: whole numbers as integers and other values as
/// TOML floats when that is exact ("rate = 0.1"), else as strings, so a
/// round trip never changes a figure. Reads integers, floats or strings.
mod money {
    use std::str::FromStr;

    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        if v.fract().is_zero() {
            if let Some(i) = v.trunc().to_i64() {
                return s.serialize_i64(i);
            }
        }
        if let Some(f) = v.to_f64() {
            if Decimal::from_str(&f.to_string()).ok() == Some(*v) {
                return s.serialize_f64(f);
            }
        }
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        <Decimal as Deserialize>::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(text: &str) -> String {
        match Policy::from_toml(text) {
            Ok(_) => "accepted".into(),
            Err(e) => format!("{}: {e}", e.code()),
        }
    }

    #[test]
    fn every_rule_problem_is_said_in_korean_with_its_field() {
        use crate::message::Explain;
        let mut p = Policy::default_2022();
        p.name = " ".into();
        p.filing_window.end = p.filing_window.start - chrono::Duration::days(1);
        p.paid_subscriber.extension_multiplier = Decimal::from(5000);
        p.taxi_driver.cap = Decimal::ZERO;
        p.taxi_driver.flat = Decimal::from(-1);
        p.small_business.bands[1].up_to = Decimal::from(1);
        p.small_business.documented.rate = Decimal::from(2);
        p.services[1].code = p.services[0].code.clone();
        p.services[2].code = " x".into();
        let s = p.services[3].outage_start;
        p.services[3].outage_end = s - chrono::Duration::hours(1);
        let ko: Vec<(String, String)> =
            p.problems().into_iter().map(|x| (x.path.clone(), x.explain.render(Lang::Ko))).collect();
        let said = |path: &str| ko.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str());
        assert_eq!(said("name"), Some("비워 둘 수 없습니다."));
        assert_eq!(said("filing_window.end"), Some("접수 시작보다 앞설 수 없습니다."));
        assert_eq!(said("paid_subscriber.extension_multiplier"), Some("1000 이하여야 합니다."));
        assert_eq!(said("taxi_driver.cap"), Some("0보다 커야 합니다."));
        assert_eq!(said("taxi_driver.flat"), Some("0 이상이어야 합니다."));
        assert_eq!(
            said("small_business.bands[1].up_to"),
            Some("앞 구간의 상한보다 커야 합니다 (구간은 오름차순).")
        );
        assert_eq!(said("small_business.documented.rate"), Some("1 이하여야 합니다."));
        assert_eq!(said("service[2].code"), Some("앞뒤 공백 없는 코드를 입력하세요."));
        assert_eq!(said("service[3].outage_end"), Some("장애 시작보다 앞설 수 없습니다."));
        let twice = format!("서비스 코드 {}이(가) 두 번 있습니다.", p.services[0].code);
        assert_eq!(said("service[1].code"), Some(twice.as_str()));
        assert!(ko.iter().all(|(_, t)| t.chars().any(|c| ('가'..='힣').contains(&c))), "{ko:?}");

        // The error a script or the server sees says the field and the rule in Korean too.
        let e = Policy::from_toml(&p.to_toml()).expect_err("refused");
        assert_eq!(e.message().render(Lang::Ko), "정책 항목 name: 비워 둘 수 없습니다.");
        assert_eq!(e.message().render(Lang::En), "Policy field name: Must not be empty.");
    }

    #[test]
    fn a_policy_that_is_not_toml_names_its_line_in_korean() {
        use crate::message::Explain;
        let text = DEFAULT_POLICY_TOML.replacen("cap = 5000000", "cap = 오백만", 1);
        let e = Policy::from_toml(&text).expect_err("refused");
        assert_eq!(e.code(), "POLICY_SYNTAX");
        let line = text.lines().position(|l| l.contains("오백만")).expect("the line") + 1;
        let ko = e.message().render(Lang::Ko);
        assert!(
            ko.starts_with(&format!(
                "정책 파일을 읽을 수 없습니다. {line}번째 줄 7번째 글자: TOML 문법에 맞지 않습니다."
            )),
            "{ko}"
        );
    }

    #[test]
    fn default_policy_validates_and_matches_the_builtin_copy() {
        let p = Policy::from_toml(DEFAULT_POLICY_TOML).expect("the shipped policy is valid");
        assert_eq!(p, Policy::builtin_2022());
        assert_eq!(p, Policy::default_2022());
        assert_eq!(p.services.len(), 11);
        assert_eq!(p.small_business.documented.rate, Decimal::new(1, 1));
        assert!(Policy::builtin_2022().validate().is_ok());
    }

    #[test]
    fn the_policy_carries_the_shipped_catalog() {
        let p = Policy::default_2022();
        assert_eq!(p.services, Catalog::default_2022().services);
        assert_eq!(p.clone().with_catalog(&Catalog::default_2022()), p);
        assert_eq!(p.service("kakao_t").map(|s| s.name.as_str()), Some("카카오 T"));
        assert!(p.service("KAKAO_T").is_none(), "codes are exact");
    }

    #[test]
    fn toml_round_trip_keeps_every_figure() {
        let p = Policy::default_2022();
        let text = p.to_toml();
        assert!(text.contains("rate = 0.1"), "{text}");
        assert!(text.contains("cap = 300000"), "{text}");
        let back = Policy::from_toml(&text).expect("round trip");
        assert_eq!(back, p);

        let mut odd = p.clone();
        odd.small_business.documented.rate = Decimal::new(1234567890123456789, 19);
        odd.taxi_driver.flat = Decimal::new(2500050, 2);
        let back = Policy::from_toml(&odd.to_toml()).expect("round trip");
        assert_eq!(back, odd);
    }

    #[test]
    fn amounts_may_be_written_as_strings_or_floats() {
        let text = DEFAULT_POLICY_TOML
            .replace("rate = 0.1", "rate = \"0.10\"")
            .replace("cap = 300000", "cap = 300000.0");
        let p = Policy::from_toml(&text).expect("valid");
        assert_eq!(p.small_business.documented.rate, Decimal::new(1, 1));
        assert_eq!(p.taxi_driver.cap, Decimal::from(300_000));
    }

    #[test]
    fn bad_policy_files_name_the_field() {
        let e = err_of(&DEFAULT_POLICY_TOML.replace("cap = 1000000", "cap = 0"));
        assert_eq!(e, "POLICY_INVALID: small_business.cap must be > 0");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("cap = 200000", "cap = -5"));
        assert_eq!(e, "POLICY_INVALID: designated_driver.cap must be > 0");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("extension_multiplier = 3", "extension_multiplier = 0"));
        assert_eq!(e, "POLICY_INVALID: paid_subscriber.extension_multiplier must be > 0");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("up_to = 500000", "up_to = 300000"));
        assert!(e.starts_with("POLICY_INVALID: small_business.bands[1].up_to must be greater"), "{e}");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("rate = 0.1", "rate = -0.1"));
        assert_eq!(e, "POLICY_INVALID: small_business.documented.rate must be >= 0");
        let e = err_of(
            &DEFAULT_POLICY_TOML
                .replace("end = \"2022-11-06T23:59:59+09:00\"", "end = \"2022-10-01T00:00:00+09:00\""),
        );
        assert_eq!(e, "POLICY_INVALID: filing_window.end must not be before filing_window.start");
        let e = err_of(&DEFAULT_POLICY_TOML.replace(
            "outage_end = \"2022-10-16T01:31:00+09:00\"",
            "outage_end = \"2022-10-14T01:31:00+09:00\"",
        ));
        assert_eq!(e, "POLICY_INVALID: service 'kakaotalk'.outage_end must not be before its outage_start");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("code = \"melon\"", "code = \"kakaotalk\""));
        assert_eq!(e, "POLICY_DUPLICATE_SERVICE: service 'kakaotalk' appears twice in the policy");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("cap = 5000000", "cap = 5000000000000000000"));
        assert!(e.contains("advertiser.cap must be at most"), "{e}");
    }

    #[test]
    fn every_problem_is_reported_at_its_field_and_the_first_is_the_error() {
        assert!(Policy::default_2022().problems().is_empty());
        let mut p = Policy::default_2022();
        p.name = " ".into();
        p.taxi_driver.cap = Decimal::ZERO;
        p.small_business.bands[1].up_to = Decimal::from(100_000);
        p.small_business.bands[0].base = Decimal::from(-1);
        p.small_business.documented.rate = Decimal::from(2);
        p.services[3].code = p.services[1].code.clone();
        p.services[4].outage_end = p.services[4].outage_start - chrono::Duration::hours(1);
        let problems = p.problems();
        let got: Vec<(&str, &str)> = problems.iter().map(|x| (x.path.as_str(), x.rule.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("name", "empty"),
                ("taxi_driver.cap", "positive"),
                ("small_business.bands[0].base", "non_negative"),
                ("small_business.bands[1].up_to", "ascending"),
                ("small_business.documented.rate", "at_most"),
                ("service[3].code", "duplicate"),
                ("service[4].outage_end", "not_before"),
            ]
        );
        let rate = &problems[4];
        assert_eq!(
            (rate.code.as_str(), rate.params.get("max").map(String::as_str)),
            ("POLICY_INVALID", Some("1"))
        );
        assert_eq!(rate.message, "small_business.documented.rate must be at most 1");
        let dup = &problems[5];
        assert_eq!(dup.code, "POLICY_DUPLICATE_SERVICE");
        assert_eq!(dup.message, format!("service '{}' appears twice in the policy", p.services[1].code));
        let outage = &problems[6];
        assert_eq!(outage.params.get("service"), Some(&p.services[4].code));
        assert_eq!(
            outage.message,
            format!("service '{}'.outage_end must not be before its outage_start", p.services[4].code)
        );
        // validate() gives the first, with the text it always had.
        let e = p.validate().expect_err("invalid");
        assert_eq!(format!("{}: {e}", e.code()), "POLICY_INVALID: name must not be empty");
        p.name = "ok".into();
        p.taxi_driver.cap = Decimal::ONE;
        p.small_business.bands[1].up_to = Decimal::from(500_000);
        p.small_business.bands[0].base = Decimal::ONE;
        p.small_business.documented.rate = Decimal::ONE;
        let e = p.validate().expect_err("duplicate");
        assert_eq!(e.code(), "POLICY_DUPLICATE_SERVICE");
    }

    #[test]
    fn syntax_errors_missing_and_unknown_fields_are_refused_with_their_name() {
        let e = err_of(&DEFAULT_POLICY_TOML.replace("flat = 25000\ncap = 300000", "cap = 300000"));
        assert!(e.starts_with("POLICY_SYNTAX") && e.contains("flat"), "{e}");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("cap = 300000", "cap = 300000\ncapp = 1"));
        assert!(e.starts_with("POLICY_SYNTAX") && e.contains("capp"), "{e}");
        let e = err_of(&DEFAULT_POLICY_TOML.replace("cap = 300000", "cap = \"lots\""));
        assert!(e.starts_with("POLICY_SYNTAX") && e.contains("cap"), "{e}");
        assert!(err_of("this is = = not toml").starts_with("POLICY_SYNTAX"));
        assert!(err_of("").starts_with("POLICY_SYNTAX"));
        // A stray key inside a [[service]] table is named too, not ignored.
        let first_service =
            DEFAULT_POLICY_TOML.find("[[service]]").expect("the default policy lists services");
        let mut text = DEFAULT_POLICY_TOML.to_string();
        text.insert_str(first_service + "[[service]]\n".len(), "cap = -5\n");
        let e = err_of(&text);
        assert!(e.starts_with("POLICY_SYNTAX") && e.contains("cap"), "{e}");
    }

    #[test]
    fn the_shipped_policies_carry_the_2022_reason_catalog_and_documents() {
        for example in EXAMPLE_POLICIES {
            let p = Policy::from_toml(example.toml).expect("valid");
            assert_eq!(p.reasons, standard_reasons(), "{}", example.code);
            assert_eq!(p.documents, standard_documents(), "{}", example.code);
        }
        let p = Policy::default_2022();
        let cited = p.cite(ReasonKind::Denial, "NO_LOSS_SHOWN", Some(1)).expect("a denial reason");
        assert!(cited.appealable && cited.ko.contains("피해") && cited.policy_version == Some(1));
        assert!(
            p.cite(ReasonKind::Deficiency, "NO_LOSS_SHOWN", None).is_none(),
            "a denial is not a deficiency"
        );
        assert!(p.cite(ReasonKind::Denial, "no_loss_shown", None).is_none(), "codes are exact");
        assert!(p.cite(ReasonKind::Closure, "INQUIRY_ANSWERED", None).is_some());
        let small: Vec<&str> =
            p.documents_for(crate::model::Category::SmallBusiness).iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            small,
            ["SMALL_BUSINESS_CERT", "LOST_SALES_PROOF", "SERVICE_USE_PROOF", "BANK_ACCOUNT_COPY"]
        );
        assert!(p.documents_for(crate::model::Category::FreeUser).is_empty());
    }

    #[test]
    fn a_policy_written_before_reason_catalogs_uses_the_shipped_one_and_writes_as_before() {
        // The default file as it was: everything up to its first [[reason]].
        let old = &DEFAULT_POLICY_TOML[..DEFAULT_POLICY_TOML.find("\n# The reason catalog").expect("marker")];
        let p = Policy::from_toml(old).expect("reads");
        assert!(p.reasons.is_empty() && p.documents.is_empty());
        assert_eq!(p.reason_catalog().as_ref(), standard_reasons().as_slice());
        assert!(p.cite(ReasonKind::Denial, "DUPLICATE", None).is_some());
        assert!(!p.to_toml().contains("[[reason]]"), "nothing is added to the file");
        assert!(p.documents_for(crate::model::Category::SmallBusiness).is_empty());
    }

    #[test]
    fn a_bad_reason_catalog_or_document_list_is_named_at_every_field() {
        let mut p = Policy::default_2022();
        p.reasons[1].code = "no spaces".into();
        p.reasons[2].code = p.reasons[0].code.clone();
        p.reasons[3].ko = " ".into();
        p.reasons[4].code = LEGACY_REASON.into();
        p.documents[0].categories.clear();
        p.documents[1].en = "x".repeat(600);
        let got: Vec<(String, String)> = p.problems().into_iter().map(|x| (x.path, x.message)).collect();
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "reason[1].code",
                "reason[2].code",
                "reason[3].ko",
                "reason[4].code",
                "document[0].categories",
                "document[1].en"
            ],
            "{got:?}"
        );
        assert!(got[1].1.contains("listed twice"), "{got:?}");
        // The editor shows each in the reader's language: the core's message, in Korean too.
        let ko: Vec<String> = p.problems().into_iter().map(|x| x.explain.render(Lang::Ko)).collect();
        let twice = format!("'{}'이(가) 두 번 있습니다.", p.reasons[0].code);
        assert_eq!(
            ko,
            [
                "영문 대문자, 숫자, _로 된 코드여야 하며 문자로 시작하고 40자 이하입니다(예: NO_LOSS_SHOWN).",
                twice.as_str(),
                "비워 둘 수 없습니다.",
                "LEGACY는 코드 사유 도입 전의 기각에 쓰는 예약 코드입니다. 다른 코드를 정하십시오.",
                "이 서류를 내야 하는 신고 유형을 하나 이상 고르십시오.",
                "500자 이하여야 합니다."
            ]
        );
        let e = Policy::from_toml(&p.to_toml()).expect_err("invalid");
        assert_eq!(e.code(), "POLICY_INVALID");
        let text = DEFAULT_POLICY_TOML.replace("kind = \"closure\"", "kind = \"farewell\"");
        assert_eq!(Policy::from_toml(&text).map_err(|e| e.code()).err(), Some("POLICY_SYNTAX"));
    }
}
