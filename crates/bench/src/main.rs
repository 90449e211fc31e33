//! `claimdesk-bench`: the workloads of quality.md on a synthetic store, each
//! printed with its figure, the baseline measured in the same run, the ratio
//! and the target. `--check` exits non-zero when a target is missed.

mod workloads;

// mimalloc: a million small strings are allocated and freed in a full
// evaluation; the system allocator spends much of that time in page faults.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;

#[derive(Parser)]
#[command(name = "claimdesk-bench", about = "ClaimDesk speed and memory workloads with same-run baselines")]
pub struct Args {
    /// Number of synthetic claims.
    #[arg(long, default_value_t = 1_000_000)]
    pub claims: usize,
    /// Where to put the generated file and stores (a temporary directory by default).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Write the table as Markdown to this file (docs/benchmarks.md).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Exit non-zero when any target is missed.
    #[arg(long)]
    pub check: bool,
    /// Reuse the store already in --work-dir (skips generation and the import workload).
    #[arg(long, requires = "work_dir")]
    pub reuse: bool,
    /// Run only the sync workload: pull this many ops (claim imports from
    /// another desktop) into an empty store.
    #[arg(long, value_name = "OPS")]
    pub sync: Option<usize>,
    /// Print only the table.
    #[arg(long)]
    pub quiet: bool,
    /// The store workloads on an encrypted store (SQLCipher, decision 0009), as the app and the
    /// CLI open it; without it, on a plain one (the cost of encryption is the difference).
    #[arg(long)]
    pub encrypted: bool,
    /// Internal: run an import in this process and print its time and peak memory.
    #[arg(long, hide = true, num_args = 2, value_names = ["DB", "FILE"])]
    pub child_import: Option<Vec<PathBuf>>,
}

/// One row of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Result {
    pub workload: String,
    pub figure: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    pub met: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(paths) = &args.child_import {
        return match workloads::child_import(&paths[0], &paths[1]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    match workloads::run_all(&args) {
        Ok(results) => {
            let table = markdown_table(&results);
            println!("{table}");
            if let Some(path) = &args.json {
                if let Err(e) =
                    std::fs::write(path, serde_json::to_string_pretty(&results).unwrap_or_default())
                {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            if let Some(path) = &args.markdown {
                if let Err(e) = write_markdown(path, &args, &table) {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            let missed: Vec<&Result> = results.iter().filter(|r| !r.met).collect();
            if args.check && !missed.is_empty() {
                eprintln!("{} targets missed", missed.len());
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn markdown_table(results: &[Result]) -> String {
    let mut out = String::from(
        "| workload | figure | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n",
    );
    for r in results {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.workload,
            r.figure,
            r.baseline,
            r.ratio,
            r.target,
            if r.met { "yes" } else { "**no**" }
        ));
    }
    out
}

/// Replaces the generated section of docs/benchmarks.md, keeping the prose around it.
fn write_markdown(path: &PathBuf, args: &Args, table: &str) -> std::io::Result<()> {
    const START: &str = "<!-- bench:start -->";
    const END: &str = "<!-- bench:end -->";
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string()))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| format!("{} GiB memory", kb / 1024 / 1024))
            .unwrap_or_default()
    );
    let generated = format!(
        "{START}\nLatest run: {} claims, {} store, release build, {}, {} (UTC).\nCommand: `scripts/bench.sh {}{}`\n\n{}{END}",
        args.claims,
        if args.encrypted { "encrypted (SQLCipher)" } else { "plain (unencrypted)" },
        machine,
        chrono_like_now(),
        args.claims,
        if args.encrypted { "" } else { " --plain" },
        table
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (text.find(START), text.find(END)) {
        (Some(a), Some(b)) if b > a => format!("{}{}{}", &text[..a], generated, &text[b + END.len()..]),
        _ => format!("# Benchmarks\n\n{generated}\n"),
    };
    std::fs::write(path, new)
}

fn chrono_like_now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M").to_string()
}
