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
    }
}
