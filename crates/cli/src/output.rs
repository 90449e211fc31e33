//! Plain tables for a terminal: columns aligned by display width (a Korean
//! syllable takes two cells), amounts in won with separators, times in KST.

use unicode_width::UnicodeWidthStr;

/// `println!` that ends the program quietly when stdout is closed (`| head`)
/// instead of panicking.
#[macro_export]
macro_rules! out {
    () => { $crate::out!("") };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            $crate::output::stdout_failed(e);
        }
    }};
}

pub fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write to stdout: {e}");
    std::process::exit(1);
}

pub fn won(amount: Option<i64>) -> String {
    amount.map(claimdesk_core::time::format_won).unwrap_or_else(|| "-".into())
}

/// A Decimal amount as whole won.
pub fn decimal_won(d: &rust_decimal::Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    d.trunc().to_i64()
}

pub fn kst(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map(claimdesk_core::time::format_kst).unwrap_or_default()
}

pub fn kst_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&claimdesk_core::time::kst()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Cuts text to a display width, marking the cut with '…'.
pub fn clip(text: &str, width: usize) -> String {
    let text = text.replace(['\n', '\r'], " ");
    if text.width() <= width {
        return text;
    }
    let mut out = String::new();
    for ch in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0) + 1 > width {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}

/// Prints rows under headers; columns listed in `right` are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.width());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.width());
            if i > 0 {
                out.push_str("  ");
            }
            if right.contains(&i) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        crate::out!("{out}");
    };
    line(headers.to_vec());
    line(widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>10} [{bar:40.cyan/blue}] {percent:>3}% {pos}/{len} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}
