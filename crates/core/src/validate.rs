//! Field rules shared by intake and the policy: phone numbers, business
//! registration numbers, amounts and times as claimants write them.

/// The business registration number checksum of intake.md, over 10 digits.
pub fn brn_is_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 || digits.chars().count() != 10 {
        return false;
    }
    const WEIGHTS: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let mut s: u32 = d.iter().zip(WEIGHTS).map(|(x, w)| x * w).sum();
    s += (d[8] * 5) / 10;
    (10 - s % 10) % 10 == d[9]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brn_checksum_matches_the_spec_example() {
        assert!(brn_is_valid("2208162517"));
        assert!(!brn_is_valid("2208162518"));
        assert!(!brn_is_valid("220816251"));
        assert!(!brn_is_valid("220-81-62517"), "takes digits only; intake strips dashes");
    }
}
