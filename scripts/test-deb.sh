#!/usr/bin/env bash
# The Debian package as a user gets it: builds it (scripts/deb.sh), checks
# what it declares and holds, installs it with apt on this machine, starts
# the INSTALLED app (/usr/bin/claimdesk-app) under Xvfb with a fresh HOME
# and no system CJK font through the end-to-end harness, and checks its
# first screen: readable Korean drawn with the bundled font, and its store
# made in the app data dir (tests/e2e/tests/first_screen.rs). Then removes
# the package. Needs root or sudo (apt). docs/packaging.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_app
require_tauri_driver
cd "$ROOT"
started=$SECONDS
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
fail() { echo "test-deb: $*" >&2; exit 1; }

DEB="$(bash scripts/deb.sh | tail -n 1)"
[ -f "$DEB" ] || fail "scripts/deb.sh made no package"
built=$SECONDS

# ── What the package declares.
pkg="$(dpkg-deb -f "$DEB" Package)"
depends="$(dpkg-deb -f "$DEB" Depends)"
echo "test-deb: $pkg $(dpkg-deb -f "$DEB" Version), Depends: $depends"
# Tauri names the package after productName (ClaimDesk), in kebab case.
[ "$pkg" = "claim-desk" ] || fail "the package is named '$pkg', not claim-desk"
for need in libwebkit2gtk-4.1-0 libgtk-3-0; do
    grep -Eq "(^|, )$need( |,|$)" <<<"$depends" || fail "Depends does not name $need: $depends"
done
# ── What it holds: the app, its menu entry and icons, the font's licence.
contents="$(dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's#^\./##')"
for f in usr/bin/claimdesk-app usr/share/applications/ClaimDesk.desktop usr/share/doc/claim-desk/fonts/NotoSansKR-OFL.txt; do
    grep -qx "$f" <<<"$contents" || fail "the package does not hold $f"
done
grep -q '^usr/share/icons/hicolor/.*/apps/claimdesk-app.png$' <<<"$contents" || fail "the package holds no icon"

# ── Installed with apt, which resolves the declared dependencies.
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    fail "$pkg is installed already on this machine; remove it first (apt-get remove $pkg)"
fi
remove() { DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq "$pkg" >/dev/null || true; }
trap remove EXIT
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$DEB" >/dev/null
dpkg-query -W -f='${Status}' "$pkg" | grep -q "install ok installed" || fail "apt did not install $pkg"
APP=/usr/bin/claimdesk-app
[ -x "$APP" ] || fail "$APP is not there after the install"
! readelf -S --wide "$APP" | grep -Eq '\.debug_(info|line|str)' || fail "$APP still has debug info"
echo "test-deb: installed $APP ($(du -h "$APP" | cut -f1)), installed size $(dpkg-query -W -f='${Installed-Size}' "$pkg") KiB"

# ── The installed app's first screen, on a fresh HOME, no system CJK font.
CLAIMDESK_APP_BIN="$APP" cargo test --locked -p claimdesk-e2e --test first_screen -- --test-threads 1

# ── Removed again, and gone.
remove
trap - EXIT
[ ! -e "$APP" ] || fail "$APP is still there after removing $pkg"
echo "test-deb: passed (package built in $((built - started)) s, whole run $((SECONDS - started)) s)"
