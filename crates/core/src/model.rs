//! The claim and the words the rest of ClaimDesk speaks: categories, remedies,
//! statuses and roles, each with its stable code (stored, synced, printed) and
//! its Korean and English labels (shown).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Declares a closed set of codes: an enum with `code()`, `ALL`, labels,
/// `FromStr` (accepting the code or the Korean label) and serde as the code.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $ko:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name { $(#[cfg_attr(feature = "ts", ts(rename = $code))] $variant),+ }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as stored and as written in files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn label_ko(self) -> &'static str {
                match self { $($name::$variant => $ko),+ }
            }
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
            /// Accepts the code or the Korean label, ignoring case and surrounding spaces.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim();
                $name::ALL.iter().copied().find(|v| {
                    v.code().eq_ignore_ascii_case(t) || v.label_ko() == t
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                $name::parse(s).ok_or_else(|| UnknownCode { kind: stringify!($name), text: s.to_string() })
            }
        }
    };
}

/// The label of `status.approved`, `role.reviewer`, `category.taxi_driver`,
/// `remedy.cash`, `reason.DUPLICATE`, `action.take` or `noteKind.note` in
/// `lang` (the keys the UI's dictionaries use for the same labels).
pub fn code_label(lang: crate::message::Lang, key: &str) -> Option<&'static str> {
    use crate::message::Lang;
    let (kind, code) = key.split_once('.')?;
    fn pick<T: Copy>(
        lang: Lang,
        v: Option<T>,
        ko: fn(T) -> &'static str,
        en: fn(T) -> &'static str,
    ) -> Option<&'static str> {
        v.map(|v| if lang == Lang::Ko { ko(v) } else { en(v) })
    }
    match kind {
        "status" => pick(lang, ClaimStatus::parse(code), ClaimStatus::label_ko, ClaimStatus::label_en),
        "role" => pick(lang, Role::parse(code), Role::label_ko, Role::label_en),
        "category" => pick(lang, Category::parse(code), Category::label_ko, Category::label_en),
        "remedy" => pick(lang, Remedy::parse(code), Remedy::label_ko, Remedy::label_en),
        "reason" => pick(lang, Reason::parse(code), Reason::label_ko, Reason::label_en),
        "action" => pick(lang, ClaimAction::parse(code), ClaimAction::label_ko, ClaimAction::label_en),
        "noteKind" => pick(lang, NoteKind::parse(code), NoteKind::label_ko, NoteKind::label_en),
        "reportType" => pick(lang, ReportType::parse(code), ReportType::label_ko, ReportType::label_en),
        "letterKind" => pick(lang, LetterKind::parse(code), LetterKind::label_ko, LetterKind::label_en),
        "dueState" => pick(lang, DueState::parse(code), DueState::label_ko, DueState::label_en),
        "noticeChannel" => {
            pick(lang, NoticeChannel::parse(code), NoticeChannel::label_ko, NoticeChannel::label_en)
        }
        _ => None,
    }
}

/// A text that is not one of the codes of a closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a known {kind}")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub text: String,
}

coded_enum! {
    /// Who the claimant is (intake.md, "Categories").
    Category {
        FreeUser => "free_user", "무료 이용자", "Free user";
        PaidSubscriber => "paid_subscriber", "유료 이용자", "Paid subscriber";
        TaxiDriver => "taxi_driver", "택시 기사", "Taxi driver";
        DesignatedDriver => "designated_driver", "대리운전 기사", "Designated driver";
        SmallBusiness => "small_business", "소상공인", "Small business";
        Advertiser => "advertiser", "광고주", "Advertiser";
        Other => "other", "기타", "Other";
    }
}

impl Reason {
    /// The denial code of the shipped reason catalog that a denial following
    /// this policy result cites (the policy found the claim ineligible for it).
    pub fn denial_code(self) -> Option<&'static str> {
        match self {
            Reason::FiledOutOfWindow => Some("OUTSIDE_WINDOW"),
            Reason::UnknownService => Some("NOT_AFFECTED_SERVICE"),
            Reason::NoOverlap => Some("NO_OVERLAP"),
            Reason::MissingBrn => Some("NO_VALID_BRN"),
            Reason::Duplicate => Some("DUPLICATE"),
            Reason::NeedsEvidence
            | Reason::ManualReview
            | Reason::SegmentMissing
            | Reason::SegmentUnknown => None,
        }
    }
}

impl Category {
    /// Business categories are keyed by BRN, individuals by phone.
    pub fn is_business(self) -> bool {
        matches!(self, Category::SmallBusiness | Category::Advertiser)
    }
}

coded_enum! {
    /// What the policy proposes for a claim (policy.md), and the kinds of
    /// grant a claim can be given ([`crate::grant`]; all but manual_review and none).
    Remedy {
        Voucher => "voucher", "이모티콘 교환권", "Voucher";
        Extension => "extension", "이용기간 연장", "Subscription extension";
        Cash => "cash", "현금 보상", "Cash";
        ManualReview => "manual_review", "수동 심사", "Manual review";
        None => "none", "없음", "None";
        Points => "points", "포인트", "Points";
        MessageCredit => "message_credit", "메시지 크레딧", "Message credit";
        FeeWaiver => "fee_waiver", "수수료 면제", "Fee waiver";
    }
}

coded_enum! {
    /// Where a claim is in its life (domain.md, "Lifecycle").
    ClaimStatus {
        New => "new", "신규", "New";
        Triaged => "triaged", "분류됨", "Triaged";
        InReview => "in_review", "심사 중", "In review";
        NeedsInfo => "needs_info", "보완 요청", "Needs info";
        Recommended => "recommended", "심사 의견 제출", "Recommended";
        Batched => "batched", "결재 묶음", "Batched";
        Approved => "approved", "승인", "Approved";
        Paid => "paid", "지급 완료", "Paid";
        Fulfilled => "fulfilled", "이행 완료", "Fulfilled";
        ClosedDenied => "closed_denied", "기각 종결", "Closed (denied)";
        ClosedNoDamage => "closed_no_damage", "비피해 종결", "Closed (no damage)";
        Conflict => "conflict", "충돌", "Conflict";
    }
}

coded_enum! {
    /// What a user may do (domain.md, "People and roles").
    Role {
        Reviewer => "reviewer", "심사자", "Reviewer";
        Supervisor => "supervisor", "책임자", "Supervisor";
        Admin => "admin", "관리자", "Administrator";
    }
}

coded_enum! {
    /// Why the policy found a claim ineligible, or why an eligible one needs a person.
    Reason {
        FiledOutOfWindow => "FILED_OUT_OF_WINDOW", "접수 기간 외", "Filed outside the reporting window";
        UnknownService => "UNKNOWN_SERVICE", "대상 외 서비스", "Service not in the policy's catalog";
        NoOverlap => "NO_OVERLAP", "장애 시간과 무관", "Damage period does not meet the outage";
        MissingBrn => "MISSING_BRN", "사업자등록번호 없음", "Business without a valid registration number";
        Duplicate => "DUPLICATE", "중복 신고", "Duplicate of an earlier report";
        NeedsEvidence => "NEEDS_EVIDENCE", "증빙 필요", "Needs evidence";
        ManualReview => "MANUAL_REVIEW", "수동 심사", "Needs manual review";
        SegmentMissing => "SEGMENT_MISSING", "구간 값 없음", "No value in the segment column";
        SegmentUnknown => "SEGMENT_UNKNOWN", "알 수 없는 구간", "Segment value not in the policy";
    }
}

coded_enum! {
    /// Every kind of action on one claim (the `claim.<code>` op kinds). Each
    /// [`crate::workflow::ClaimCommand`] is one of these; the UI's labels and
    /// allowed-action lists are keyed by them, so a new action that is not
    /// handled everywhere does not compile (Rust) or type-check (TypeScript).
    ClaimAction {
        Triage => "triage", "분류", "Triage";
        Take => "take", "맡기", "Take";
        Release => "release", "반납", "Release";
        RequestInfo => "request_info", "보완 요청", "Request information";
        InfoReceived => "info_received", "보완 접수", "Information received";
        Recommend => "recommend", "심사 의견", "Recommend";
        AddNote => "add_note", "메모 추가", "Add a note";
        WithdrawNote => "withdraw_note", "메모 철회", "Withdraw a note";
        Annotate => "annotate", "태그·우선순위", "Tags and priority";
        AddEvidence => "add_evidence", "증빙 추가", "Add evidence";
        RevealPersonalData => "reveal_personal_data", "개인정보 보기", "Reveal personal data";
        UpdateIntake => "update", "접수 내용 갱신", "Intake update";
        Lease => "lease", "오프라인 가져가기", "Take offline";
        ReleaseLease => "release_lease", "오프라인 반납", "Give back from offline";
        AddToBatch => "add_to_batch", "결재 묶음에 추가", "Add to a batch";
        RemoveFromBatch => "remove_from_batch", "결재 묶음에서 빼기", "Take out of a batch";
        ReturnToReviewer => "return_to_reviewer", "심사자에게 반려", "Return to reviewer";
        Approve => "approve", "승인", "Approve";
        ReservePayout => "reserve_payout", "지급 예약", "Reserve for a payout";
        ReleasePayout => "release_payout", "지급 예약 해제", "Release a payout reservation";
        MarkPaid => "mark_paid", "지급 완료 처리", "Mark paid";
        ReserveFulfilment => "reserve_fulfilment", "이행 예약", "Reserve for a fulfilment";
        ReleaseFulfilment => "release_fulfilment", "이행 예약 해제", "Release a fulfilment reservation";
        MarkFulfilled => "mark_fulfilled", "이행 완료 처리", "Mark fulfilled";
        ResolveConflict => "resolve_conflict", "충돌 해결", "Resolve a conflict";
        SetReportType => "set_report_type", "신고 구분 변경", "Set the report type";
        CloseNoDamage => "close_no_damage", "비피해 종결", "Close as non-damage";
        Reopen => "reopen", "피해 신고로 다시 열기", "Reopen as a damage claim";
        Notify => "notify", "결정 안내 발송", "Send the decision notice";
        CheckDocument => "check_document", "서류 확인", "Tick a document";
        Expire => "expire", "보완 기한 만료 종결", "Close as not cured";
    }
}

coded_enum! {
    /// What a report is (issue 12): a damage claim is reviewed for
    /// compensation; an inquiry, an opinion or a complaint is answered with a
    /// standard reply and closed (`closed_no_damage`), never denied. The
    /// labels are also in the message catalogs (`reportType.<code>`).
    ReportType {
        DamageClaim => "damage_claim", "피해 신고", "Damage claim";
        Inquiry => "inquiry", "문의", "Inquiry";
        Opinion => "opinion", "의견", "Opinion";
        Complaint => "complaint", "불만", "Complaint";
    }
}

// coded_enum! declares the variants, so `#[derive(Default)]` with `#[default]` cannot be used here.
#[allow(clippy::derivable_impls)]
impl Default for ReportType {
    fn default() -> ReportType {
        ReportType::DamageClaim
    }
}

impl ReportType {
    /// Whether the report asks for money (only a damage claim is reviewed and decided).
    pub fn is_damage(self) -> bool {
        self == ReportType::DamageClaim
    }

    /// The headers of the intake column that may give a report's type
    /// (compared ignoring case, spaces, `_` and `-`, as intake compares headers).
    pub const COLUMNS: &'static [&'static str] =
        &["report_type", "신고구분", "신고유형", "접수구분", "문의유형"];

    /// A value of that column: the code, the Korean or English label, or a
    /// common word for it (`민원` is a complaint, `피해` a damage claim).
    pub fn parse_value(text: &str) -> Option<ReportType> {
        let key: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        if key.is_empty() {
            return None;
        }
        let plain = |t: &str| -> String {
            t.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
        };
        if let Some(t) = ReportType::ALL
            .iter()
            .copied()
            .find(|t| plain(t.code()) == key || plain(t.label_ko()) == key || plain(t.label_en()) == key)
        {
            return Some(t);
        }
        match key.as_str() {
            "피해" | "피해보상" | "보상신청" | "damage" | "claim" => Some(ReportType::DamageClaim),
            "질문" | "question" => Some(ReportType::Inquiry),
            "건의" | "제안" | "suggestion" | "feedback" => Some(ReportType::Opinion),
            "민원" | "항의" => Some(ReportType::Complaint),
            _ => None,
        }
    }

    /// The type an intake row gives: its report-type column when one holds a
    /// known value, else a damage claim (so nothing is closed by accident).
    pub fn of_intake(extra: &BTreeMap<String, String>) -> ReportType {
        extra_values(extra, ReportType::COLUMNS).find_map(ReportType::parse_value).unwrap_or_default()
    }
}

/// The values of the extra intake columns whose header is one of `headers`
/// (compared ignoring case, spaces, `_` and `-`, as intake compares headers).
fn extra_values<'a>(
    extra: &'a BTreeMap<String, String>,
    headers: &[&str],
) -> impl Iterator<Item = &'a str> + 'a {
    fn header(h: &str) -> String {
        h.trim()
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    }
    let wanted: Vec<String> = headers.iter().map(|c| header(c)).collect();
    extra.iter().filter(move |(k, _)| wanted.contains(&header(k))).map(|(_, v)| v.as_str())
}

/// The e-mail address among an intake row's extra columns ([`ClaimInput::email`]).
pub fn email_in(extra: &BTreeMap<String, String>) -> Option<&str> {
    extra_values(extra, EMAIL_COLUMNS).map(str::trim).find(|v| crate::validate::is_email(v))
}

/// The language an intake row's extra columns name ([`ClaimInput::language`]).
pub fn language_in(extra: &BTreeMap<String, String>) -> crate::message::Lang {
    use crate::message::Lang;
    extra_values(extra, LANGUAGE_COLUMNS)
        .find_map(|v| match v.trim() {
            "한국어" | "국문" => Some(Lang::Ko),
            "영어" | "영문" => Some(Lang::En),
            other => Lang::parse(other),
        })
        .unwrap_or_default()
}

/// The headers of the optional intake column with the claimant's e-mail address.
pub const EMAIL_COLUMNS: &[&str] = &["email", "e-mail", "이메일", "전자우편"];
/// The headers of the optional intake column with the language the claimant reads.
pub const LANGUAGE_COLUMNS: &[&str] = &["language", "lang", "언어", "안내 언어"];

coded_enum! {
    /// What a note on a claim is (the fold writes them; the author may withdraw a plain note).
    NoteKind {
        Note => "note", "메모", "Note";
        InfoRequest => "info_request", "보완 요청", "Information requested";
        InfoReceived => "info_received", "보완 자료 받음", "Information received";
        ReturnComment => "return_comment", "반려 사유", "Returned to the reviewer";
        Closure => "closure", "비피해 종결 답변", "Closed with a standard reply";
        Expiry => "expiry", "보완 기한 만료", "Closed as not cured";
    }
}

coded_enum! {
    /// What a letter (a decision notice) tells the claimant: each has its
    /// templates in the incident's catalog ([`crate::catalog::LetterTemplate`]).
    /// Which one a claim owes follows from its status ([`LetterKind::of_status`]),
    /// never from what the client that records the notice says.
    LetterKind {
        Approved => "approved", "승인 안내", "Approval";
        Denied => "denied", "기각 안내", "Denial";
        ClosedNoDamage => "closed_no_damage", "답변 후 종결 안내", "Reply and closure";
        NeedsInfo => "needs_info", "보완 요청 안내", "Request for information";
    }
}

impl LetterKind {
    /// The notice a claim in `status` is owed; None while nothing is decided.
    /// An approved claim and the same claim once paid or fulfilled owe one approval notice.
    pub fn of_status(status: ClaimStatus) -> Option<LetterKind> {
        match status {
            ClaimStatus::Approved | ClaimStatus::Paid | ClaimStatus::Fulfilled => Some(LetterKind::Approved),
            ClaimStatus::ClosedDenied => Some(LetterKind::Denied),
            ClaimStatus::ClosedNoDamage => Some(LetterKind::ClosedNoDamage),
            ClaimStatus::NeedsInfo => Some(LetterKind::NeedsInfo),
            ClaimStatus::New
            | ClaimStatus::Triaged
            | ClaimStatus::InReview
            | ClaimStatus::Recommended
            | ClaimStatus::Batched
            | ClaimStatus::Conflict => None,
        }
    }
}

coded_enum! {
    /// Where a request for information stands against its due date (the
    /// cure clock): derived from the request's day, the policy's window and
    /// today's date, so every desktop shows the same clock offline.
    DueState {
        Open => "open", "기한 내", "Within the window";
        ReminderDue => "reminder_due", "독촉 필요", "Reminder due";
        Overdue => "overdue", "기한 경과", "Overdue";
    }
}

coded_enum! {
    /// How a notice leaves for the claimant: a letter (PDF), a line of the
    /// bulk 알림톡/SMS file, an e-mail sent by SMTP.
    NoticeChannel {
        Pdf => "pdf", "안내문(PDF)", "Letter (PDF)";
        Sms => "sms", "알림톡·문자", "KakaoTalk/SMS";
        Email => "email", "이메일", "E-mail";
    }
}

/// Which personal field of a claim a reveal shows.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    Phone,
    Brn,
    AccountNo,
}

impl PersonalField {
    /// The claims column that holds it.
    pub fn column(self) -> &'static str {
        match self {
            PersonalField::Phone => "phone",
            PersonalField::Brn => "brn",
            PersonalField::AccountNo => "account_no",
        }
    }
}

/// One claim as it arrives from intake, validated and normalized: phone as
/// 11 digits, BRN as 10 digits, times in UTC, amounts in whole won.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimInput {
    pub external_id: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub received_at: DateTime<Utc>,
    pub category: Category,
    pub name: String,
    /// 11 digits (`01012345678`), required for individuals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 10 digits, checksum verified, required for businesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brn: Option<String>,
    /// A service code of the catalog.
    pub service: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub damage_start: DateTime<Utc>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub damage_end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub claimed_amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub daily_income: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub documented_loss: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ad_spend: Option<Decimal>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_no: Option<String>,
    /// Columns the intake file had beyond the known ones, kept by header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    /// The incident the claim belongs to (its id); none in ops made before
    /// incidents existed, which means [`crate::catalog::FIRST_INCIDENT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}

impl ClaimInput {
    /// A claim with nothing in it, for asking the rules what may be done
    /// (never stored).
    pub fn placeholder() -> ClaimInput {
        ClaimInput {
            external_id: "-".to_string(),
            received_at: DateTime::<Utc>::default(),
            category: Category::Other,
            name: String::new(),
            phone: None,
            brn: None,
            service: String::new(),
            damage_start: DateTime::<Utc>::default(),
            damage_end: DateTime::<Utc>::default(),
            claimed_amount: None,
            daily_income: None,
            documented_loss: None,
            ad_spend: None,
            description: String::new(),
            bank_name: None,
            account_no: None,
            extra: BTreeMap::new(),
            incident: None,
        }
    }

    /// The id of the claim's incident.
    pub fn incident_id(&self) -> &str {
        self.incident.as_deref().unwrap_or(crate::catalog::FIRST_INCIDENT)
    }

    /// Files the claim under an incident. The first incident is written as
    /// none, as every op made before incidents existed has it, so a row
    /// imported again hashes the same and old and new desktops agree.
    pub fn set_incident(&mut self, id: &str) {
        self.incident = (id != crate::catalog::FIRST_INCIDENT).then(|| id.to_string());
    }

    /// Checks what a claim from any source (an intake file, a synced op, the
    /// server's seeding) must hold once normalized: an id, the identifiers in
    /// their stored form, a damage period that does not run backwards, whole
    /// non-negative amounts, and no NUL characters. Intake's own rules
    /// (intake.md) produce exactly such claims.
    pub fn check(&self) -> Result<(), String> {
        let digits = |v: &Option<String>, n: usize| {
            v.as_ref().is_none_or(|s| s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        };
        if self.external_id.trim().is_empty() || self.external_id.len() > 200 {
            return Err("the claim id must be 1 to 200 characters".into());
        }
        if !digits(&self.phone, 11) && !digits(&self.phone, 10) {
            return Err(format!("claim {}: the phone is not 10 or 11 digits", self.external_id));
        }
        if !digits(&self.brn, 10) {
            return Err(format!(
                "claim {}: the business registration number is not 10 digits",
                self.external_id
            ));
        }
        if self.damage_end < self.damage_start {
            return Err(format!("claim {}: the damage period ends before it starts", self.external_id));
        }
        for (name, amount) in [
            ("claimed amount", self.claimed_amount),
            ("daily income", self.daily_income),
            ("documented loss", self.documented_loss),
            ("ad spend", self.ad_spend),
        ] {
            if amount.is_some_and(|a| a.is_sign_negative() || !a.fract().is_zero()) {
                return Err(format!("claim {}: the {name} is not a whole number of won", self.external_id));
            }
        }
        let texts = [&self.external_id, &self.name, &self.service, &self.description];
        let optional = [&self.bank_name, &self.account_no];
        if texts.iter().any(|t| t.contains('\0'))
            || optional.iter().any(|t| t.as_ref().is_some_and(|t| t.contains('\0')))
            || self.extra.iter().any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(format!(
                "claim {}: a field holds a NUL character",
                self.external_id.replace('\0', "")
            ));
        }
        Ok(())
    }

    /// The report type the intake row gives ([`ReportType::of_intake`]).
    pub fn report_type(&self) -> ReportType {
        ReportType::of_intake(&self.extra)
    }

    /// The claimant's e-mail address (the optional `email` / `이메일` column),
    /// when it holds one that reads as an address; a malformed one is None.
    pub fn email(&self) -> Option<&str> {
        email_in(&self.extra)
    }

    /// The raw text of the e-mail column, when there is one that is not an address
    /// (so an export can say which claim's address could not be used).
    pub fn malformed_email(&self) -> Option<&str> {
        extra_values(&self.extra, EMAIL_COLUMNS)
            .map(str::trim)
            .find(|v| !v.is_empty() && !crate::validate::is_email(v))
    }

    /// The language the claimant reads (the optional `language` / `언어`
    /// column: `ko`, `en`, `한국어`, `영어`, `English`); Korean when none is given.
    pub fn language(&self) -> crate::message::Lang {
        language_in(&self.extra)
    }

    /// The claimant key of policy.md: the phone for individuals, the BRN for businesses.
    pub fn claimant_key(&self) -> Option<&str> {
        claimant_key(self.category, self.phone.as_deref(), self.brn.as_deref())
    }
}

/// The claimant key of policy.md for a category and the claimant's identifiers.
pub fn claimant_key<'a>(category: Category, phone: Option<&'a str>, brn: Option<&'a str>) -> Option<&'a str> {
    if category.is_business() {
        brn
    } else {
        phone
    }
}

/// A user as the rules see them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: String,
    pub role: Role,
    /// The largest amount (won) this user may approve on one claim; None = no limit.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub approval_limit: Option<Decimal>,
    pub device: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_from_code_or_korean_label() {
        assert_eq!(Category::parse(" Taxi_Driver "), Some(Category::TaxiDriver));
        assert_eq!(Category::parse("소상공인"), Some(Category::SmallBusiness));
        assert_eq!(Category::parse("외계인"), None);
        assert!(Category::Advertiser.is_business());
        assert!(!Category::Other.is_business());
    }

    #[test]
    fn codes_round_trip_through_serde() {
        for s in ClaimStatus::ALL {
            let json = serde_json::to_string(s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.code()));
        }
        assert_eq!("FILED_OUT_OF_WINDOW".parse::<Reason>(), Ok(Reason::FiledOutOfWindow));
    }

    #[test]
    fn an_intake_column_gives_the_report_type_and_anything_else_is_a_damage_claim() {
        let row = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
        assert_eq!(ReportType::of_intake(&row("신고 구분", "문의")), ReportType::Inquiry);
        assert_eq!(ReportType::of_intake(&row("Report_Type", "Complaint")), ReportType::Complaint);
        assert_eq!(ReportType::of_intake(&row("report-type", "opinion")), ReportType::Opinion);
        assert_eq!(ReportType::of_intake(&row("문의유형", "민원")), ReportType::Complaint);
        assert_eq!(ReportType::of_intake(&row("신고구분", "피해 신고")), ReportType::DamageClaim);
        // An unknown value, a blank one, another column or none: a damage claim.
        assert_eq!(ReportType::of_intake(&row("신고구분", "기타 등등")), ReportType::DamageClaim);
        assert_eq!(ReportType::of_intake(&row("신고구분", " ")), ReportType::DamageClaim);
        assert_eq!(ReportType::of_intake(&row("메모", "문의")), ReportType::DamageClaim);
        assert_eq!(ReportType::of_intake(&BTreeMap::new()), ReportType::DamageClaim);
        assert_eq!(ReportType::parse("inquiry"), Some(ReportType::Inquiry));
        assert!(!ReportType::Opinion.is_damage() && ReportType::DamageClaim.is_damage());
    }
}
