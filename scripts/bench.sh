#!/usr/bin/env bash
# Runs the quality.md workloads at 1,000,000 claims (release build) and
# writes the table to docs/benchmarks.md and target/bench.json.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup
cd "$ROOT"
cargo run --locked --release -p claimdesk-bench -- --claims "${1:-1000000}" --markdown docs/benchmarks.md --json "$CARGO_TARGET_DIR/bench.json"
