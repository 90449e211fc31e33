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
}
