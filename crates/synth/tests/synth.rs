//! The generator's promises: determinism, unique ids, coverage, the invalid
//! and duplicate fractions, and rows that follow intake.md.

use std::collections::{HashMap, HashSet};

use claimdesk_core::validate::{brn_is_valid, normalize_brn, normalize_phone, parse_datetime, parse_won};
use claimdesk_core::{Catalog, Category};
use claimdesk_synth::{col, columns, rows, write_csv, Defect, SynthConfig, SynthRow, COLUMN_COUNT};

fn config(count: usize, seed: u64, invalid_rate: f64) -> SynthConfig {
    SynthConfig { count, seed, invalid_rate, ..SynthConfig::demo(count) }
}

fn generate(cfg: &SynthConfig) -> Vec<SynthRow> {
    rows(cfg, &Catalog::default_2022()).collect()
}

fn csv_bytes(cfg: &SynthConfig) -> Vec<u8> {
    let mut out = Vec::new();
    let stats = write_csv(cfg, &Catalog::default_2022(), &mut out).expect("writing to memory");
    assert_eq!(stats.rows, cfg.count);
    out
}

/// The claimant key of policy.md and the service code of a valid row.
fn key_and_service(row: &SynthRow, catalog: &Catalog) -> (String, String) {
    let category = Category::parse(&row.fields[col::CATEGORY]).expect("valid rows have a category");
    let key = if category.is_business() {
        normalize_brn(&row.fields[col::BRN]).expect("valid rows of businesses have a BRN")
    } else {
        normalize_phone(&row.fields[col::PHONE]).expect("valid rows of individuals have a phone")
    };
    let service = catalog.find(&row.fields[col::SERVICE]).expect("a catalog service").code.clone();
    (format!("{}:{key}", category.is_business()), service)
}

#[test]
fn a_seed_gives_the_same_rows_every_time() {
    let cfg = config(3_000, 7, 0.05);
    assert_eq!(csv_bytes(&cfg), csv_bytes(&cfg));
    assert_eq!(generate(&cfg), generate(&cfg));
    let other = SynthConfig { seed: 8, ..cfg.clone() };
    assert_ne!(csv_bytes(&cfg), csv_bytes(&other));

    // The CSV holds exactly the rows of the iterator, under the header, as
    // intake reads them (a cell that starts like a formula carries the text
    // mark, which intake takes off: claimdesk_intake::csv_record).
    let bytes = csv_bytes(&cfg);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(header, columns(true));
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().expect("well-formed CSV");
    let rows = generate(&cfg);
    assert_eq!(records.len(), rows.len());
    for (record, row) in records.iter().zip(&rows) {
        assert_eq!(record.len(), COLUMN_COUNT);
        assert!(record.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{record:?}");
        assert!(record
            .iter()
            .map(claimdesk_intake::without_formula_guard)
            .eq(row.fields.iter().map(String::as_str)));
    }
}

#[test]
fn english_and_korean_headers() {
    assert_eq!(columns(false)[0], "claim_id");
    assert_eq!(columns(false)[15], "account_no");
    assert_eq!(columns(true)[2], "신고자유형");
    assert_eq!(columns(true).len(), COLUMN_COUNT);
    let bench = SynthConfig::benchmark(10);
    let text = String::from_utf8(csv_bytes(&bench)).expect("UTF-8");
    assert!(text.starts_with("claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,"));
    assert!(text.lines().nth(1).is_some_and(|l| l.starts_with("B22-0000001,")));
}

#[test]
fn ids_are_unique_and_sequential() {
    let rows = generate(&config(20_000, 1, 0.02));
    let ids: HashSet<&str> = rows.iter().map(SynthRow::claim_id).collect();
    assert_eq!(ids.len(), rows.len());
    assert_eq!(rows[0].claim_id(), "D22-0000001");
    assert_eq!(rows[19_999].claim_id(), "D22-0020000");
}

#[test]
fn every_category_and_service_appears_in_2000_rows() {
    let catalog = Catalog::default_2022();
    let rows = generate(&config(2_000, 99, 0.0));
    let mut categories = HashMap::new();
    let mut services = HashMap::new();
    for row in &rows {
        let c = Category::parse(&row.fields[col::CATEGORY]).expect("a known category");
        *categories.entry(c).or_insert(0usize) += 1;
        let s = catalog.find(&row.fields[col::SERVICE]).expect("a catalog service");
        *services.entry(s.code.clone()).or_insert(0usize) += 1;
    }
    for c in Category::ALL {
        assert!(categories.get(c).copied().unwrap_or(0) >= 10, "{c}: {categories:?}");
    }
    for s in &catalog.services {
        assert!(services.get(&s.code).copied().unwrap_or(0) >= 5, "{}: {services:?}", s.code);
    }
    // The mix is the real event's: free users first, a few "other".
    let free = categories[&Category::FreeUser];
    assert!(free > categories[&Category::PaidSubscriber] && free > 700 && free < 1_400, "{categories:?}");
    assert!(categories[&Category::Other] < categories[&Category::SmallBusiness]);
    // Codes and Korean labels/names both occur.
    assert!(rows.iter().any(|r| r.fields[col::CATEGORY] == "무료 이용자"));
    assert!(rows.iter().any(|r| r.fields[col::CATEGORY] == "free_user"));
    assert!(rows.iter().any(|r| r.fields[col::SERVICE] == "카카오 T"));
    assert!(rows.iter().any(|r| r.fields[col::SERVICE] == "kakao_t"));
}

#[test]
fn the_invalid_fraction_is_honoured() {
    for (rate, n) in [(0.0, 20_000), (0.02, 20_000), (0.1, 20_000), (0.5, 4_000)] {
        let cfg = config(n, 5, rate);
        let rows = generate(&cfg);
        let invalid = rows.iter().filter(|r| !r.is_valid()).count();
        let expected = rate * n as f64;
        let tolerance = 4.0 * (n as f64 * rate * (1.0 - rate)).sqrt() + 1.0;
        assert!((invalid as f64 - expected).abs() <= tolerance, "rate {rate}: {invalid} of {n}");
        let mut out = Vec::new();
        let stats = write_csv(&cfg, &Catalog::default_2022(), &mut out).expect("write");
        assert_eq!(stats.invalid, invalid);
    }
    // Every kind of defect occurs.
    let rows = generate(&config(5_000, 5, 0.2));
    let kinds: HashSet<Defect> = rows.iter().filter_map(|r| r.defect).collect();
    assert_eq!(kinds.len(), Defect::ALL.len(), "{kinds:?}");
}

#[test]
fn duplicates_share_claimant_and_service() {
    let catalog = Catalog::default_2022();
    let cfg = SynthConfig { invalid_rate: 0.03, ..SynthConfig::demo(20_000) };
    let rows = generate(&cfg);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut duplicates = 0;
    for row in rows.iter().filter(|r| r.is_valid()) {
        let (key, service) = key_and_service(row, &catalog);
        let fresh = seen.insert((key.clone(), service));
        // A duplicate repeats an earlier (claimant, service); nothing else does,
        // so the generator's count is the policy's count of DUPLICATE groups.
        assert_eq!(fresh, !row.duplicate, "{}", row.claim_id());
        // The same claimant keeps one name.
        let name = names.entry(key).or_insert_with(|| row.fields[col::NAME].clone());
        assert_eq!(*name, row.fields[col::NAME]);
        duplicates += usize::from(row.duplicate);
    }
    let share = duplicates as f64 / rows.len() as f64;
    assert!((0.024..0.036).contains(&share), "duplicates {share}");
    let stats = claimdesk_synth::rows(&cfg, &catalog).fold(0, |n, r| n + usize::from(r.duplicate));
    assert_eq!(stats, duplicates);
    // Some claimants report several services (not duplicates).
    assert!(names.len() < seen.len());
    // No duplicates when none are asked for.
    let none = generate(&SynthConfig { duplicate_rate: 0.0, ..cfg });
    assert!(none.iter().all(|r| !r.duplicate));
}

#[test]
fn valid_rows_follow_intake_rules() {
    let rows = generate(&config(10_000, 11, 0.0));
    let mut forms = HashSet::new();
    for row in &rows {
        let f = &row.fields;
        let category = Category::parse(&f[col::CATEGORY]).expect("category");
        assert!(!f[col::NAME].trim().is_empty());
        if category.is_business() {
            let brn = normalize_brn(&f[col::BRN]).expect("BRN");
            assert!(brn_is_valid(&brn));
            assert!(!brn.starts_with('0'), "tax office codes start at 101: {brn}");
        } else {
            assert!(f[col::BRN].is_empty());
        }
        if !f[col::PHONE].is_empty() || !category.is_business() {
            let phone = normalize_phone(&f[col::PHONE]).expect("mobile");
            assert!(phone.len() == 11 && phone.starts_with("010"), "{phone}");
            assert!(!matches!(phone.as_bytes()[3], b'0' | b'1'), "{phone}");
        }
        parse_datetime(&f[col::RECEIVED_AT]).expect("received_at");
        let start = parse_datetime(&f[col::DAMAGE_START]).expect("start");
        let end = parse_datetime(&f[col::DAMAGE_END]).expect("end");
        assert!(end > start, "{}", row.claim_id());
        for c in [col::CLAIMED_AMOUNT, col::DAILY_INCOME, col::DOCUMENTED_LOSS, col::AD_SPEND] {
            parse_won(&f[c]).expect("amount");
        }
        assert!(f[col::ACCOUNT_NO].chars().all(|c| c.is_ascii_digit() || c == '-'));
        for c in [col::RECEIVED_AT, col::CLAIMED_AMOUNT, col::PHONE] {
            let v = &f[c];
            let form = if v.contains('T') {
                "rfc3339"
            } else if v.contains('.') {
                "dots"
            } else if v.ends_with('원') {
                "won"
            } else if v.contains(',') {
                "grouped"
            } else if v.starts_with('+') {
                "intl"
            } else if v.contains('-') {
                "dashes"
            } else {
                "plain"
            };
            forms.insert((c, form));
        }
    }
    for expected in [
        (col::RECEIVED_AT, "rfc3339"),
        (col::RECEIVED_AT, "dots"),
        (col::RECEIVED_AT, "dashes"),
        (col::CLAIMED_AMOUNT, "won"),
        (col::CLAIMED_AMOUNT, "grouped"),
        (col::CLAIMED_AMOUNT, "plain"),
        (col::PHONE, "intl"),
        (col::PHONE, "dashes"),
        (col::PHONE, "plain"),
    ] {
        assert!(forms.contains(&expected), "{expected:?} missing");
    }
}

#[test]
fn rows_look_like_the_real_event() {
    let catalog = Catalog::default_2022();
    let rows = generate(&config(20_000, 3, 0.0));
    let n = rows.len() as f64;
    let share = |pred: &dyn Fn(&SynthRow) -> bool| rows.iter().filter(|r| pred(r)).count() as f64 / n;

    // Search has hits, but not everywhere.
    for word in ["택시", "예약", "호출", "택시 호출"] {
        let s = share(&|r| r.fields[col::DESCRIPTION].contains(word));
        assert!((0.01..0.35).contains(&s), "{word}: {s}");
    }
    let described = share(&|r| !r.fields[col::DESCRIPTION].is_empty());
    assert!(described > 0.9, "{described}");
    let distinct: HashSet<&str> = rows.iter().map(|r| r.fields[col::DESCRIPTION].as_str()).collect();
    assert!(distinct.len() > 2_000, "{} distinct descriptions", distinct.len());
    let names: HashSet<&str> = rows.iter().map(|r| r.fields[col::NAME].as_str()).collect();
    assert!(names.len() > 3_000, "{} distinct names", names.len());
    assert!(rows
        .iter()
        .any(|r| r.fields[col::NAME].ends_with("식당") || r.fields[col::NAME].contains("식당 ")));
    assert!(rows.iter().any(|r| r.fields[col::NAME].starts_with("주식회사 ")));

    // Filed mostly within 2022-10-19 … 11-06 KST, some outside.
    let open = parse_datetime("2022-10-19 00:00").expect("t");
    let close = parse_datetime("2022-11-06 23:59:59").expect("t");
    let inside = share(&|r| {
        let t = parse_datetime(&r.fields[col::RECEIVED_AT]).expect("t");
        t >= open && t <= close
    });
    assert!((0.94..0.995).contains(&inside), "{inside}");

    // Damage mostly overlaps the service's outage.
    let overlapping = share(&|r| {
        let s = catalog.find(&r.fields[col::SERVICE]).expect("service");
        let start = parse_datetime(&r.fields[col::DAMAGE_START]).expect("t");
        let end = parse_datetime(&r.fields[col::DAMAGE_END]).expect("t");
        start < s.outage_end_utc() && end > s.outage_start_utc()
    });
    assert!((0.8..0.95).contains(&overlapping), "{overlapping}");

    // Evidence where it belongs.
    let of = |c: Category| -> Vec<&SynthRow> {
        rows.iter().filter(|r| Category::parse(&r.fields[col::CATEGORY]) == Some(c)).collect()
    };
    let won = |v: &str| parse_won(v).ok().flatten().and_then(|d| d.to_string().parse::<u64>().ok());
    let drivers = of(Category::TaxiDriver);
    let with_income: Vec<u64> = drivers.iter().filter_map(|r| won(&r.fields[col::DAILY_INCOME])).collect();
    assert!(with_income.len() * 10 > drivers.len() * 7 && with_income.len() < drivers.len());
    assert!(with_income.iter().all(|v| (100_000..=250_000).contains(v)));
    let kakao_t =
        drivers.iter().filter(|r| catalog.find(&r.fields[col::SERVICE]).is_some_and(|s| s.code == "kakao_t"));
    assert!(kakao_t.count() * 10 > drivers.len() * 7);
    let ads = of(Category::Advertiser);
    let with_spend = ads.iter().filter(|r| won(&r.fields[col::AD_SPEND]).is_some()).count();
    assert!(with_spend * 10 > ads.len() * 7);
    let shops = of(Category::SmallBusiness);
    assert!(shops.iter().any(|r| won(&r.fields[col::DOCUMENTED_LOSS]).is_some()));
    assert!(of(Category::FreeUser)
        .iter()
        .all(|r| r.fields[col::AD_SPEND].is_empty() && r.fields[col::DAILY_INCOME].is_empty()));
    let banked = shops
        .iter()
        .filter(|r| !r.fields[col::BANK_NAME].is_empty() && !r.fields[col::ACCOUNT_NO].is_empty())
        .count();
    assert!(banked * 10 > shops.len() * 8);
    assert!(rows.iter().any(|r| r.fields[col::CLAIMED_AMOUNT].is_empty()));
}

#[test]
fn streams_in_constant_memory_and_knows_its_length() {
    let cfg = SynthConfig::benchmark(50_000);
    let it = rows(&cfg, &Catalog::default_2022());
    assert_eq!(it.len(), 50_000);
    // fill_next reuses one row's buffers.
    let mut gen = claimdesk_synth::SynthRows::new(&cfg, &Catalog::default_2022());
    let mut row = SynthRow::default();
    let mut n = 0;
    while gen.fill_next(&mut row) {
        n += 1;
    }
    assert_eq!(n, 50_000);
    assert_eq!(gen.stats().rows, 50_000);
    assert_eq!(gen.stats().invalid, 0);
}

#[test]
fn taxi_drivers_carry_a_membership_tier_and_repeat_it() {
    let catalog = Catalog::default_2022();
    let rows = generate(&SynthConfig { invalid_rate: 0.0, ..SynthConfig::demo(20_000) });
    assert_eq!(columns(true)[col::MEMBERSHIP_TIER], "멤버십 등급");
    assert_eq!(columns(false)[col::MEMBERSHIP_TIER], "membership_tier");
    let mut tiers: HashMap<(String, String), String> = HashMap::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut taxis = 0;
    for row in &rows {
        let category = Category::parse(&row.fields[col::CATEGORY]).expect("category");
        let tier = row.fields[col::MEMBERSHIP_TIER].as_str();
        if category != Category::TaxiDriver {
            assert_eq!(tier, "", "only taxi drivers have a tier");
            continue;
        }
        taxis += 1;
        let kind = match tier {
            "T 블루" | "블루" | "T블루" | "T Blue" => "blue",
            "벤티" | "T 벤티" | "Venti" => "venti",
            "블랙" | "T 블랙" | "Black" => "black",
            "" => "blank",
            "일반" => "other",
            t => panic!("unexpected tier {t:?}"),
        };
        *counts.entry(kind).or_default() += 1;
        // A claimant's re-report repeats the tier.
        let key = key_and_service(row, &catalog).0;
        let first = tiers.entry((key, String::new())).or_insert_with(|| tier.to_string());
        assert_eq!(first, tier, "{}", row.claim_id());
    }
    let share = |k: &str| counts.get(k).copied().unwrap_or(0) as f64 / taxis as f64;
    assert!(taxis > 1_000, "{taxis}");
    assert!((0.44..0.56).contains(&share("blue")), "{counts:?}");
    assert!((0.15..0.25).contains(&share("venti")), "{counts:?}");
    assert!((0.06..0.14).contains(&share("black")), "{counts:?}");
    assert!(share("blank") > 0.05 && share("other") > 0.03, "{counts:?}");
}
