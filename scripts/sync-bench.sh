#!/usr/bin/env bash
# The sync targets of quality.md (push/pull 100,000 ops, idle round trip)
# against the real server over loopback, with a same-run PostgreSQL
# baseline; rewrites the sync table in docs/benchmarks.md.
#   scripts/sync-bench.sh [OPS]          (default 100000; a throwaway cluster via scripts/pg.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --locked --release -p claimdesk-server --bins
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
"$TARGET/release/claimdesk-sync-bench" --ops "${1:-100000}" --markdown docs/benchmarks.md
