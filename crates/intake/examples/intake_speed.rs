//! Reads an intake file and prints counts, time and rows per second:
//! `cargo run --release -p claimdesk-intake --example intake_speed -- FILE`.

use std::time::Instant;

use claimdesk_core::Catalog;
use claimdesk_intake::Row;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: intake_speed FILE")?;
    let start = Instant::now();
    let file = claimdesk_intake::open(std::path::Path::new(&path), &Catalog::default_2022())?;
    let opened = start.elapsed();
    let format = file.format();
    let (mut valid, mut invalid) = (0u64, 0u64);
    for row in file {
        match row? {
            Row::Valid(_) => valid += 1,
            Row::Invalid(_) => invalid += 1,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{format}: {valid} valid, {invalid} quarantined in {secs:.2} s (open incl. encoding check {:.2} s), {:.0} rows/s",
        opened.as_secs_f64(),
        (valid + invalid) as f64 / secs
    );
    Ok(())
}
