//! One row of an intake file: validated into a `ClaimInput`, or quarantined
//! with every problem found in it.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use claimdesk_core::validate::{self, AmountError, BrnError, PhoneError};
use claimdesk_core::{Catalog, Category, ClaimInput};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::columns::{Columns, Field};

/// A row as it was in the file: (header as written, value as written) for
/// every column in file order. Values beyond the header's width (a row with
/// too many fields) have an empty header. Nothing is dropped, so a
/// quarantined row can be written back out, fixed and imported again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawRow {
    pub fields: Vec<(String, String)>,
}

impl RawRow {
    /// The value of the first column with this header (as written), if any.
    pub fn get(&self, header: &str) -> Option<&str> {
        self.fields.iter().find(|(h, _)| h == header).map(|(_, v)| v.as_str())
    }

    /// The values in file order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(_, v)| v.as_str())
    }

    fn is_blank(&self) -> bool {
        self.fields.iter().all(|(_, v)| v.trim().is_empty())
    }
}

/// One rule a row breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The header as written in the file (the English name when the file
    /// lacks the column; empty for problems of the whole row).
    pub column: String,
    /// The value as written.
    pub value: String,
    /// Stable code: see [`problem_codes`].
    pub code: &'static str,
    /// A sentence a person understands, starting with the value:
    /// `'010-12-5678' is not a Korean mobile number`.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.column, self.message)
        }
    }
}

/// The stable problem codes.
pub mod problem_codes {
    /// A required value (claim id, name, received_at, …) is empty.
    pub const MISSING_VALUE: &str = "MISSING_VALUE";
    /// An individual's row without a phone number.
    pub const MISSING_PHONE: &str = "MISSING_PHONE";
    /// A business row without a business registration number.
    pub const MISSING_BRN: &str = "MISSING_BRN";
    pub const BAD_PHONE: &str = "BAD_PHONE";
    /// Not 10 digits, or the checksum fails.
    pub const BAD_BRN: &str = "BAD_BRN";
    pub const UNKNOWN_CATEGORY: &str = "UNKNOWN_CATEGORY";
    pub const UNKNOWN_SERVICE: &str = "UNKNOWN_SERVICE";
    pub const BAD_DATETIME: &str = "BAD_DATETIME";
    pub const END_BEFORE_START: &str = "END_BEFORE_START";
    /// Not whole won: text, negative, a fraction, too large.
    pub const BAD_AMOUNT: &str = "BAD_AMOUNT";
    pub const BAD_ACCOUNT: &str = "BAD_ACCOUNT";
    /// The row has more or fewer fields than the header.
    pub const FIELD_COUNT: &str = "FIELD_COUNT";
}
use problem_codes as pc;

/// A row that became a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRow {
    /// The physical line (CSV) or sheet row (XLSX) where the row starts; the header is line 1.
    pub line: u64,
    pub claim: ClaimInput,
    pub raw: RawRow,
}

/// A row that breaks at least one rule, kept raw and whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantinedRow {
    pub line: u64,
    pub raw: RawRow,
    pub problems: Vec<Problem>,
}

impl QuarantinedRow {
    /// `line 812, 연락처: '010-12-5678' is not a Korean mobile number` (every
    /// problem of the row, joined with "; ").
    pub fn message(&self) -> String {
        let problems: Vec<String> = self.problems.iter().map(Problem::to_string).collect();
        format!("line {}, {}", self.line, problems.join("; "))
    }

    /// The distinct problem codes of the row, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = Vec::new();
        for p in &self.problems {
            if !codes.contains(&p.code) {
                codes.push(p.code);
            }
        }
        codes
    }
}

/// One row of an intake file.
// Valid rows are the common case; boxing them would cost an allocation per row.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Valid(ValidRow),
    Invalid(QuarantinedRow),
}

impl Row {
    pub fn line(&self) -> u64 {
        match self {
            Row::Valid(r) => r.line,
            Row::Invalid(r) => r.line,
        }
    }
    pub fn raw(&self) -> &RawRow {
        match self {
            Row::Valid(r) => &r.raw,
            Row::Invalid(r) => &r.raw,
        }
    }
}

/// Longest value quoted in a message; the full value stays in `Problem::value`.
const QUOTE_MAX_CHARS: usize = 60;

fn quote(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(QUOTE_MAX_CHARS).collect();
    if chars.next().is_some() {
        format!("'{head}…'")
    } else {
        format!("'{head}'")
    }
}

/// Validates rows against a header mapping and a catalog. Also usable on its
/// own, e.g. to re-check a quarantined row after a person fixed it.
#[derive(Debug, Clone)]
pub struct RowValidator {
    columns: Columns,
    catalog: Catalog,
}

/// Collects a row's problems while the fields are read.
struct Check<'a> {
    v: &'a RowValidator,
    values: &'a [(String, String)],
    problems: Vec<Problem>,
}

impl<'a> Check<'a> {
    fn value(&self, f: Field) -> &'a str {
        match self.v.columns.position(f) {
            Some(i) => self.values.get(i).map_or("", |(_, v)| v.as_str()),
            None => "",
        }
    }

    fn problem(&mut self, f: Field, code: &'static str, message: String) {
        let value = self.value(f).to_string();
        self.problems.push(Problem { column: self.v.columns.header_of(f).to_string(), value, code, message });
    }

    /// A required text, trimmed.
    fn required_text(&mut self, f: Field, what: &str) -> Option<String> {
        let v = self.value(f).trim();
        if v.is_empty() {
            self.problem(f, pc::MISSING_VALUE, format!("empty, but {what} is required"));
            None
        } else {
            Some(v.to_string())
        }
    }

    fn optional_text(&self, f: Field) -> Option<String> {
        let v = self.value(f).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    fn datetime(&mut self, f: Field, what: &str) -> Option<DateTime<Utc>> {
        let raw = self.value(f);
        if raw.trim().is_empty() {
            self.problem(f, pc::MISSING_VALUE, format!("empty, but {what} is required"));
            return None;
        }
        let t = validate::parse_datetime(raw);
        if t.is_none() {
            self.problem(
                f,
                pc::BAD_DATETIME,
                format!(
                    "{} is not a date and time (write 2022-10-19 09:12, 2022.10.19 09:12 or 2022-10-19T09:12:00+09:00)",
                    quote(raw)
                ),
            );
        }
        t
    }

    fn amount(&mut self, f: Field) -> Option<Decimal> {
        let raw = self.value(f);
        match validate::parse_won(raw) {
            Ok(v) => v,
            Err(e) => {
                let msg = match e {
                    AmountError::NotAnAmount => {
                        format!("{} is not an amount in whole won (write 1,234,000 or 1234000원)", quote(raw))
                    }
                    AmountError::Negative => format!("{} is negative; amounts are 0 or more won", quote(raw)),
                    AmountError::Fraction => format!("{} is not a whole number of won", quote(raw)),
                    AmountError::TooLarge => format!("{} {e}", quote(raw)),
                    AmountError::MixedDigits => format!(
                        "{} mixes full-width (０-９) and ordinary digits; retype the amount in one kind",
                        quote(raw)
                    ),
                    AmountError::Estimate => format!(
                        "{} is an estimate or a range, not an amount (write the one amount claimed, e.g. 120,000)",
                        quote(raw)
                    ),
                    AmountError::Ambiguous { .. } => {
                        format!("{} {e}; write the one meant in digits", quote(raw))
                    }
                };
                self.problem(f, pc::BAD_AMOUNT, msg);
                None
            }
        }
    }
}

impl RowValidator {
    pub fn new(columns: Columns, catalog: Catalog) -> RowValidator {
        RowValidator { columns, catalog }
    }

    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Whether a row carries no data at all (every value blank); readers skip
    /// those, as spreadsheets leave them at the end of a sheet.
    pub(crate) fn is_blank(raw: &RawRow) -> bool {
        raw.is_blank()
    }

    /// Validates one row: every problem of the row is reported, not only the first.
    pub fn validate(&self, line: u64, raw: RawRow) -> Row {
        let width = self.columns.headers().len();
        if raw.fields.len() != width {
            let problem = Problem {
                column: String::new(),
                value: String::new(),
                code: pc::FIELD_COUNT,
                message: format!(
                    "the row has {} field{} but the header has {} (a missing or extra comma, or an unclosed quote?)",
                    raw.fields.len(),
                    if raw.fields.len() == 1 { "" } else { "s" },
                    width
                ),
            };
            return Row::Invalid(QuarantinedRow { line, raw, problems: vec![problem] });
        }
        match self.check(&raw) {
            Ok(claim) => Row::Valid(ValidRow { line, claim, raw }),
            Err(problems) => Row::Invalid(QuarantinedRow { line, raw, problems }),
        }
    }

    fn check(&self, raw: &RawRow) -> Result<ClaimInput, Vec<Problem>> {
        let mut c = Check { v: self, values: &raw.fields, problems: Vec::new() };

        let external_id = c.required_text(Field::ClaimId, "a claim id");
        let received_at = c.datetime(Field::ReceivedAt, "the time of receipt");

        let category_text = c.value(Field::Category);
        let category = if category_text.trim().is_empty() {
            c.problem(Field::Category, pc::MISSING_VALUE, "empty, but a claimant category is required".into());
            None
        } else {
            let parsed = Category::parse(category_text);
            if parsed.is_none() {
                let known: Vec<String> =
                    Category::ALL.iter().map(|k| format!("{}/{}", k.code(), k.label_ko())).collect();
                c.problem(
                    Field::Category,
                    pc::UNKNOWN_CATEGORY,
                    format!("{} is not a claimant category ({})", quote(category_text), known.join(", ")),
                );
            }
            parsed
        };

        let name = c.required_text(Field::Name, "a name");

        let phone_text = c.value(Field::Phone);
        let phone = if phone_text.trim().is_empty() {
            None
        } else {
            match validate::parse_phone(phone_text) {
                Ok(p) => Some(p),
                Err(e) => {
                    let q = quote(phone_text);
                    let message = match e {
                        PhoneError::NotMobile => format!("{q} is not a Korean mobile number"),
                        PhoneError::MixedDigits => format!(
                            "{q} is not a Korean mobile number: it mixes full-width (０-９) and ordinary digits; retype it in one kind"
                        ),
                        PhoneError::Rounded => format!(
                            "{q} is not a Korean mobile number: a spreadsheet shortened it to scientific notation and dropped digits (format the column as text and export the file again)"
                        ),
                    };
                    c.problem(Field::Phone, pc::BAD_PHONE, message);
                    None
                }
            }
        };
        let brn_text = c.value(Field::Brn);
        let brn = if brn_text.trim().is_empty() {
            None
        } else {
            match validate::normalize_brn(brn_text) {
                Ok(b) => Some(b),
                Err(BrnError::Format) => {
                    c.problem(
                        Field::Brn,
                        pc::BAD_BRN,
                        format!(
                            "{} is not a business registration number (10 digits, e.g. 220-81-62517)",
                            quote(brn_text)
                        ),
                    );
                    None
                }
                Err(BrnError::Checksum) => {
                    c.problem(
                        Field::Brn,
                        pc::BAD_BRN,
                        format!(
                            "{} is not a valid business registration number (the check digit does not match)",
                            quote(brn_text)
                        ),
                    );
                    None
                }
            }
        };
        // Which identifier the category needs; only reported when absent, as
        // a present but malformed one already has its own problem.
        if let Some(cat) = category {
            if cat.is_business() && brn_text.trim().is_empty() {
                c.problem(
                    Field::Brn,
                    pc::MISSING_BRN,
                    format!(
                        "empty, but a business claimant ({} / {}) needs a business registration number",
                        cat.code(),
                        cat.label_ko()
                    ),
                );
            } else if !cat.is_business() && phone_text.trim().is_empty() {
                c.problem(
                    Field::Phone,
                    pc::MISSING_PHONE,
                    format!(
                        "empty, but an individual claimant ({} / {}) needs a mobile number",
                        cat.code(),
                        cat.label_ko()
                    ),
                );
            }
        }

        let service_text = c.value(Field::Service);
        let service = if service_text.trim().is_empty() {
            c.problem(Field::Service, pc::MISSING_VALUE, "empty, but a service is required".into());
            None
        } else {
            let s = self.catalog.find(service_text).map(|s| s.code.clone());
            if s.is_none() {
                c.problem(
                    Field::Service,
                    pc::UNKNOWN_SERVICE,
                    format!("{} is not a service of the catalog ({})", quote(service_text), self.catalog.incident.name),
                );
            }
            s
        };

        let damage_start = c.datetime(Field::DamageStart, "the start of the damage");
        let damage_end = c.datetime(Field::DamageEnd, "the end of the damage");
        if let (Some(start), Some(end)) = (damage_start, damage_end) {
            if end < start {
                let start_text = quote(c.value(Field::DamageStart));
                let end_text = quote(c.value(Field::DamageEnd));
                c.problem(
                    Field::DamageEnd,
                    pc::END_BEFORE_START,
                    format!("{end_text} is before the damage start {start_text}"),
                );
            }
        }

        let claimed_amount = c.amount(Field::ClaimedAmount);
        let daily_income = c.amount(Field::DailyIncome);
        let documented_loss = c.amount(Field::DocumentedLoss);
        let ad_spend = c.amount(Field::AdSpend);

        let account_text = c.value(Field::AccountNo);
        let account_no = if account_text.trim().is_empty() {
            None
        } else {
            let a = validate::normalize_account(account_text);
            if a.is_none() {
                c.problem(
                    Field::AccountNo,
                    pc::BAD_ACCOUNT,
                    format!("{} is not an account number (digits and dashes)", quote(account_text)),
                );
            }
            a
        };
        let bank_name = c.optional_text(Field::BankName);
        let description = c.value(Field::Description).trim().to_string();

        if !c.problems.is_empty() {
            return Err(c.problems);
        }
        // Every required value was checked above; a None here would be a bug,
        // reported as a problem rather than a panic.
        let (
            Some(external_id),
            Some(received_at),
            Some(category),
            Some(name),
            Some(service),
            Some(damage_start),
            Some(damage_end),
        ) = (external_id, received_at, category, name, service, damage_start, damage_end)
        else {
            return Err(vec![Problem {
                column: String::new(),
                value: String::new(),
                code: pc::MISSING_VALUE,
                message: "a required value is missing".into(),
            }]);
        };

        let mut extra = BTreeMap::new();
        for (i, key) in self.columns.extra() {
            if let Some((_, v)) = raw.fields.get(*i) {
                if !v.trim().is_empty() {
                    extra.insert(key.clone(), v.clone());
                }
            }
        }

        Ok(ClaimInput {
            external_id,
            received_at,
            category,
            name,
            phone,
            brn,
            service,
            damage_start,
            damage_end,
            claimed_amount,
            daily_income,
            documented_loss,
            ad_spend,
            description,
            bank_name,
            account_no,
            extra,
            incident: None,
        })
    }
}
