#!/usr/bin/env bash
# Sets up and runs every test of the project.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup
cd "$ROOT"
cargo build --locked --workspace --all-targets
# The benchmark program at a small size, so that it keeps working (the
# figures at 1,000,000 claims are in docs/benchmarks.md: scripts/bench.sh).
cargo run --locked --release -p claimdesk-bench -- --claims 20000 --quiet
cargo run --locked --release -p claimdesk-bench -- --sync 20000 --quiet
cargo test --locked --workspace --no-fail-fast
