#!/usr/bin/env bash
# Runs the quality.md workloads at 1,000,000 claims (release build) and
# writes the table to docs/benchmarks.md and target/bench.json.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup
cd "$ROOT"
# The store as the app and the CLI open it: encrypted (SQLCipher, decision 0009). A second
# argument `--plain` measures an unencrypted store instead (the cost of encryption is the difference).
mode=--encrypted
[ "${2:-}" = "--plain" ] && mode=
cargo run --locked --release -p claimdesk-bench -- --claims "${1:-1000000}" $mode --markdown docs/benchmarks.md --json "$CARGO_TARGET_DIR/bench.json"
