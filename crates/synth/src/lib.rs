//! Realistic synthetic intake rows of the 2022 Pangyo data center outage:
//! demo data (a new user sees a real workload), benchmarks (1,000,000 rows
//! in seconds) and tests.
//!
//! Rows follow spec/intake.md: Korean names and business names, descriptions
//! in natural Korean varied by category and service, every category and
//! service, claimants who report twice, evidence figures, and the untidy
//! forms real spreadsheets have (three date forms, three amount forms, three
//! phone forms, codes or Korean labels), and beyond intake.md's columns a
//! taxi driver's Kakao T membership tier (`멤버십 등급`, spelled several
//! ways, sometimes blank or a tier no policy lists), which a policy with
//! segments reads (docs/policies.md). A configured fraction of rows is
//! broken on purpose, each in one way intake must quarantine ([`Defect`]).
//!
//! Output is a pure function of the [`SynthConfig`] and the catalog:
//! the same seed gives the same rows on every machine and every run.
//! Generation streams in constant memory.
//!
//! ```
//! use claimdesk_core::Catalog;
//! let catalog = Catalog::default_2022();
//! let mut out = Vec::new();
//! let stats = claimdesk_synth::write_csv(&claimdesk_synth::SynthConfig::demo(100), &catalog, &mut out)?;
//! assert_eq!(stats.rows, 100);
//! # Ok::<(), std::io::Error>(())
//! ```

mod format;
mod rng;
mod text;

pub mod breach2025;

use claimdesk_core::{Catalog, Category};

use format::{kst_minutes, push_grouped, push_padded, push_time, push_uint, TimeForm};
use rng::{Rng, Weighted};

/// How many columns an intake row has (intake.md's 16 and the membership tier).
pub const COLUMN_COUNT: usize = 17;

/// The password of every member of the demo team (the app's and `claimdesk demo`'s; README).
pub const DEMO_PASSWORD: &str = "demo-2022";

/// Column positions in [`SynthRow::fields`] and [`columns`].
pub mod col {
    pub const CLAIM_ID: usize = 0;
    pub const RECEIVED_AT: usize = 1;
    pub const CATEGORY: usize = 2;
    pub const NAME: usize = 3;
    pub const PHONE: usize = 4;
    pub const BRN: usize = 5;
    pub const SERVICE: usize = 6;
    pub const DAMAGE_START: usize = 7;
    pub const DAMAGE_END: usize = 8;
    pub const CLAIMED_AMOUNT: usize = 9;
    pub const DAILY_INCOME: usize = 10;
    pub const DOCUMENTED_LOSS: usize = 11;
    pub const AD_SPEND: usize = 12;
    pub const DESCRIPTION: usize = 13;
    pub const BANK_NAME: usize = 14;
    pub const ACCOUNT_NO: usize = 15;
    /// Not an intake.md column: kept by intake in the claim's extra columns.
    pub const MEMBERSHIP_TIER: usize = 16;
}

const ENGLISH_HEADERS: [&str; COLUMN_COUNT] = [
    "claim_id",
    "received_at",
    "category",
    "name",
    "phone",
    "brn",
    "service",
    "damage_start",
    "damage_end",
    "claimed_amount_krw",
    "daily_income_krw",
    "documented_loss_krw",
    "ad_spend_krw",
    "description",
    "bank_name",
    "account_no",
    "membership_tier",
];

const KOREAN_HEADERS: [&str; COLUMN_COUNT] = [
    "접수번호",
    "접수일시",
    "신고자유형",
    "성명",
    "연락처",
    "사업자등록번호",
    "서비스",
    "피해시작",
    "피해종료",
    "청구금액",
    "일평균수입",
    "입증손해액",
    "광고비",
    "피해내용",
    "은행",
    "계좌번호",
    "멤버십 등급",
];

/// The header of an intake file, in column order: the English names of
/// intake.md, or its Korean ones.
pub fn columns(korean: bool) -> &'static [&'static str] {
    if korean {
        &KOREAN_HEADERS
    } else {
        &ENGLISH_HEADERS
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Rows to generate.
    pub count: usize,
    /// The same seed gives the same rows, on every machine.
    pub seed: u64,
    /// Fraction of rows broken on purpose (see [`Defect`]); 0.0 for benchmarks.
    pub invalid_rate: f64,
    /// Fraction of rows that repeat an earlier claimant (same phone or BRN)
    /// for the same service, as people who re-report do.
    pub duplicate_rate: f64,
    /// Write the Korean header names of intake.md instead of the English ones.
    pub korean_headers: bool,
    /// External ids are this prefix and a 7-digit sequence from 1: `D22-0000001`.
    pub id_prefix: String,
}

impl SynthConfig {
    /// Demo data: a few broken rows to show the quarantine, Korean headers.
    pub fn demo(count: usize) -> Self {
        SynthConfig {
            count,
            seed: 20_221_015,
            invalid_rate: 0.02,
            duplicate_rate: 0.03,
            korean_headers: true,
            id_prefix: "D22-".to_string(),
        }
    }

    /// Benchmark data: every row valid, English headers.
    pub fn benchmark(count: usize) -> Self {
        SynthConfig {
            count,
            seed: 1_015,
            invalid_rate: 0.0,
            duplicate_rate: 0.03,
            korean_headers: false,
            id_prefix: "B22-".to_string(),
        }
    }
}

/// How a broken row is broken: one rule of intake.md that it fails, in the column given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Defect {
    /// An individual's phone that is not a Korean mobile number (`010-12-5678`, `02-1234-5678`).
    BadPhone,
    /// An individual without a phone.
    MissingPhone,
    /// A business's BRN whose check digit is wrong.
    BadBrnChecksum,
    /// A business without a BRN.
    MissingBrn,
    /// A category that is neither a code nor a Korean label (`프리랜서`).
    UnknownCategory,
    /// Damage end before damage start.
    EndBeforeStart,
    /// A claimed amount that is not a number (`많이`).
    BadAmount,
    /// A time that is not a time (`10월 16일 오후`, `2022-10-32 14:00`), in received_at or damage start/end.
    BadTime,
    /// An empty name.
    MissingName,
}

impl Defect {
    pub const ALL: &'static [Defect] = &[
        Defect::BadPhone,
        Defect::MissingPhone,
        Defect::BadBrnChecksum,
        Defect::MissingBrn,
        Defect::UnknownCategory,
        Defect::EndBeforeStart,
        Defect::BadAmount,
        Defect::BadTime,
        Defect::MissingName,
    ];
}

/// One generated intake row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthRow {
    /// One value per column, in the order of [`columns`] (see [`col`]).
    pub fields: [String; COLUMN_COUNT],
    /// `Some` when the row was broken on purpose: intake must quarantine it.
    pub defect: Option<Defect>,
    /// The row repeats an earlier valid row's claimant for the same service.
    pub duplicate: bool,
}

impl SynthRow {
    pub fn claim_id(&self) -> &str {
        &self.fields[col::CLAIM_ID]
    }
    pub fn is_valid(&self) -> bool {
        self.defect.is_none()
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SynthStats {
    pub rows: usize,
    /// Rows broken on purpose.
    pub invalid: usize,
    /// Rows that repeat an earlier claimant for the same service.
    pub duplicates: usize,
}

/// The rows of a config, streamed in constant memory.
pub fn rows(config: &SynthConfig, catalog: &Catalog) -> SynthRows {
    SynthRows::new(config, catalog)
}

/// Writes the header and `config.count` rows as CSV (UTF-8, no BOM), each
/// record through `claimdesk_intake::csv_record` like every CSV ClaimDesk
/// writes (a cell a spreadsheet would run gets the text mark, which intake
/// takes off again).
pub fn write_csv<W: std::io::Write>(
    config: &SynthConfig,
    catalog: &Catalog,
    out: W,
) -> std::io::Result<SynthStats> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(claimdesk_intake::csv_record(columns(config.korean_headers).iter().copied()).as_bytes())?;
    let mut gen = SynthRows::new(config, catalog);
    let mut row = SynthRow::default();
    while gen.fill_next(&mut row) {
        out.write_all(claimdesk_intake::csv_record(row.fields.iter().map(String::as_str)).as_bytes())?;
    }
    out.flush()?;
    Ok(gen.stats())
}

/// Writes the CSV to a file (buffered), creating or truncating it.
pub fn write_csv_file(
    config: &SynthConfig,
    catalog: &Catalog,
    path: &std::path::Path,
) -> std::io::Result<SynthStats> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = write_csv(config, catalog, &mut out)?;
    std::io::Write::flush(&mut out)?;
    Ok(stats)
}

// ---------------------------------------------------------------------------
// The generator.

/// A taxi driver's Kakao T membership tier, from the claimant's own seed (a
/// re-report repeats it, and no other column's values move): half T 블루, a
/// fifth 벤티, a tenth 블랙, in the spellings forms use; some left blank, and
/// some "일반" (not a tier the final 2022 policy lists).
fn write_tier(field: &mut String, c: &Claimant) {
    let mut r = Rng::new(c.ident ^ 0x7A1E_5EED_0000_0001);
    let spellings: &[&str] = match r.unit() {
        x if x < 0.50 => &["T 블루", "블루", "T블루", "T Blue"],
        x if x < 0.70 => &["벤티", "T 벤티", "Venti"],
        x if x < 0.80 => &["블랙", "T 블랙", "Black"],
        x if x < 0.93 => &[""],
        _ => &["일반"],
    };
    field.push_str(r.pick(spellings));
}

/// Share of each category among claims, modeled on the 2022 reports
/// (many free users, then subscribers, drivers, small businesses, advertisers).
const CATEGORY_WEIGHTS: [u32; 7] = [52, 16, 9, 5, 11, 4, 3];

/// Which services each category reports, by code:
/// [free_user, paid_subscriber, taxi_driver, designated_driver, small_business, advertiser, other].
const SERVICE_WEIGHTS: &[(&str, [u32; 7])] = &[
    ("kakaotalk", [40, 14, 4, 4, 20, 4, 30]),
    ("talk_drawer", [3, 24, 0, 0, 3, 0, 6]),
    ("talk_channel", [2, 0, 0, 0, 24, 34, 5]),
    ("kakao_gift", [10, 5, 0, 0, 10, 0, 6]),
    ("kakao_t", [9, 5, 86, 86, 4, 0, 8]),
    ("kakao_pay", [10, 5, 4, 4, 20, 0, 8]),
    ("kakao_map", [6, 2, 3, 4, 8, 0, 5]),
    ("kakao_webtoon", [5, 15, 0, 0, 0, 0, 3]),
    ("melon", [5, 20, 1, 1, 2, 0, 3]),
    ("daum_mail", [8, 8, 1, 1, 5, 4, 20]),
    ("kakao_moment", [0, 0, 0, 0, 4, 58, 0]),
];
/// Services of a catalog that the table above doesn't know.
const UNKNOWN_SERVICE_WEIGHT: u32 = 3;

/// Claimants remembered for re-reports (constant memory).
const RING: usize = 4096;
/// Share of rows where a remembered claimant reports another service.
const OTHER_SERVICE_RATE: f64 = 0.02;

fn category_index(c: Category) -> usize {
    match c {
        Category::FreeUser => 0,
        Category::PaidSubscriber => 1,
        Category::TaxiDriver => 2,
        Category::DesignatedDriver => 3,
        Category::SmallBusiness => 4,
        Category::Advertiser => 5,
        Category::Other => 6,
    }
}

const CATEGORIES: [Category; 7] = [
    Category::FreeUser,
    Category::PaidSubscriber,
    Category::TaxiDriver,
    Category::DesignatedDriver,
    Category::SmallBusiness,
    Category::Advertiser,
    Category::Other,
];

fn audience(c: Category) -> u8 {
    match c {
        Category::TaxiDriver => text::TAXI,
        Category::DesignatedDriver => text::RIDE,
        Category::SmallBusiness | Category::Advertiser => text::BIZ,
        _ => text::USER,
    }
}

struct Svc {
    code: String,
    name: String,
    /// Outage window, minutes since the epoch on the Korea wall clock.
    start: i64,
    end: i64,
}

/// A claimant remembered for re-reports.
#[derive(Clone, Copy)]
struct Claimant {
    category: Category,
    /// Sequence number behind the phone or BRN (unique per claimant).
    key: u64,
    /// Seed of the claimant's name, bank and account.
    ident: u64,
    /// Services reported so far (bit = index in the catalog, first 64).
    services: u64,
    received: i64,
}

/// The generator behind [`rows`]: an iterator of [`SynthRow`], or, to reuse
/// one row's buffers, [`SynthRows::fill_next`].
pub struct SynthRows {
    config: SynthConfig,
    rng: Rng,
    services: Vec<Svc>,
    service_by_category: [Weighted; 7],
    categories: Weighted,
    /// Sentence templates by category and service.
    sentences: Vec<Vec<&'static str>>,
    surnames: Weighted,
    banks: Weighted,
    ring: Vec<Claimant>,
    ring_next: usize,
    next_person: u64,
    next_business: u64,
    salt: u64,
    p_invalid: f64,
    p_duplicate: f64,
    stats: SynthStats,
}

fn rate(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn wall_minutes(t: &chrono::DateTime<chrono::FixedOffset>) -> i64 {
    (t.timestamp() + 9 * 3600).div_euclid(60)
}

impl SynthRows {
    pub fn new(config: &SynthConfig, catalog: &Catalog) -> SynthRows {
        let fallback;
        let catalog = if catalog.services.is_empty() {
            fallback = Catalog::default_2022();
            &fallback
        } else {
            catalog
        };
        let services: Vec<Svc> = catalog
            .services
            .iter()
            .map(|s| Svc {
                code: s.code.clone(),
                name: s.name.clone(),
                start: wall_minutes(&s.outage_start),
                end: wall_minutes(&s.outage_end),
            })
            .collect();
        let service_by_category: [Weighted; 7] = std::array::from_fn(|ci| {
            let weights: Vec<u32> = services
                .iter()
                .map(|s| {
                    SERVICE_WEIGHTS
                        .iter()
                        .find(|(code, _)| *code == s.code)
                        .map_or(UNKNOWN_SERVICE_WEIGHT, |(_, w)| w[ci])
                })
                .collect();
            if weights.iter().all(|&w| w == 0) {
                Weighted::new(&vec![1; services.len()])
            } else {
                Weighted::new(&weights)
            }
        });
        let mut sentences = Vec::with_capacity(7 * services.len());
        for category in CATEGORIES {
            let mask = audience(category);
            for s in &services {
                let own =
                    text::SERVICE_SENTENCES.iter().find(|(code, _)| *code == s.code).map(|(_, list)| *list);
                let pool = own.unwrap_or(text::GENERIC_SENTENCES);
                let mut chosen: Vec<&'static str> =
                    pool.iter().filter(|(m, _)| m & mask != 0).map(|(_, t)| *t).collect();
                if chosen.is_empty() {
                    chosen = text::GENERIC_SENTENCES
                        .iter()
                        .filter(|(m, _)| m & mask != 0)
                        .map(|(_, t)| *t)
                        .collect();
                }
                sentences.push(chosen);
            }
        }
        let mut rng = Rng::new(config.seed);
        let salt = rng.next();
        let p_invalid = rate(config.invalid_rate);
        let p_duplicate =
            if p_invalid >= 1.0 { 0.0 } else { rate(rate(config.duplicate_rate) / (1.0 - p_invalid)) };
        SynthRows {
            config: config.clone(),
            rng,
            services,
            service_by_category,
            categories: Weighted::new(&CATEGORY_WEIGHTS),
            sentences,
            surnames: Weighted::new(&text::SURNAMES.iter().map(|(_, w)| *w).collect::<Vec<_>>()),
            banks: Weighted::new(&text::BANKS.iter().map(|(_, _, w)| *w).collect::<Vec<_>>()),
            ring: Vec::with_capacity(RING.min(config.count)),
            ring_next: 0,
            next_person: 0,
            next_business: 0,
            salt,
            p_invalid,
            p_duplicate,
            stats: SynthStats::default(),
        }
    }

    /// What has been generated so far.
    pub fn stats(&self) -> SynthStats {
        self.stats
    }

    /// Overwrites `row` with the next row, reusing its buffers; false when done.
    pub fn fill_next(&mut self, row: &mut SynthRow) -> bool {
        if self.stats.rows >= self.config.count {
            return false;
        }
        for f in row.fields.iter_mut() {
            f.clear();
        }
        row.defect = None;
        row.duplicate = false;
        self.generate(row);
        self.stats.rows += 1;
        if row.defect.is_some() {
            self.stats.invalid += 1;
        }
        if row.duplicate {
            self.stats.duplicates += 1;
        }
        true
    }

    fn generate(&mut self, row: &mut SynthRow) {
        let seq = self.stats.rows as u64 + 1;
        let id = &mut row.fields[col::CLAIM_ID];
        id.push_str(&self.config.id_prefix);
        push_padded(id, seq, 7);

        let invalid = self.rng.chance(self.p_invalid);
        // Who is reporting: a remembered claimant again, or someone new.
        enum Who {
            New,
            Again(usize),
            OtherService(usize, usize),
        }
        let mut who = Who::New;
        if !invalid && !self.ring.is_empty() {
            if self.rng.chance(self.p_duplicate) {
                who = Who::Again(self.rng.index(self.ring.len()));
            } else if self.services.len() <= 64 && self.rng.chance(OTHER_SERVICE_RATE) {
                let slot = self.rng.index(self.ring.len());
                let c = self.ring[slot];
                let svc = self.service_by_category[category_index(c.category)].sample(&mut self.rng);
                if c.services & (1u64 << svc) == 0 {
                    who = Who::OtherService(slot, svc);
                }
            }
        }
        let (claimant, service, slot) = match who {
            Who::Again(slot) => {
                let c = self.ring[slot];
                // One of the services this claimant reported before.
                let mut pick = self.rng.below(u64::from(c.services.count_ones()));
                let mut svc = 0;
                for i in 0..64 {
                    if c.services & (1u64 << i) != 0 {
                        if pick == 0 {
                            svc = i;
                            break;
                        }
                        pick -= 1;
                    }
                }
                row.duplicate = true;
                (c, svc, None)
            }
            Who::OtherService(slot, svc) => (self.ring[slot], svc, Some(slot)),
            Who::New => {
                let category = CATEGORIES[self.categories.sample(&mut self.rng)];
                let key = if category.is_business() {
                    self.next_business += 1;
                    self.next_business
                } else {
                    self.next_person += 1;
                    self.next_person
                };
                let svc = self.service_by_category[category_index(category)].sample(&mut self.rng);
                let c = Claimant { category, key, ident: self.rng.next(), services: 0, received: 0 };
                (c, svc, None)
            }
        };
        let category = claimant.category;

        // When.
        let (received, received_sec) = match who {
            Who::New => self.received_at(),
            _ => (claimant.received + self.rng.range(30, 4 * 1440), self.rng.below(60) as u32),
        };
        let (start, end) = self.damage_period(service, category);

        self.write_identity(row, &claimant);
        if category == Category::TaxiDriver {
            write_tier(&mut row.fields[col::MEMBERSHIP_TIER], &claimant);
        }
        self.write_category(&mut row.fields[col::CATEGORY], category);
        let form = self.time_form();
        push_time(&mut row.fields[col::RECEIVED_AT], received, received_sec, form);
        let form = self.time_form();
        push_time(&mut row.fields[col::DAMAGE_START], start, 0, form);
        let form = self.time_form();
        push_time(&mut row.fields[col::DAMAGE_END], end, 0, form);
        {
            let svc = &self.services[service];
            let field = &mut row.fields[col::SERVICE];
            field.push_str(if self.rng.chance(0.6) { &svc.code } else { &svc.name });
        }
        self.write_amounts(row, category);
        self.write_description(&mut row.fields[col::DESCRIPTION], category, service, row.duplicate);

        if invalid {
            let defect = self.break_row(row, category, start, end);
            row.defect = Some(defect);
            return;
        }

        // Remember the claimant for re-reports.
        match (who, slot) {
            (Who::New, _) => {
                let c = Claimant { services: 1u64 << (service & 63), received, ..claimant };
                if self.ring.len() < RING {
                    self.ring.push(c);
                } else {
                    self.ring[self.ring_next] = c;
                    self.ring_next = (self.ring_next + 1) % RING;
                }
            }
            (Who::OtherService(..), Some(slot)) => {
                self.ring[slot].services |= 1u64 << (service & 63);
            }
            _ => {}
        }
    }

    /// Mostly inside the filing window (2022-10-19 … 11-06 KST), early days busiest; a few outside.
    fn received_at(&mut self) -> (i64, u32) {
        let open = kst_minutes(2022, 10, 19, 0, 0);
        let close = kst_minutes(2022, 11, 6, 23, 59);
        let sec = self.rng.below(60) as u32;
        if self.rng.chance(0.97) {
            let day = (19.0 * self.rng.unit().powf(2.2)) as i64;
            let minute =
                if self.rng.chance(0.8) { self.rng.range(7 * 60, 1439) } else { self.rng.range(0, 1439) };
            (open + day * 1440 + minute, sec)
        } else if self.rng.chance(0.35) {
            (open - self.rng.range(1, 3 * 1440), sec)
        } else {
            (close + self.rng.range(1, 14 * 1440), sec)
        }
    }

    /// Mostly overlapping the service's outage window; some before or after it.
    fn damage_period(&mut self, service: usize, category: Category) -> (i64, i64) {
        let (os, oe) = (self.services[service].start, self.services[service].end);
        let span = (oe - os).max(0);
        let (mut start, mut end);
        if self.rng.chance(0.88) {
            start = os + self.rng.range(-180, span * 2 / 3);
            let long = matches!(
                category,
                Category::TaxiDriver | Category::DesignatedDriver | Category::SmallBusiness
            );
            let max = if long { span + 1440 } else { span + 720 };
            end = start + self.rng.range(60, max.max(240));
            if end <= os {
                end = os + self.rng.range(30, 600);
            }
        } else if self.rng.chance(0.5) {
            start = oe + self.rng.range(60, 3 * 1440);
            end = start + self.rng.range(60, 1440);
        } else {
            start = os - self.rng.range(1440, 3 * 1440);
            end = start + self.rng.range(60, 900);
        }
        if self.rng.chance(0.6) {
            start -= start.rem_euclid(10);
            end -= end.rem_euclid(10);
            if end <= start {
                end = start + 10;
            }
        }
        (start, end)
    }

    fn time_form(&mut self) -> TimeForm {
        match self.rng.below(20) {
            0..=6 => TimeForm::Rfc3339,
            7..=12 => TimeForm::DashMinutes,
            13..=15 => TimeForm::DashSeconds,
            _ => TimeForm::DotMinutes,
        }
    }

    fn write_category(&mut self, field: &mut String, category: Category) {
        field.push_str(if self.rng.chance(0.75) { category.code() } else { category.label_ko() });
    }

    /// Name, phone, BRN, bank and account: derived from the claimant alone, so a re-report repeats them.
    fn write_identity(&mut self, row: &mut SynthRow, c: &Claimant) {
        let mut id = Rng::new(c.ident);
        let business = c.category.is_business();
        {
            let name = &mut row.fields[col::NAME];
            if business {
                self.business_name(&mut id, name, c.category);
            } else {
                self.person_name(&mut id, name);
            }
        }
        if business {
            // Office (3 digits), kind (2) and serial (4) from a bijection of the
            // business's sequence number: distinct businesses, distinct BRNs.
            let u = scramble(c.key, 80_000_000, 800, self.salt ^ 0xB5);
            let office = 101 + u / 100_000;
            let serial = u % 10_000;
            let slot = (u / 10_000) % 10;
            let kind = if c.category == Category::Advertiser {
                // Half of them companies (81, 86, 87, 88, 85), half sole traders.
                [81, 86, 87, 88, 85, 12, 23, 31, 45, 67][slot as usize]
            } else {
                1 + slot * 7 + (office + serial) % 7
            };
            let nine = office * 1_000_000 + kind * 10_000 + serial;
            let mut d = [0u32; 10];
            for (i, digit) in d[..9].iter_mut().enumerate() {
                *digit = ((nine / 10u64.pow(8 - i as u32)) % 10) as u32;
            }
            d[9] = brn_check_digit(&d);
            let field = &mut row.fields[col::BRN];
            let dashed = self.rng.chance(0.7);
            for (i, digit) in d.iter().enumerate() {
                if dashed && (i == 3 || i == 5) {
                    field.push('-');
                }
                field.push(char::from(b'0' + *digit as u8));
            }
            // A contact number for some businesses (optional for them).
            if id.chance(0.45) {
                let middle = id.below(80_000_000);
                self.write_phone(&mut row.fields[col::PHONE], middle);
            }
        } else {
            let middle = scramble(c.key, 80_000_000, 10_000, self.salt);
            self.write_phone(&mut row.fields[col::PHONE], middle);
        }
        // Bank details for the categories the policy pays in cash.
        let cash = matches!(
            c.category,
            Category::TaxiDriver
                | Category::DesignatedDriver
                | Category::SmallBusiness
                | Category::Advertiser
        );
        if id.chance(if cash { 0.92 } else { 0.03 }) {
            let (bank, shape, _) = text::BANKS[self.banks.sample(&mut id)];
            row.fields[col::BANK_NAME].push_str(bank);
            let dashes = !id.chance(0.12);
            let account = &mut row.fields[col::ACCOUNT_NO];
            for ch in shape.chars() {
                match ch {
                    '#' => account.push(char::from(b'0' + id.below(10) as u8)),
                    '-' if !dashes => {}
                    other => account.push(other),
                }
            }
        }
    }

    /// `middle` in 0..80,000,000 → `010-2xxx-xxxx` … `010-9xxx-xxxx` (no 0 or 1 after 010, as issued).
    fn write_phone(&mut self, field: &mut String, middle: u64) {
        let (a, b) = (2_000 + middle / 10_000, middle % 10_000);
        let middle = a * 10_000 + b;
        match self.rng.below(20) {
            0..=11 => {
                field.push_str("010-");
                push_padded(field, a, 4);
                field.push('-');
                push_padded(field, b, 4);
            }
            12..=16 => {
                field.push_str("010");
                push_padded(field, middle, 8);
            }
            _ => {
                field.push_str("+82 10-");
                push_padded(field, a, 4);
                field.push('-');
                push_padded(field, b, 4);
            }
        }
    }

    fn person_name(&self, id: &mut Rng, out: &mut String) {
        out.push_str(text::SURNAMES[self.surnames.sample(id)].0);
        if id.chance(0.55) {
            out.push_str(id.pick(text::GIVEN_NAMES));
        } else {
            out.push_str(id.pick(text::GIVEN_FIRST));
            out.push_str(id.pick(text::GIVEN_SECOND));
        }
    }

    fn business_name(&self, id: &mut Rng, out: &mut String, category: Category) {
        let r = id.unit();
        if category == Category::Advertiser && r < 0.8 {
            let word = id.pick(text::BIZ_WORDS);
            let kind = id.pick(text::COMPANY_KINDS);
            match id.below(4) {
                0 => {
                    out.push_str("주식회사 ");
                    out.push_str(word);
                    out.push_str(kind);
                }
                1 => {
                    out.push_str("(주)");
                    out.push_str(word);
                    out.push_str(kind);
                }
                2 => {
                    out.push_str(word);
                    out.push_str(kind);
                }
                _ => {
                    out.push_str(word);
                    out.push_str(kind);
                    out.push_str(" 주식회사");
                }
            }
            return;
        }
        let shop = id.pick(text::SHOP_KINDS);
        match id.below(20) {
            0..=12 => {
                out.push_str(id.pick(text::BIZ_WORDS));
                out.push_str(shop);
                if id.chance(0.25) {
                    out.push(' ');
                    out.push_str(id.pick(text::BRANCHES));
                    out.push('점');
                }
            }
            13..=15 => {
                out.push_str(text::SURNAMES[self.surnames.sample(id)].0);
                out.push_str("씨네 ");
                out.push_str(shop);
            }
            16..=18 => {
                out.push_str(id.pick(text::BIZ_WORDS));
                out.push(' ');
                out.push_str(shop);
            }
            _ => {
                out.push_str("주식회사 ");
                out.push_str(id.pick(text::BIZ_WORDS));
                out.push_str(shop);
            }
        }
    }

    fn write_amount(&mut self, field: &mut String, amount: u64) {
        match self.rng.below(20) {
            0..=6 => push_grouped(field, amount),
            7..=10 => {
                push_uint(field, amount);
                field.push('원');
            }
            11..=17 => push_uint(field, amount),
            _ => {
                push_grouped(field, amount);
                field.push('원');
            }
        }
    }

    /// A round figure most of the time, as people write them.
    fn round(&mut self, amount: u64) -> u64 {
        match self.rng.below(10) {
            0..=5 => amount / 1_000 * 1_000,
            6..=8 => amount / 10_000 * 10_000,
            _ => amount,
        }
        .max(1_000)
    }

    fn write_amounts(&mut self, row: &mut SynthRow, category: Category) {
        let (mut claimed, mut income, mut documented, mut ad) = (None, None, None, None);
        match category {
            Category::FreeUser => {
                if self.rng.chance(0.45) {
                    claimed = Some(self.rng.log_uniform(5_000, 300_000));
                }
            }
            Category::PaidSubscriber => {
                if self.rng.chance(0.65) {
                    claimed = Some(if self.rng.chance(0.5) {
                        self.rng.pick(&[1_900u64, 2_900, 3_900, 4_900, 7_900, 10_900, 11_000, 15_000])
                            * self.rng.range(1, 3) as u64
                    } else {
                        self.rng.log_uniform(3_000, 60_000)
                    });
                }
            }
            Category::TaxiDriver | Category::DesignatedDriver => {
                let taxi = category == Category::TaxiDriver;
                if self.rng.chance(if taxi { 0.85 } else { 0.8 }) {
                    let v = self.rng.range(100_000, 250_000) as u64;
                    income = Some(if self.rng.chance(0.8) { v / 1_000 * 1_000 } else { v });
                }
                if self.rng.chance(0.85) {
                    claimed = Some(match income {
                        Some(i) => (i as f64 * (0.3 + 1.7 * self.rng.unit())) as u64,
                        None if taxi => self.rng.log_uniform(50_000, 600_000),
                        None => self.rng.log_uniform(30_000, 400_000),
                    });
                }
            }
            Category::SmallBusiness => {
                if self.rng.chance(0.92) {
                    let c = self.rng.log_uniform(50_000, 8_000_000);
                    claimed = Some(c);
                    if self.rng.chance(if c > 500_000 { 0.55 } else { 0.1 }) {
                        documented = Some((c as f64 * (0.5 + 0.6 * self.rng.unit())) as u64);
                    }
                }
            }
            Category::Advertiser => {
                if self.rng.chance(0.85) {
                    ad = Some(self.rng.log_uniform(200_000, 8_000_000));
                }
                if self.rng.chance(0.75) {
                    claimed = Some(match ad {
                        Some(a) => (a as f64 * (1.0 + 0.6 * self.rng.unit())) as u64,
                        None => self.rng.log_uniform(300_000, 10_000_000),
                    });
                }
            }
            Category::Other => {
                if self.rng.chance(0.55) {
                    claimed = Some(self.rng.log_uniform(10_000, 2_000_000));
                }
            }
        }
        // Now and then a zero where people mean "nothing to claim".
        if claimed.is_some() && self.rng.chance(0.01) {
            claimed = Some(0);
        } else if let Some(c) = claimed {
            claimed = Some(self.round(c));
        }
        if let Some(d) = documented {
            documented = Some(if self.rng.chance(0.7) { d } else { self.round(d) });
        }
        for (column, value) in [
            (col::CLAIMED_AMOUNT, claimed),
            (col::DAILY_INCOME, income),
            (col::DOCUMENTED_LOSS, documented),
            (col::AD_SPEND, ad),
        ] {
            if let Some(v) = value {
                self.write_amount(&mut row.fields[column], v);
            }
        }
    }

    fn write_description(&mut self, out: &mut String, category: Category, service: usize, again: bool) {
        let ci = category_index(category);
        let sep = if self.rng.chance(0.03) { "\n" } else { " " };
        if again && self.rng.chance(0.5) {
            out.push_str(self.rng.pick(text::REPEAT_OPENERS));
            out.push_str(sep);
        }
        let what = self.sentences[ci * self.services.len() + service].as_slice();
        let cost = text::CATEGORY_SENTENCES[ci];
        let svc_name = self.services[service].name.as_str();
        let rng = &mut self.rng;
        // What happened, then what it cost (skipped when both picks are the same sentence).
        let what_then_cost = |out: &mut String, rng: &mut Rng| {
            let first = rng.pick(what);
            expand(out, first, rng, svc_name);
            let second = rng.pick(cost);
            if second != first {
                out.push_str(sep);
                expand(out, second, rng, svc_name);
            }
        };
        match rng.below(100) {
            0..=4 => {}
            5..=49 => what_then_cost(out, rng),
            50..=74 => expand(out, rng.pick(what), rng, svc_name),
            75..=89 => expand(out, rng.pick(cost), rng, svc_name),
            _ => {
                what_then_cost(out, rng);
                out.push_str(sep);
                out.push_str(rng.pick(text::CLOSINGS));
            }
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }

    /// Breaks a generated row in one way intake must quarantine.
    fn break_row(&mut self, row: &mut SynthRow, category: Category, start: i64, end: i64) -> Defect {
        let business = category.is_business();
        let roll = self.rng.below(100);
        let defect = match roll {
            0..=24 if business => Defect::BadBrnChecksum,
            0..=24 => Defect::BadPhone,
            25..=34 if business => Defect::MissingBrn,
            25..=34 => Defect::MissingPhone,
            35..=46 => Defect::UnknownCategory,
            47..=61 => Defect::EndBeforeStart,
            62..=79 => Defect::BadAmount,
            80..=93 => Defect::BadTime,
            _ => Defect::MissingName,
        };
        match defect {
            Defect::BadPhone => {
                let field = &mut row.fields[col::PHONE];
                field.clear();
                for ch in self.rng.pick(text::NOT_PHONES).chars() {
                    field.push(if ch == '#' { char::from(b'0' + self.rng.below(10) as u8) } else { ch });
                }
            }
            Defect::MissingPhone => row.fields[col::PHONE].clear(),
            Defect::BadBrnChecksum => {
                let field = &mut row.fields[col::BRN];
                if let Some(last) = field.pop().and_then(|c| c.to_digit(10)) {
                    let wrong = (last + 1 + self.rng.below(9) as u32) % 10;
                    field.push(char::from(b'0' + wrong as u8));
                }
            }
            Defect::MissingBrn => row.fields[col::BRN].clear(),
            Defect::UnknownCategory => {
                let field = &mut row.fields[col::CATEGORY];
                field.clear();
                field.push_str(self.rng.pick(text::UNKNOWN_CATEGORIES));
            }
            Defect::EndBeforeStart => {
                // The end written before the start: swapped, or a day early.
                let (s, e) = if self.rng.chance(0.5) {
                    (end, start)
                } else {
                    (start, start - self.rng.range(60, 1440))
                };
                for (column, t) in [(col::DAMAGE_START, s), (col::DAMAGE_END, e)] {
                    let form = self.time_form();
                    let field = &mut row.fields[column];
                    field.clear();
                    push_time(field, t, 0, form);
                }
            }
            Defect::BadAmount => {
                let field = &mut row.fields[col::CLAIMED_AMOUNT];
                field.clear();
                field.push_str(self.rng.pick(text::NOT_AMOUNTS));
            }
            Defect::BadTime => {
                let column =
                    self.rng.pick(&[col::RECEIVED_AT, col::RECEIVED_AT, col::DAMAGE_START, col::DAMAGE_END]);
                let field = &mut row.fields[column];
                field.clear();
                field.push_str(self.rng.pick(text::NOT_TIMES));
            }
            Defect::MissingName => row.fields[col::NAME].clear(),
        }
        defect
    }
}

impl Iterator for SynthRows {
    type Item = SynthRow;

    fn next(&mut self) -> Option<SynthRow> {
        let mut row = SynthRow::default();
        self.fill_next(&mut row).then_some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.config.count.saturating_sub(self.stats.rows);
        (left, Some(left))
    }
}

impl ExactSizeIterator for SynthRows {}

/// Appends a template, filling its slots.
fn expand(out: &mut String, template: &str, rng: &mut Rng, service_name: &str) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let slot = rest.as_bytes().get(open + 1).copied().unwrap_or(b'?');
        match slot {
            b'N' => push_uint(out, rng.range(2, 15) as u64),
            b'H' => push_uint(out, rng.range(2, 20) as u64),
            b'D' => push_uint(out, rng.range(2, 5) as u64),
            b'Y' => push_uint(out, rng.range(3, 25) as u64),
            b'P' => out.push_str(rng.pick(text::PLACES)),
            b'A' => {
                push_uint(out, rng.range(3, 90) as u64 * 10);
                out.push_str("만 원");
            }
            b'S' => out.push_str(service_name),
            _ => {}
        }
        rest = rest.get(open + 3..).unwrap_or("");
    }
    out.push_str(rest);
}

/// The check digit of intake.md's BRN checksum for the first nine digits.
pub fn brn_check_digit(d: &[u32; 10]) -> u32 {
    const WEIGHTS: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let mut s: u32 = d[..9].iter().zip(WEIGHTS).map(|(x, w)| x * w).sum();
    s += (d[8] * 5) / 10;
    (10 - s % 10) % 10
}

/// A bijection of `0..modulus` (a few affine rounds and digit-block swaps):
/// distinct claimants get distinct, random-looking phones and BRNs.
/// `split` divides `modulus`; the multipliers are prime to 2 and 5.
fn scramble(x: u64, modulus: u64, split: u64, salt: u64) -> u64 {
    const MULS: [u64; 3] = [48_271_093, 69_069_017, 22_695_477];
    let mut x = x % modulus;
    for (i, a) in MULS.iter().enumerate() {
        let b = salt.rotate_left(21 * i as u32) % modulus;
        x = ((x * (a % modulus)) % modulus + b) % modulus;
        x = (x % split) * (modulus / split) + x / split;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scramble_is_a_bijection() {
        let m = 100_000;
        let mut seen = vec![false; m as usize];
        for x in 0..m {
            let y = scramble(x, m, 100, 12345) as usize;
            assert!(!seen[y]);
            seen[y] = true;
        }
    }

    #[test]
    fn check_digit_matches_core() {
        let mut d = [2, 2, 0, 8, 1, 6, 2, 5, 1, 0];
        d[9] = brn_check_digit(&d);
        assert_eq!(d[9], 7);
        assert!(claimdesk_core::validate::brn_is_valid("2208162517"));
    }

    #[test]
    fn templates_fill_their_slots() {
        let mut rng = Rng::new(3);
        let mut out = String::new();
        expand(&mut out, "{S} {N}팀 {P}에서 {A}", &mut rng, "카카오 T");
        assert!(out.starts_with("카카오 T "), "{out}");
        assert!(!out.contains('{'), "{out}");
        for (_, list) in text::SERVICE_SENTENCES {
            for (_, t) in *list {
                let mut s = String::new();
                expand(&mut s, t, &mut rng, "x");
                assert!(!s.contains('{') && !s.contains('}'), "{t}");
            }
        }
    }
}
