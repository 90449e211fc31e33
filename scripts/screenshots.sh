#!/usr/bin/env bash
# Retakes the screenshots of README.md and docs/user-guide.md from the
# end-to-end walks through the real app window (tests/e2e: full_day and
# screens), then replaces docs/screenshots with them.
#
# The tests write screenshots to a build folder ($CARGO_TARGET_DIR/e2e-screenshots,
# or CLAIMDESK_SCREENSHOTS), never into the repository: only this script
# changes docs/screenshots. Review the result with `git status docs/screenshots`
# (and look at the pictures) before committing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_app
require_tauri_driver
cd "$ROOT"
(cd ui && npm run build --silent)
# The app as shipped (UI inside), copied aside as scripts/test.sh does.
cargo build --locked -p claimdesk-app --features custom-protocol,e2e-dialogs
cp "$CARGO_TARGET_DIR/debug/claimdesk-app" "$CARGO_TARGET_DIR/debug/claimdesk-app-e2e"
# The team sync server of the screens walk.
cargo build --locked -p claimdesk-server --bin claimdesk-server
export CLAIMDESK_APP_BIN="$CARGO_TARGET_DIR/debug/claimdesk-app-e2e"
export CLAIMDESK_SCREENSHOTS="$CARGO_TARGET_DIR/e2e-screenshots"
rm -rf "$CLAIMDESK_SCREENSHOTS"
mkdir -p "$CLAIMDESK_SCREENSHOTS"
cargo test --locked -p claimdesk-e2e --test full_day --test screens -- --test-threads=1

shots=("$CLAIMDESK_SCREENSHOTS"/*.png)
kept=()
for f in "${shots[@]}"; do
    case "$(basename "$f")" in zz-*) continue ;; esac
    kept+=("$f")
done
[ ${#kept[@]} -gt 0 ] || { echo "screenshots.sh: the walks took no screenshots" >&2; exit 1; }
rm -f docs/screenshots/*.png
mkdir -p docs/screenshots
cp "${kept[@]}" docs/screenshots/
echo "docs/screenshots: ${#kept[@]} screenshots from $CLAIMDESK_SCREENSHOTS"

# Every picture the docs show must exist; say which ones nothing shows.
missing=0
for p in $(grep -ohE 'screenshots/[A-Za-z0-9_-]+\.png' README.md docs/*.md | sort -u); do
    if [ ! -f "docs/$p" ]; then
        echo "missing: docs/$p (named in the docs, not taken by the walks)" >&2
        missing=1
    fi
done
for f in docs/screenshots/*.png; do
    grep -qF "screenshots/$(basename "$f")" README.md docs/*.md || echo "note: docs/screenshots/$(basename "$f") is not shown in README.md or docs/"
done
git status --short docs/screenshots
exit $missing
