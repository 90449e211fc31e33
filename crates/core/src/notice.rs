//! Decision notices (issue 12): what a letter to a claimant says, filled
//! from the incident's letter templates ([`crate::catalog::LetterTemplate`])
//! and the claim's decision, with the explanation steps the reviewer saw.
//! Pure: the store reads a [`Letter`], the `claimdesk-notice` crate lays it
//! out as a PDF, an e-mail and a line of the bulk 알림톡/SMS file.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog::{Catalog, LetterTemplate};
use crate::grant::Grant;
use crate::message::{won, Lang};
use crate::model::{Category, LetterKind, ReportType};
use crate::policy::{describe_grant, CitedReason, DocumentDef, Step};

/// Everything one notice says, as the store read it for one claim. Holds
/// the claimant's contact details in clear: it is made only for sending,
/// by someone allowed to send notices, and never shown on a screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    pub claim_id: String,
    /// The claim's version when the letter was read (the notice op names it,
    /// so a letter of a decision changed meanwhile is not recorded as sent).
    pub version: i64,
    pub kind: LetterKind,
    pub lang: Lang,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The e-mail column's text when it is not an address (reported, never sent to).
    pub bad_email: Option<String>,
    pub category: Category,
    pub report_type: ReportType,
    pub incident: String,
    pub received_at: DateTime<Utc>,
    /// When the decision the notice tells of was made.
    pub decided_at: DateTime<Utc>,
    /// An approval's grants (cash, vouchers, extensions...).
    pub grants: Vec<Grant>,
    /// The reason cited: a denial's, a request's deficiency, a closure's reply.
    pub reason: Option<CitedReason>,
    /// Free text beside the reason (the request's message, the denial's or closure's note).
    pub note: String,
    /// A request's documents the claimant must send (the policy's list for the category).
    pub documents: Vec<DocumentDef>,
    /// A request's due date (KST), from the policy's cure window.
    pub due_on: Option<NaiveDate>,
    pub policy_version: i64,
    pub policy_name: String,
    /// The policy's explanation of the outcome, step by step.
    pub steps: Vec<Step>,
}

/// A letter laid out as text: what the PDF and the e-mail show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterText {
    pub subject: String,
    pub body: String,
    /// "심사 근거" and its lines (approvals and denials), after the body.
    pub grounds: Option<(String, Vec<String>)>,
    /// The closing lines: claim id, policy version, reason code.
    pub footer: Vec<String>,
}

/// One line of the bulk 알림톡/SMS file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsLine {
    pub claim_id: String,
    pub phone: String,
    /// The sender's template: `CLAIMDESK_<KIND>_<LANG>` (registered with the 알림톡 provider).
    pub template: String,
    /// The template's variables.
    pub variables: BTreeMap<String, String>,
}

fn pick(lang: Lang, ko: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Ko => ko.into(),
        Lang::En => en.into(),
    }
}

impl Letter {
    /// The cash the approval pays (0 for none).
    pub fn cash(&self) -> Decimal {
        self.grants.iter().filter(|g| g.kind == crate::model::Remedy::Cash).map(|g| g.amount).sum()
    }

    fn date(&self, d: DateTime<Utc>) -> String {
        d.with_timezone(&crate::time::kst()).format("%Y-%m-%d").to_string()
    }

    fn reason_text(&self) -> String {
        match &self.reason {
            Some(r) => format!("{} ({})", pick(self.lang, r.ko.clone(), r.en.clone()), r.code),
            None => self.note.trim().to_string(),
        }
    }

    /// Every field a template may use ([`LetterKind::fields`]), in the letter's language.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let lang = self.lang;
        let mut f = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            f.insert(k.to_string(), v);
        };
        put("claim_id", self.claim_id.clone());
        put("name", self.name.clone());
        put("incident", self.incident.clone());
        put("received_on", self.date(self.received_at));
        put(
            "policy_version",
            pick(
                lang,
                format!("제{}판 «{}»", self.policy_version, self.policy_name),
                format!("version {} «{}»", self.policy_version, self.policy_name),
            ),
        );
        let remedies: Vec<String> = self
            .grants
            .iter()
            .map(|g| {
                let (ko, en) = describe_grant(g);
                pick(lang, ko, en)
            })
            .collect();
        put("remedy", remedies.join(", "));
        let cash = self.cash();
        put(
            "amount",
            if cash.is_zero() {
                pick(lang, "현금 지급 없음", "no cash payment")
            } else {
                pick(lang, format!("{}원", won(&cash)), format!("KRW {}", won(&cash)))
            },
        );
        put("reason", self.reason_text());
        put("report_type", pick(lang, self.report_type.label_ko(), self.report_type.label_en()));
        let mut documents: Vec<String> =
            self.documents.iter().map(|d| pick(lang, d.ko.clone(), d.en.clone())).collect();
        if documents.is_empty() {
            documents.push(self.reason_text());
        } else if !self.note.trim().is_empty() {
            documents.push(self.note.trim().to_string());
        }
        put("documents", documents.join(", "));
        put("due_date", self.due_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default());
        f
    }

    /// The letter in its language, from the incident's templates (the
    /// Korean one when the catalog has no English one); None when the
    /// catalog has no template of this kind at all.
    pub fn text(&self, catalog: &Catalog) -> Option<LetterText> {
        let template: &LetterTemplate = catalog.letter(self.kind, self.lang)?;
        // The template's language, so a Korean fallback is filled in Korean.
        let lang = if template.lang == "en" { Lang::En } else { Lang::Ko };
        let letter = Letter { lang, ..self.clone() };
        let (subject, body) = template.render(&letter.fields());
        let grounds = matches!(self.kind, LetterKind::Approved | LetterKind::Denied)
            .then(|| {
                let lines: Vec<String> =
                    self.steps.iter().map(|s| pick(lang, s.ko.clone(), s.en.clone())).collect();
                (pick(lang, "심사 근거", "How this was decided"), lines)
            })
            .filter(|(_, lines)| !lines.is_empty());
        let mut footer = vec![
            pick(lang, format!("접수번호 {}", self.claim_id), format!("Claim {}", self.claim_id)),
            pick(
                lang,
                format!("적용 기준: 보상 정책 제{}판 «{}»", self.policy_version, self.policy_name),
                format!(
                    "Rules applied: compensation policy version {} «{}»",
                    self.policy_version, self.policy_name
                ),
            ),
        ];
        if let Some(r) = &self.reason {
            footer.push(pick(lang, format!("사유 코드 {}", r.code), format!("Reason code {}", r.code)));
            if r.appealable {
                footer.push(pick(
                    lang,
                    "이 결정에 이의가 있으시면 재심사를 요청하실 수 있습니다.",
                    "You may ask for this decision to be reconsidered.",
                ));
            }
        }
        footer.push(pick(
            lang,
            format!("결정일 {}", self.date(self.decided_at)),
            format!("Decided on {}", self.date(self.decided_at)),
        ));
        Some(LetterText { subject, body, grounds, footer })
    }

    /// The letter's line in the bulk 알림톡/SMS file; None without a phone number.
    pub fn sms(&self) -> Option<SmsLine> {
        let phone = self.phone.clone()?;
        let fields = self.fields();
        let wanted = self.kind.fields();
        let variables = fields.into_iter().filter(|(k, _)| wanted.contains(&k.as_str())).collect();
        Some(SmsLine {
            claim_id: self.claim_id.clone(),
            phone,
            template: format!(
                "CLAIMDESK_{}_{}",
                self.kind.code().to_ascii_uppercase(),
                self.lang.code().to_ascii_uppercase()
            ),
            variables,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Remedy;
    use crate::policy::ReasonKind;
    use rust_decimal_macros::dec;

    fn letter(kind: LetterKind, lang: Lang) -> Letter {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc);
        Letter {
            claim_id: "KD-2022-000123".into(),
            version: 4,
            kind,
            lang,
            name: "김민수".into(),
            phone: Some("01012345678".into()),
            email: Some("minsu@example.kr".into()),
            bad_email: None,
            category: Category::TaxiDriver,
            report_type: ReportType::DamageClaim,
            incident: "2022 판교 데이터센터 화재".into(),
            received_at: at("2022-10-20T10:00:00+09:00"),
            decided_at: at("2023-01-05T15:30:00+09:00"),
            grants: vec![Grant {
                kind: Remedy::Cash,
                amount: dec!(75070),
                quantity: 0,
                label: String::new(),
            }],
            reason: None,
            note: String::new(),
            documents: Vec::new(),
            due_on: None,
            policy_version: 3,
            policy_name: "2022 기본 보상안".into(),
            steps: vec![Step {
                code: "cash".into(),
                ko: "일 소득 × 장애 시간".into(),
                en: "daily income × outage".into(),
            }],
        }
    }

    fn denial_reason() -> CitedReason {
        CitedReason {
            code: "NO_OVERLAP".into(),
            kind: ReasonKind::Denial,
            ko: "피해 기간이 장애 시간과 겹치지 않습니다".into(),
            en: "The damage period does not meet the outage".into(),
            appealable: true,
            policy_version: Some(3),
            cure: None,
        }
    }

    #[test]
    fn an_approval_letter_states_the_amount_the_policy_and_the_grounds() {
        let text = letter(LetterKind::Approved, Lang::Ko).text(&Catalog::default_2022()).expect("a template");
        assert!(text.subject.contains("KD-2022-000123"), "{}", text.subject);
        assert!(text.body.contains("김민수 님"), "{}", text.body);
        assert!(text.body.contains("75,070원"), "{}", text.body);
        assert!(text.body.contains("제3판"), "{}", text.body);
        let (title, lines) = text.grounds.expect("grounds");
        assert_eq!((title.as_str(), lines[0].as_str()), ("심사 근거", "일 소득 × 장애 시간"));
        assert!(text.footer.iter().any(|l| l.contains("2023-01-05")));
    }

    #[test]
    fn a_denial_in_english_cites_the_reason_code_and_says_it_may_be_appealed() {
        let l = Letter {
            grants: Vec::new(),
            reason: Some(denial_reason()),
            ..letter(LetterKind::Denied, Lang::En)
        };
        let text = l.text(&Catalog::default_2022()).expect("a template");
        assert!(
            text.body.contains("The damage period does not meet the outage (NO_OVERLAP)"),
            "{}",
            text.body
        );
        assert!(text.footer.iter().any(|f| f == "Reason code NO_OVERLAP"));
        assert!(text.footer.iter().any(|f| f.contains("reconsidered")));
        assert!(!text.body.contains('{'), "every field filled: {}", text.body);
    }

    #[test]
    fn a_request_letter_states_the_documents_and_the_due_date() {
        let l = Letter {
            grants: Vec::new(),
            documents: vec![DocumentDef {
                code: "SALES_PROOF".into(),
                ko: "매출 감소 증빙".into(),
                en: "Proof of lost sales".into(),
                categories: vec![Category::SmallBusiness],
            }],
            note: "10월 매출 자료".into(),
            due_on: NaiveDate::from_ymd_opt(2023, 3, 14),
            ..letter(LetterKind::NeedsInfo, Lang::Ko)
        };
        let text = l.text(&Catalog::default_2022()).expect("a template");
        assert!(text.body.contains("매출 감소 증빙, 10월 매출 자료"), "{}", text.body);
        assert!(text.body.contains("2023-03-14"), "{}", text.body);
        assert!(text.grounds.is_none(), "a request has no grounds yet");
    }

    #[test]
    fn the_sms_line_names_the_template_and_only_the_fields_of_its_kind() {
        let l = Letter {
            grants: Vec::new(),
            reason: Some(denial_reason()),
            ..letter(LetterKind::Denied, Lang::Ko)
        };
        let line = l.sms().expect("a phone");
        assert_eq!((line.template.as_str(), line.phone.as_str()), ("CLAIMDESK_DENIED_KO", "01012345678"));
        assert!(line.variables.contains_key("reason"));
        assert!(!line.variables.contains_key("amount"), "a denial promises no amount");
        assert_eq!(Letter { phone: None, ..l }.sms(), None);
    }
}
