#!/usr/bin/env bash
# Builds the Debian package of the desktop app (docs/packaging.md):
# the UI (Tauri's beforeBuildCommand), the app in the `dist` cargo profile
# (release settings, UI inside), its debug info split off and the binary
# stripped (scripts/split-debuginfo.sh, as beforeBundleCommand), then the
# .deb, with the Tauri CLI of the root package.json.
#
# Prints the package's path on its last line; leaves beside it
# claimdesk-app.debug, the debug info of the binary inside.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_app
cd "$ROOT"

BIN="$CARGO_TARGET_DIR/dist/claimdesk-app"
# The binary Tauri bundles is the cargo profile's; strip exactly that one.
split="bash scripts/split-debuginfo.sh '$BIN'"
"$ROOT/node_modules/.bin/tauri" build --ci --bundles deb \
    --config "{\"build\": {\"beforeBundleCommand\": \"$split\"}}" \
    -- --locked --profile dist

version="$(node -p "require('./src-tauri/tauri.conf.json').version")"
arch="$(dpkg --print-architecture)"
DEB="$CARGO_TARGET_DIR/dist/bundle/deb/ClaimDesk_${version}_${arch}.deb"
[ -f "$DEB" ] || { echo "deb.sh: the package $DEB was not made" >&2; exit 1; }
# The benchmark's sign-in at start is compiled only into benchmark builds
# (feature bench-sign-in): the packaged binary must not even name it.
if grep -q CLAIMDESK_SIGN_IN "$BIN"; then
    echo "deb.sh: $BIN holds the benchmark-only CLAIMDESK_SIGN_IN; build without the bench-sign-in feature" >&2
    exit 1
fi
# Nor the end-to-end tests' answers to the save dialogs (feature e2e-dialogs).
if grep -q CLAIMDESK_E2E_DIALOGS "$BIN"; then
    echo "deb.sh: $BIN holds the test-only CLAIMDESK_E2E_DIALOGS; build without the e2e-dialogs feature" >&2
    exit 1
fi
cp "$BIN.debug" "$(dirname "$DEB")/claimdesk-app.debug"
echo "deb.sh: $(du -h "$DEB" | cut -f1) package, installed size $(dpkg-deb -f "$DEB" Installed-Size) KiB; debug info beside it: $(dirname "$DEB")/claimdesk-app.debug" >&2
echo "$DEB"
