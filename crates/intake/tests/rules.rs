//! One test per intake rule: the bad input and the exact message it gets.

mod common;

use chrono::{TimeZone, Utc};
use claimdesk_core::Category;
use claimdesk_intake::problem_codes as pc;
use common::*;
use rust_decimal::Decimal;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid time")
}

/// The quarantine message of the valid taxi row with field `i` replaced.
fn message_with(i: usize, value: &str) -> (String, Vec<&'static str>) {
    let q = quarantined(one_row(&with_field(TAXI, i, value)));
    (q.message(), q.codes())
}

#[test]
fn a_valid_row_is_normalized() {
    let taxi = valid(one_row(TAXI));
    assert_eq!(taxi.line, 2);
    let c = taxi.claim;
    assert_eq!(c.external_id, "C-1");
    assert_eq!(c.received_at, utc(2022, 10, 19, 0, 12));
    assert_eq!(c.category, Category::TaxiDriver);
    assert_eq!(c.name, "홍길동");
    assert_eq!(c.phone.as_deref(), Some("01012345678"));
    assert_eq!(c.brn, None);
    assert_eq!(c.service, "kakao_t");
    assert_eq!(c.damage_start, utc(2022, 10, 15, 6, 30));
    assert_eq!(c.damage_end, utc(2022, 10, 16, 5, 0));
    assert_eq!(c.claimed_amount, Some(Decimal::from(150_000)));
    assert_eq!(c.daily_income, Some(Decimal::from(180_000)));
    assert_eq!(c.documented_loss, None);
    assert_eq!(c.ad_spend, None);
    assert_eq!(c.description, "택시 호출을 받지 못했습니다");
    assert!(c.extra.is_empty());
    assert_eq!(taxi.raw.fields.len(), 14);
    assert_eq!(taxi.raw.fields[4], ("phone".to_string(), "010-1234-5678".to_string()));

    let shop = valid(one_row(SHOP)).claim;
    assert_eq!(shop.category, Category::SmallBusiness);
    assert_eq!(shop.brn.as_deref(), Some("2208162517"));
    assert_eq!(shop.phone, None);
    assert_eq!(shop.service, "kakaotalk");
    assert_eq!(shop.received_at, utc(2022, 10, 20, 1, 0));
    assert_eq!(shop.damage_start, utc(2022, 10, 15, 6, 30));
    assert_eq!(shop.documented_loss, Some(Decimal::from(1_200_000)));
}

#[test]
fn phone_forms_all_normalize_to_eleven_digits() {
    for form in ["01012345678", "+82 10-1234-5678", "+821012345678", "010 1234 5678", "010.1234.5678"] {
        let c = valid(one_row(&with_field(TAXI, 4, form))).claim;
        assert_eq!(c.phone.as_deref(), Some("01012345678"), "{form}");
    }
}

#[test]
fn bad_phone() {
    let (m, codes) = message_with(4, "010-12-5678");
    assert_eq!(m, "line 2, phone: '010-12-5678' is not a Korean mobile number");
    assert_eq!(codes, [pc::BAD_PHONE]);
    let (m, _) = message_with(4, "02-123-4567");
    assert_eq!(m, "line 2, phone: '02-123-4567' is not a Korean mobile number");
}

#[test]
fn bad_phone_names_the_korean_header_as_written() {
    let header = "접수번호,접수일시,신고자유형,성명,연락처,사업자등록번호,서비스,피해시작,피해종료";
    let rows = read_csv(&format!(
        "{header}\nK-1,2022-10-19 09:12,택시 기사,홍길동,010-12-5678,,카카오 T,2022-10-15 15:30,2022-10-16 14:00\n"
    ))
    .expect("opens");
    let q = quarantined(rows.into_iter().next().expect("a row"));
    assert_eq!(q.message(), "line 2, 연락처: '010-12-5678' is not a Korean mobile number");
    assert_eq!(q.problems[0].column, "연락처");
    assert_eq!(q.problems[0].value, "010-12-5678");
}

#[test]
fn individual_without_phone() {
    let (m, codes) = message_with(4, "");
    assert_eq!(m, "line 2, phone: empty, but an individual claimant (Taxi driver) needs a mobile number");
    assert_eq!(codes, [pc::MISSING_PHONE]);
}

#[test]
fn bad_brn_checksum() {
    let q = quarantined(one_row(&with_field(SHOP, 5, "220-81-62518")));
    assert_eq!(
        q.message(),
        "line 2, brn: '220-81-62518' is not a valid business registration number (the check digit does not match)"
    );
    assert_eq!(q.codes(), [pc::BAD_BRN]);
    let q = quarantined(one_row(&with_field(SHOP, 5, "220-81-6251")));
    assert_eq!(
        q.message(),
        "line 2, brn: '220-81-6251' is not a business registration number (10 digits, e.g. 220-81-62517)"
    );
}

#[test]
fn business_without_brn() {
    let q = quarantined(one_row(&with_field(SHOP, 5, "")));
    assert_eq!(
        q.message(),
        "line 2, brn: empty, but a business claimant (Small business) needs a business registration number"
    );
    assert_eq!(q.codes(), [pc::MISSING_BRN]);
}

#[test]
fn business_phone_is_optional_kept_when_valid_and_quarantined_when_not() {
    let c = valid(one_row(&with_field(SHOP, 4, "+82 10-9999-0000"))).claim;
    assert_eq!(c.phone.as_deref(), Some("01099990000"));
    let q = quarantined(one_row(&with_field(SHOP, 4, "국번없이 114")));
    assert_eq!(q.message(), "line 2, phone: '국번없이 114' is not a Korean mobile number");
}

#[test]
fn individual_brn_is_optional_but_checked_when_present() {
    let c = valid(one_row(&with_field(TAXI, 5, "2208162517"))).claim;
    assert_eq!(c.brn.as_deref(), Some("2208162517"));
    let (_, codes) = message_with(5, "1234567890");
    assert_eq!(codes, [pc::BAD_BRN]);
}

#[test]
fn unknown_category() {
    let (m, codes) = message_with(2, "외계인");
    assert_eq!(
        m,
        "line 2, category: '외계인' is not a claimant category (free_user/무료 이용자, paid_subscriber/유료 이용자, \
         taxi_driver/택시 기사, designated_driver/대리운전 기사, small_business/소상공인, advertiser/광고주, other/기타)"
    );
    assert_eq!(codes, [pc::UNKNOWN_CATEGORY]);
    let c = valid(one_row(&with_field(TAXI, 2, " Taxi_Driver "))).claim;
    assert_eq!(c.category, Category::TaxiDriver);
}

#[test]
fn unknown_service() {
    let (m, codes) = message_with(6, "카카오뱅크");
    assert_eq!(
        m,
        "line 2, service: '카카오뱅크' is not a service of the catalog (판교 데이터센터 화재 서비스 장애)"
    );
    assert_eq!(codes, [pc::UNKNOWN_SERVICE]);
    assert_eq!(valid(one_row(&with_field(TAXI, 6, "카카오 T"))).claim.service, "kakao_t");
    assert_eq!(valid(one_row(&with_field(TAXI, 6, "KAKAO_T"))).claim.service, "kakao_t");
}

#[test]
fn bad_date() {
    let (m, codes) = message_with(1, "2022-13-19 09:12");
    assert_eq!(
        m,
        "line 2, received_at: '2022-13-19 09:12' is not a date and time \
         (write 2022-10-19 09:12, 2022.10.19 09:12 or 2022-10-19T09:12:00+09:00)"
    );
    assert_eq!(codes, [pc::BAD_DATETIME]);
    let (_, codes) = message_with(7, "어제 저녁");
    assert_eq!(codes, [pc::BAD_DATETIME]);
    let (m, codes) = message_with(8, "");
    assert_eq!(m, "line 2, damage_end: empty, but the end of the damage is required");
    assert_eq!(codes, [pc::MISSING_VALUE]);
}

#[test]
fn damage_end_before_start() {
    let (m, codes) = message_with(8, "2022-10-15 15:29");
    assert_eq!(m, "line 2, damage_end: '2022-10-15 15:29' is before the damage start '2022-10-15 15:30'");
    assert_eq!(codes, [pc::END_BEFORE_START]);
    // Equal is fine: not before.
    valid(one_row(&with_field(TAXI, 8, "2022-10-15T06:30:00Z")));
}

#[test]
fn bad_amount() {
    let (m, codes) = message_with(9, "많이");
    assert_eq!(
        m,
        "line 2, claimed_amount_krw: '많이' is not an amount in whole won (write 1,234,000 or 1234000원)"
    );
    assert_eq!(codes, [pc::BAD_AMOUNT]);
    let (m, _) = message_with(10, "-5,000");
    assert_eq!(m, "line 2, daily_income_krw: '-5,000' is negative; amounts are 0 or more won");
    let (m, _) = message_with(11, "1000.5");
    assert_eq!(m, "line 2, documented_loss_krw: '1000.5' is not a whole number of won");
    for (text, won) in
        [("1,234,000", Some(1_234_000)), ("1234000원", Some(1_234_000)), ("0원", Some(0)), ("", None)]
    {
        let c = valid(one_row(&with_field(TAXI, 12, text))).claim;
        assert_eq!(c.ad_spend, won.map(Decimal::from), "{text}");
    }
}

#[test]
fn wrong_field_count_keeps_every_field() {
    let q = quarantined(one_row(&format!("{TAXI},extra,fields")));
    assert_eq!(
        q.message(),
        "line 2, the row has 16 fields but the header has 14 (a missing or extra comma, or an unclosed quote?)"
    );
    assert_eq!(q.codes(), [pc::FIELD_COUNT]);
    assert_eq!(q.raw.fields.len(), 16);
    assert_eq!(q.raw.fields[15], (String::new(), "fields".to_string()));
    let q = quarantined(one_row("C-9,2022-10-19 09:12,taxi_driver"));
    assert_eq!(q.raw.fields.len(), 3);
    assert!(q.message().contains("the row has 3 fields but the header has 14"));
}

#[test]
fn empty_claim_id() {
    let (m, codes) = message_with(0, "   ");
    assert_eq!(m, "line 2, claim_id: empty, but a claim id is required");
    assert_eq!(codes, [pc::MISSING_VALUE]);
    assert_eq!(valid(one_row(&with_field(TAXI, 0, "  C-1 "))).claim.external_id, "C-1");
}

#[test]
fn missing_name() {
    let (m, codes) = message_with(3, "");
    assert_eq!(m, "line 2, name: empty, but a name is required");
    assert_eq!(codes, [pc::MISSING_VALUE]);
}

#[test]
fn every_problem_of_a_row_is_reported() {
    let row = with_field(&with_field(TAXI, 4, "010-12-5678"), 9, "많이");
    let q = quarantined(one_row(&row));
    assert_eq!(
        q.message(),
        "line 2, phone: '010-12-5678' is not a Korean mobile number; \
         claimed_amount_krw: '많이' is not an amount in whole won (write 1,234,000 or 1234000원)"
    );
    assert_eq!(q.codes(), [pc::BAD_PHONE, pc::BAD_AMOUNT]);
}

#[test]
fn account_numbers_and_banks() {
    let header = format!("{HEADER},bank_name,account_no");
    let rows = read_csv(&format!("{header}\n{TAXI},국민은행,123-456-789012\n{TAXI},국민은행,계좌 없음\n"))
        .expect("opens");
    let c = valid(rows[0].clone()).claim;
    assert_eq!(c.bank_name.as_deref(), Some("국민은행"));
    assert_eq!(c.account_no.as_deref(), Some("123-456-789012"));
    let q = quarantined(rows[1].clone());
    assert_eq!(q.message(), "line 3, account_no: '계좌 없음' is not an account number (digits and dashes)");
    assert_eq!(q.codes(), [pc::BAD_ACCOUNT]);
}

#[test]
fn unknown_columns_are_kept_as_extra() {
    let header = format!("{HEADER},memo, 담당자 ,");
    let rows = read_csv(&format!("{header}\n{TAXI},전화 요망,김철수,\n")).expect("opens");
    let v = valid(rows[0].clone());
    assert_eq!(v.claim.extra.get("memo").map(String::as_str), Some("전화 요망"));
    assert_eq!(v.claim.extra.get("담당자").map(String::as_str), Some("김철수"));
    assert_eq!(v.claim.extra.len(), 2, "empty values are not stored as extra");
    assert_eq!(v.raw.fields.len(), 17, "raw keeps every column");
    assert_eq!(v.raw.fields[15].0, " 담당자 ", "raw keeps the header as written");
}

#[test]
fn problem_messages_quote_long_values_shortened() {
    let long = "x".repeat(100);
    let q = quarantined(one_row(&with_field(TAXI, 9, &long)));
    assert!(q.message().contains(&format!("'{}…'", "x".repeat(60))));
    assert_eq!(q.problems[0].value, long, "the problem keeps the whole value");
}

#[test]
fn a_fixed_row_validates_again() {
    let q = quarantined(one_row(&with_field(TAXI, 4, "010-12-5678")));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "h.csv", format!("{HEADER}\n").as_bytes());
    let file = claimdesk_intake::open(&path, &catalog()).expect("opens");
    let mut raw = q.raw.clone();
    raw.fields[4].1 = "010-1234-5678".into();
    let fixed = valid(file.validator().validate(q.line, raw));
    assert_eq!(fixed.claim.phone.as_deref(), Some("01012345678"));
}
