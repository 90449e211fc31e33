//! Writes synthetic intake rows to a CSV file and reports the time taken.
//!
//! `cargo run --release -p claimdesk-synth --example synth_csv -- 1000000 /tmp/claims.csv [demo|bench]`

use std::time::Instant;

use claimdesk_core::Catalog;
use claimdesk_synth::{write_csv_file, SynthConfig};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let path = args.next().unwrap_or_else(|| "synth.csv".to_string());
    let config = match args.next().as_deref() {
        Some("demo") => SynthConfig::demo(count),
        _ => SynthConfig::benchmark(count),
    };
    let started = Instant::now();
    let stats = write_csv_file(&config, &Catalog::default_2022(), std::path::Path::new(&path))?;
    let elapsed = started.elapsed();
    let bytes = std::fs::metadata(&path)?.len();
    println!(
        "{} rows ({} invalid, {} duplicates), {:.1} MB to {path} in {:.2} s",
        stats.rows,
        stats.invalid,
        stats.duplicates,
        bytes as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    Ok(())
}
