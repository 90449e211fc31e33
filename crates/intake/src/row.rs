//! One row of an intake file: validated into a `ClaimInput`, or quarantined
//! with every problem found in it.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use claimdesk_core::message::{Explain, Lang, Message};
use claimdesk_core::validate::{self, AmountError, BrnError, PhoneError};
use claimdesk_core::{msg, Catalog, Category, ClaimInput};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::columns::{Columns, Field};
use crate::error::size_text;
use crate::limits::MAX_CELL_BYTES;

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

    /// Bytes the row holds (its values and headers), to batch rows by size.
    pub fn weight(&self) -> usize {
        self.fields.iter().map(|(h, v)| h.len() + v.len() + 48).sum()
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
    /// The English sentence, starting with the value:
    /// `'010-12-5678' is not a Korean mobile number.`
    pub message: String,
    /// The same in either language: `problem.<CODE>[.<detail>]` with the value
    /// (shortened) and what the rule needs as parameters.
    pub explain: Message,
}

impl Explain for Problem {
    fn message(&self) -> Message {
        self.explain.clone()
    }
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
    /// A value longer than `limits::MAX_CELL_BYTES`.
    pub const CELL_TOO_LONG: &str = "CELL_TOO_LONG";
    /// A value holding a control character (NUL, ESC, …; tab and line breaks are text).
    pub const CONTROL_CHAR: &str = "CONTROL_CHAR";
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
        self.message_in(Lang::En)
    }

    /// The row's problems in `lang`, each after the column as the file names it.
    pub fn message_in(&self, lang: Lang) -> String {
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|p| {
                let text = p.explain.render(lang);
                if p.column.is_empty() {
                    text
                } else {
                    format!("{}: {text}", p.column)
                }
            })
            .collect();
        format!("{}, {}", msg!("problem.line", line = self.line).render(lang), problems.join("; "))
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

/// The value as quoted in a message: at most `QUOTE_MAX_CHARS` characters,
/// line breaks and tabs as spaces, other control characters as U+FFFD (a
/// message never carries a NUL or an escape sequence to a terminal).
fn shorten(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars
        .by_ref()
        .take(QUOTE_MAX_CHARS)
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Problems of single values that no rule of a field may see: a value
/// longer than a cell may hold, a control character. Every field is checked,
/// the extra columns too (they are stored with the claim).
fn hostile_values(raw: &RawRow) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (header, value) in &raw.fields {
        if value.len() > MAX_CELL_BYTES {
            let explain = msg!(
                "problem.CELL_TOO_LONG",
                size = size_text(value.len() as u64),
                max = size_text(MAX_CELL_BYTES as u64)
            )
            .with("value", shorten(value));
            problems.push(Problem {
                column: header.clone(),
                value: value.clone(),
                code: pc::CELL_TOO_LONG,
                message: explain.render(Lang::En),
                explain,
            });
        } else if let Some((position, c)) =
            value.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            let explain = msg!(
                "problem.CONTROL_CHAR",
                char = format!("U+{:04X}", u32::from(c)),
                position = position + 1
            )
            .with("value", shorten(value));
            problems.push(Problem {
                column: header.clone(),
                value: value.clone(),
                code: pc::CONTROL_CHAR,
                message: explain.render(Lang::En),
                explain,
            });
        }
    }
    problems
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

    /// Records a problem of field `f`; the field's value (shortened) is the message's `value`.
    fn problem(&mut self, f: Field, code: &'static str, explain: Message) {
        let value = self.value(f).to_string();
        let explain = explain.with("value", shorten(&value));
        let message = explain.render(Lang::En);
        self.problems.push(Problem {
            column: self.v.columns.header_of(f).to_string(),
            value,
            code,
            message,
            explain,
        });
    }

    fn missing(&mut self, f: Field) {
        self.problem(
            f,
            pc::MISSING_VALUE,
            msg!("problem.MISSING_VALUE").with_label("what", format!("field.{}", f.english())),
        );
    }

    /// A required text, trimmed.
    fn required_text(&mut self, f: Field) -> Option<String> {
        let v = self.value(f).trim();
        if v.is_empty() {
            self.missing(f);
            None
        } else {
            Some(v.to_string())
        }
    }

    fn optional_text(&self, f: Field) -> Option<String> {
        let v = self.value(f).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    fn datetime(&mut self, f: Field) -> Option<DateTime<Utc>> {
        let raw = self.value(f);
        if raw.trim().is_empty() {
            self.missing(f);
            return None;
        }
        let t = validate::parse_datetime(raw);
        if t.is_none() {
            self.problem(f, pc::BAD_DATETIME, msg!("problem.BAD_DATETIME"));
        }
        t
    }

    fn amount(&mut self, f: Field) -> Option<Decimal> {
        let raw = self.value(f);
        match validate::parse_won(raw) {
            Ok(v) => v,
            Err(e) => {
                let explain = match e {
                    AmountError::NotAnAmount => msg!("problem.BAD_AMOUNT"),
                    AmountError::Negative => msg!("problem.BAD_AMOUNT.negative"),
                    AmountError::Fraction => msg!("problem.BAD_AMOUNT.fraction"),
                    AmountError::TooLarge => {
                        msg!("problem.BAD_AMOUNT.too_large", max = validate::won_text(validate::MAX_WON))
                    }
                    AmountError::MixedDigits => msg!("problem.BAD_AMOUNT.mixed_digits"),
                    AmountError::Estimate => msg!("problem.BAD_AMOUNT.estimate"),
                    AmountError::Ambiguous { literal, shorthand } => msg!(
                        "problem.BAD_AMOUNT.ambiguous",
                        first = validate::won_text(literal),
                        second = validate::won_text(shorthand)
                    ),
                };
                self.problem(f, pc::BAD_AMOUNT, explain);
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
        self.validate_lines(line, line, raw)
    }

    /// Validates a row read from lines `line` to `end` (a quoted value may
    /// hold line breaks): a row of the wrong width that spans lines says
    /// which lines went into it, so that no line is lost without a word.
    pub fn validate_lines(&self, line: u64, end: u64, raw: RawRow) -> Row {
        let hostile = hostile_values(&raw);
        if !hostile.is_empty() {
            return Row::Invalid(QuarantinedRow { line, raw, problems: hostile });
        }
        let width = self.columns.headers().len();
        if raw.fields.len() != width {
            let explain = if end > line {
                msg!("problem.FIELD_COUNT.lines", fields = raw.fields.len(), width = width, end = end)
            } else {
                msg!("problem.FIELD_COUNT", fields = raw.fields.len(), width = width)
            };
            let problem = Problem {
                column: String::new(),
                value: String::new(),
                code: pc::FIELD_COUNT,
                message: explain.render(Lang::En),
                explain,
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

        let external_id = c.required_text(Field::ClaimId);
        let received_at = c.datetime(Field::ReceivedAt);

        let category_text = c.value(Field::Category);
        let category = if category_text.trim().is_empty() {
            c.missing(Field::Category);
            None
        } else {
            let parsed = Category::parse(category_text);
            if parsed.is_none() {
                let known: Vec<String> =
                    Category::ALL.iter().map(|k| format!("{}/{}", k.code(), k.label_ko())).collect();
                c.problem(
                    Field::Category,
                    pc::UNKNOWN_CATEGORY,
                    msg!("problem.UNKNOWN_CATEGORY", known = known.join(", ")),
                );
            }
            parsed
        };

        let name = c.required_text(Field::Name);

        let phone_text = c.value(Field::Phone);
        let phone = if phone_text.trim().is_empty() {
            None
        } else {
            match validate::parse_phone(phone_text) {
                Ok(p) => Some(p),
                Err(e) => {
                    let explain = match e {
                        PhoneError::NotMobile => msg!("problem.BAD_PHONE"),
                        PhoneError::MixedDigits => msg!("problem.BAD_PHONE.mixed_digits"),
                        PhoneError::Rounded => msg!("problem.BAD_PHONE.rounded"),
                    };
                    c.problem(Field::Phone, pc::BAD_PHONE, explain);
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
                    c.problem(Field::Brn, pc::BAD_BRN, msg!("problem.BAD_BRN"));
                    None
                }
                Err(BrnError::Checksum) => {
                    c.problem(Field::Brn, pc::BAD_BRN, msg!("problem.BAD_BRN.checksum"));
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
                    msg!("problem.MISSING_BRN").with_label("category", format!("category.{}", cat.code())),
                );
            } else if !cat.is_business() && phone_text.trim().is_empty() {
                c.problem(
                    Field::Phone,
                    pc::MISSING_PHONE,
                    msg!("problem.MISSING_PHONE").with_label("category", format!("category.{}", cat.code())),
                );
            }
        }

        let service_text = c.value(Field::Service);
        let service = if service_text.trim().is_empty() {
            c.missing(Field::Service);
            None
        } else {
            let s = self.catalog.find(service_text).map(|s| s.code.clone());
            if s.is_none() {
                c.problem(
                    Field::Service,
                    pc::UNKNOWN_SERVICE,
                    msg!("problem.UNKNOWN_SERVICE", incident = &self.catalog.incident.name),
                );
            }
            s
        };

        let damage_start = c.datetime(Field::DamageStart);
        let damage_end = c.datetime(Field::DamageEnd);
        if let (Some(start), Some(end)) = (damage_start, damage_end) {
            if end < start {
                let start_text = shorten(c.value(Field::DamageStart));
                c.problem(
                    Field::DamageEnd,
                    pc::END_BEFORE_START,
                    msg!("problem.END_BEFORE_START", start = start_text),
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
                c.problem(Field::AccountNo, pc::BAD_ACCOUNT, msg!("problem.BAD_ACCOUNT"));
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
                explain: msg!("invalid.detail", detail = "a required value is missing"),
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
