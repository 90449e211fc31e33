//! Personal data as shown on screen: masked by default (010-****-5678).

/// 11-digit mobile number → `010-****-5678`.
pub fn mask_phone(digits: &str) -> String {
    if digits.len() == 11 && digits.is_ascii() {
        format!("{}-****-{}", &digits[..3], &digits[7..])
    } else {
        mask_all_but_last(digits, 2)
    }
}

/// 10-digit BRN → `220-81-*****`.
pub fn mask_brn(digits: &str) -> String {
    if digits.len() == 10 && digits.is_ascii() {
        format!("{}-{}-*****", &digits[..3], &digits[3..5])
    } else {
        mask_all_but_last(digits, 2)
    }
}

/// Bank account → every digit but the last four hidden, dashes kept.
pub fn mask_account(account: &str) -> String {
    mask_all_but_last(account, 4)
}

/// A name as a call centre may read it out: first and last letter kept
/// (홍길동 → 홍*동, 남궁민수 → 남**수), a two-letter name keeps its first
/// (김민 → 김*), spaces kept (John Smith → J*** ****h).
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let letters: Vec<char> = name.chars().collect();
    match letters.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", letters[0]),
        n => letters
            .iter()
            .enumerate()
            .map(|(i, &c)| if i == 0 || i == n - 1 || c.is_whitespace() { c } else { '*' })
            .collect(),
    }
}

/// Header words of an intake column that holds personal data beyond the
/// named fields (phone, BRN, account): contact numbers, e-mail, addresses,
/// accounts, resident registration numbers and birth dates. Compared with
/// the header lowercased, spaces, `_` and `-` removed.
const PERSONAL_HEADER_WORDS: [&str; 22] = [
    "전화",
    "연락처",
    "휴대폰",
    "핸드폰",
    "phone",
    "mobile",
    "이메일",
    "전자우편",
    "메일",
    "email",
    "주소",
    "address",
    "계좌",
    "account",
    "주민",
    "생년월일",
    "생일",
    "birth",
    "rrn",
    "ssn",
    "여권",
    "passport",
];

/// Whether an extra intake column (one ClaimDesk has no field for, kept
/// with the claim) holds personal data: by its header, or by the shape of
/// its value (a phone number, a resident registration number, an e-mail
/// address), so that a column named `비고` holding `010-1234-5678` is masked too.
pub fn is_personal_extra(header: &str, value: &str) -> bool {
    let h: String =
        header.to_lowercase().chars().filter(|c| !c.is_whitespace() && *c != '_' && *c != '-').collect();
    PERSONAL_HEADER_WORDS.iter().any(|w| h.contains(w))
        || looks_like_phone(value)
        || looks_like_rrn(value)
        || looks_like_email(value)
}

/// An extra intake column's value as shown: masked when it is personal
/// ([`is_personal_extra`]), as it is otherwise.
pub fn mask_extra(header: &str, value: &str) -> String {
    if !is_personal_extra(header, value) {
        return value.to_string();
    }
    let value = value.trim();
    if looks_like_rrn(value) {
        // 900101-1234567 → 900101-*******: the birth date part only, as forms print it.
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        return format!("{}-*******", &digits[..6]);
    }
    if looks_like_email(value) {
        let (local, domain) = value.split_once('@').unwrap_or((value, ""));
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if looks_like_phone(value) && digits.len() == 11 {
        return mask_phone(&digits);
    }
    if digits.len() >= 4 {
        return mask_all_but_last(value, 4);
    }
    // Text (an address, a birth date in words): its first word, the rest hidden.
    let mut words = value.split_whitespace();
    let first = words.next().unwrap_or("");
    let rest: Vec<String> = words.map(|w| "*".repeat(w.chars().count())).collect();
    if rest.is_empty() {
        let kept: String = first.chars().take(1).collect();
        return format!("{kept}{}", "*".repeat(first.chars().count().saturating_sub(1)));
    }
    format!("{first} {}", rest.join(" "))
}

/// Digits with the separators people write in phone numbers only, 9 to 12
/// digits, starting like a Korean number (0…, or +82 / 82…).
fn looks_like_phone(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit() || " -+().".contains(c)) {
        return false;
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    (9..=12).contains(&digits.len()) && (digits.starts_with('0') || digits.starts_with("82"))
}

/// `YYMMDD-NNNNNNN` (the dash optional): six digits, then seven.
fn looks_like_rrn(value: &str) -> bool {
    let v = value.trim();
    let (front, back) = match v.split_once('-') {
        Some((f, b)) => (f, b),
        None if v.len() == 13 => v.split_at(6),
        None => return false,
    };
    front.len() == 6
        && back.len() == 7
        && front.bytes().all(|b| b.is_ascii_digit())
        && back.bytes().all(|b| b.is_ascii_digit())
}

/// `someone@host.tld`, without spaces.
fn looks_like_email(value: &str) -> bool {
    let v = value.trim();
    match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !v.contains(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    }
}

fn mask_all_but_last(text: &str, keep: usize) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + keep > digits {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_as_people_expect() {
        assert_eq!(mask_phone("01012345678"), "010-****-5678");
        assert_eq!(mask_brn("2208162517"), "220-81-*****");
        assert_eq!(mask_account("123-456-789012"), "***-***-**9012");
        assert_eq!(mask_account(""), "");
        assert_eq!(mask_name("홍길동"), "홍*동");
        assert_eq!(mask_name("남궁민수"), "남**수");
        assert_eq!(mask_name("김민"), "김*");
        assert_eq!(mask_name("김"), "*");
        assert_eq!(mask_name(" 가나다식당 "), "가***당");
        assert_eq!(mask_name("John Smith"), "J*** ****h");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn extra_columns_with_personal_data_are_masked_by_header_or_by_value() {
        // By header (Korean and English), whatever the value looks like.
        assert_eq!(mask_extra("연락처2", "010-9876-5432"), "010-****-5432");
        assert_eq!(mask_extra("보조 전화", "02-123-4567"), "**-***-4567");
        assert_eq!(mask_extra("Mobile", "+82 10 9876 5432"), "+** ** **** 5432");
        assert_eq!(mask_extra("이메일", "kim.minsu@example.com"), "k***@example.com");
        assert_eq!(mask_extra("E-mail", "lee@example.co.kr"), "l***@example.co.kr");
        assert_eq!(mask_extra("주소", "서울시 강남구 테헤란로 1"), "서울시 *** **** *");
        assert_eq!(mask_extra("home_address", "Seoul"), "S****");
        assert_eq!(mask_extra("환불계좌", "110-123-456789"), "***-***-**6789");
        assert_eq!(mask_extra("주민등록번호", "900101-1234567"), "900101-*******");
        assert_eq!(mask_extra("생년월일", "1990-01-01"), "****-01-01");
        assert_eq!(mask_extra("date_of_birth", "1월 1일"), "1월 **");
        // By value, under any header.
        assert_eq!(mask_extra("비고", "010-1234-5678"), "010-****-5678");
        assert_eq!(mask_extra("memo", "9001011234567"), "900101-*******");
        assert_eq!(mask_extra("참고", "someone@example.com"), "s***@example.com");
        // Not personal: left as they are.
        for (h, v) in [
            ("신고구분", "의견"),
            ("채널", "카카오톡"),
            ("건수", "3"),
            ("금액", "50,000"),
            ("비고", "2022-10-15"),
        ] {
            assert!(!is_personal_extra(h, v), "{h}: {v}");
            assert_eq!(mask_extra(h, v), v);
        }
    }
}
