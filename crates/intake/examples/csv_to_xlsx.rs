//! Writes a CSV file as an XLSX workbook of text cells, to time XLSX intake:
//! `cargo run --release -p claimdesk-intake --example csv_to_xlsx -- IN.csv OUT.xlsx`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (input, output) = match (args.next(), args.next()) {
        (Some(i), Some(o)) => (i, o),
        _ => return Err("usage: csv_to_xlsx IN.csv OUT.xlsx".into()),
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(input)?;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec?;
        for (c, v) in rec.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(u32::try_from(r)?, u16::try_from(c)?, v)?;
            }
        }
    }
    wb.save(output)?;
    Ok(())
}
