//! Times SQL statements against a store: `probe DB "SQL" ["SQL" ...]`, each
//! run three times (for looking into a slow query; not part of the product).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let conn = rusqlite::Connection::open(&args[1])?;
    for sql in &args[2..] {
        for _ in 0..3 {
            let started = std::time::Instant::now();
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            let mut n = 0;
            let mut first = String::new();
            while let Some(r) = rows.next()? {
                if n == 0 {
                    first = format!("{:?}", r.get_ref(0)?);
                }
                n += 1;
            }
            println!("{:>8.1} ms  {n} rows  first={first}  {sql}", started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(())
}
