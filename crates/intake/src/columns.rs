//! The columns of intake.md and how a header row maps onto them.

use crate::error::IntakeError;

/// A known column of intake.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ClaimId,
    ReceivedAt,
    Category,
    Name,
    Phone,
    Brn,
    Service,
    DamageStart,
    DamageEnd,
    ClaimedAmount,
    DailyIncome,
    DocumentedLoss,
    AdSpend,
    Description,
    BankName,
    AccountNo,
}

/// Number of known fields (the length of [`Field::ALL`]).
pub const FIELD_COUNT: usize = 16;

impl Field {
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::ClaimId,
        Field::ReceivedAt,
        Field::Category,
        Field::Name,
        Field::Phone,
        Field::Brn,
        Field::Service,
        Field::DamageStart,
        Field::DamageEnd,
        Field::ClaimedAmount,
        Field::DailyIncome,
        Field::DocumentedLoss,
        Field::AdSpend,
        Field::Description,
        Field::BankName,
        Field::AccountNo,
    ];

    /// The English header of intake.md.
    pub fn english(self) -> &'static str {
        match self {
            Field::ClaimId => "claim_id",
            Field::ReceivedAt => "received_at",
            Field::Category => "category",
            Field::Name => "name",
            Field::Phone => "phone",
            Field::Brn => "brn",
            Field::Service => "service",
            Field::DamageStart => "damage_start",
            Field::DamageEnd => "damage_end",
            Field::ClaimedAmount => "claimed_amount_krw",
            Field::DailyIncome => "daily_income_krw",
            Field::DocumentedLoss => "documented_loss_krw",
            Field::AdSpend => "ad_spend_krw",
            Field::Description => "description",
            Field::BankName => "bank_name",
            Field::AccountNo => "account_no",
        }
    }

    /// The Korean header of intake.md.
    pub fn korean(self) -> &'static str {
        match self {
            Field::ClaimId => "접수번호",
            Field::ReceivedAt => "접수일시",
            Field::Category => "신고자유형",
            Field::Name => "성명",
            Field::Phone => "연락처",
            Field::Brn => "사업자등록번호",
            Field::Service => "서비스",
            Field::DamageStart => "피해시작",
            Field::DamageEnd => "피해종료",
            Field::ClaimedAmount => "청구금액",
            Field::DailyIncome => "일평균수입",
            Field::DocumentedLoss => "입증손해액",
            Field::AdSpend => "광고비",
            Field::Description => "피해내용",
            Field::BankName => "은행",
            Field::AccountNo => "계좌번호",
        }
    }

    /// Other spellings seen in the wild that clearly mean this column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::ClaimedAmount => &["claimed_amount"],
            Field::DailyIncome => &["daily_income"],
            Field::DocumentedLoss => &["documented_loss"],
            Field::AdSpend => &["ad_spend"],
            Field::BankName => &["bank"],
            Field::AccountNo => &["account", "account_number"],
            _ => &[],
        }
    }

    /// Required in every file (intake.md "required: yes"). Phone and BRN are
    /// required per row by category, so a file of only businesses may lack a
    /// phone column and vice versa; rows that need the absent one are quarantined.
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::ClaimId
                | Field::ReceivedAt
                | Field::Category
                | Field::Name
                | Field::Service
                | Field::DamageStart
                | Field::DamageEnd
        )
    }

    /// Which known field a header names: English or Korean, ignoring case,
    /// surrounding spaces, and spaces, `_` and `-` inside (`Claim ID`,
    /// `claim-id` and `접수 번호` all name claim_id).
    pub fn from_header(header: &str) -> Option<Field> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        Field::ALL.into_iter().find(|f| {
            key == header_key(f.english())
                || key == header_key(f.korean())
                || f.aliases().iter().any(|a| key == header_key(a))
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

fn header_key(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The header row mapped onto the known fields, computed once per file so the
/// per-row path only indexes.
#[derive(Debug, Clone)]
pub struct Columns {
    headers: Vec<String>,
    index: [Option<usize>; FIELD_COUNT],
    /// Unknown columns: (position, key in `ClaimInput.extra`).
    extra: Vec<(usize, String)>,
}

impl Columns {
    /// Maps a header row; refuses it when it names no known column at all
    /// (the file has no header), when a required column is missing, or when
    /// two columns name the same field.
    pub fn from_headers(headers: Vec<String>) -> Result<Columns, IntakeError> {
        let mut index: [Option<usize>; FIELD_COUNT] = [None; FIELD_COUNT];
        let mut unknown = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            match Field::from_header(h) {
                Some(f) => {
                    if let Some(first) = index[f.index()] {
                        return Err(IntakeError::DuplicateColumn {
                            field: f.english(),
                            first: headers[first].clone(),
                            second: h.clone(),
                        });
                    }
                    index[f.index()] = Some(i);
                }
                None => unknown.push(i),
            }
        }
        if index.iter().all(Option::is_none) {
            let mut first_row: String = headers.join(", ").chars().take(200).collect();
            if first_row.chars().count() == 200 {
                first_row.push('…');
            }
            return Err(IntakeError::NoHeader { first_row });
        }
        let missing: Vec<Field> =
            Field::ALL.into_iter().filter(|f| f.required() && index[f.index()].is_none()).collect();
        if !missing.is_empty() {
            return Err(IntakeError::MissingColumns {
                missing: missing.iter().map(|f| (f.english(), f.korean())).collect(),
            });
        }
        // Keys of ClaimInput.extra: the header trimmed; a blank header becomes
        // "column N" and a repeated one gets its position, so no value is lost.
        let mut extra: Vec<(usize, String)> = Vec::with_capacity(unknown.len());
        for i in unknown {
            let trimmed = headers[i].trim();
            let mut key = if trimmed.is_empty() { format!("column {}", i + 1) } else { trimmed.to_string() };
            if extra.iter().any(|(_, k)| *k == key) {
                key = format!("{key} (column {})", i + 1);
            }
            extra.push((i, key));
        }
        Ok(Columns { headers, index, extra })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Position of a known field in the row, if the file has it.
    pub fn position(&self, f: Field) -> Option<usize> {
        self.index[f.index()]
    }

    /// The header as written for a known field, or its English name when the
    /// file lacks the column.
    pub fn header_of(&self, f: Field) -> &str {
        match self.position(f) {
            Some(i) => &self.headers[i],
            None => f.english(),
        }
    }

    pub(crate) fn extra(&self) -> &[(usize, String)] {
        &self.extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_in_english_or_korean_ignoring_case_and_spaces() {
        assert_eq!(Field::from_header(" Claim_ID "), Some(Field::ClaimId));
        assert_eq!(Field::from_header("Claim ID"), Some(Field::ClaimId));
        assert_eq!(Field::from_header("접수번호"), Some(Field::ClaimId));
        assert_eq!(Field::from_header(" 연락처"), Some(Field::Phone));
        assert_eq!(Field::from_header("PHONE"), Some(Field::Phone));
        assert_eq!(Field::from_header("\u{feff}claim_id"), Some(Field::ClaimId));
        assert_eq!(Field::from_header("memo"), None);
        assert_eq!(Field::from_header(""), None);
        for f in Field::ALL {
            assert_eq!(Field::from_header(f.english()), Some(f));
            assert_eq!(Field::from_header(f.korean()), Some(f));
        }
    }
}
