#!/usr/bin/env bash
# Installs what is missing, builds the UI and the desktop app (release, UI
# inside), and starts ClaimDesk on the local store in the app data dir
# (~/.local/share/kr.claimdesk.desktop/claimdesk.db; CLAIMDESK_DB overrides it).
# The first run asks for the admin password and offers the demo data.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_app
cd "$ROOT"
build_app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "no display (DISPLAY is not set): ClaimDesk is a desktop app; run this in a desktop session" >&2
    echo "the built app is $APP_BIN" >&2
    exit 1
fi
echo "starting $APP_BIN"
exec "$APP_BIN"
