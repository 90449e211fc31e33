#!/usr/bin/env bash
# Sets up and runs ClaimDesk on a local store with demo data.
# Usage: scripts/run.sh [number of demo claims, default 5000]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup
cd "$ROOT"
cargo build --release --locked -p claimdesk-cli
BIN="$CARGO_TARGET_DIR/release/claimdesk"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}/claimdesk"
DB="$DATA/demo.db"
mkdir -p "$DATA"
if [ ! -f "$DB" ]; then
    "$BIN" demo --db "$DB" --count "${1:-5000}"
fi
echo
"$BIN" stats --db "$DB"
echo
echo "── 택시 (search) ──"
"$BIN" queue --db "$DB" --search 택시 --limit 10
echo
echo "The demo store is $DB. Try:"
echo "  $BIN queue --db $DB --status batched"
echo "  $BIN batch list --db $DB"
echo "  $BIN show --db $DB <claim id>"
echo "  $BIN --help"
