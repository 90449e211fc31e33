#!/usr/bin/env bash
# Cold start of the desktop app on a 1,000,000-claim store: launch to the
# first queue page on screen, and resident memory then (quality.md).
# Builds the release app (UI inside), makes the store once with the CLI
# (synth + import; kept in $CARGO_TARGET_DIR/bench-app, reused), then runs
# the app under its own Xvfb several times.
# Usage: scripts/bench-app.sh [claims, default 1000000] [runs, default 5]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_app
cd "$ROOT"
# The benchmark's own build: it signs the admin in at start (CLAIMDESK_SIGN_IN).
build_app bench-sign-in
cargo build --locked --release -p claimdesk-cli -p claimdesk-e2e --bin cold-start
CLAIMS="${1:-1000000}"
DIR="$CARGO_TARGET_DIR/bench-app"
DB="$DIR/store-$CLAIMS.db"
mkdir -p "$DIR"
if [ ! -f "$DB" ]; then
    "$CARGO_TARGET_DIR/release/claimdesk" synth --count "$CLAIMS" --out "$DIR/intake-$CLAIMS.csv"
    "$CARGO_TARGET_DIR/release/claimdesk" import --db "$DB" "$DIR/intake-$CLAIMS.csv" >/dev/null
    rm -f "$DIR/intake-$CLAIMS.csv"
fi
"$CARGO_TARGET_DIR/release/cold-start" "$APP_BIN" "$DB" "${2:-5}"
