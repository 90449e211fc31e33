# Shared by the project's scripts: where builds go, and the system packages
# the project needs, installed when missing (Debian 12; root or sudo).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A target dir outside the clone, so fresh clones on the same machine reuse builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/claimdesk-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Debian packages: a C compiler for the bundled SQLite, the sqlite3 shell
# that the benchmark uses as its same-run baseline, and PostgreSQL, in which
# the sync server's tests start their own throwaway cluster (scripts/pg.sh).
SYSTEM_PACKAGES=(build-essential pkg-config sqlite3 postgresql)
# The desktop app (Tauri 2 on WebKitGTK 4.1), its end-to-end tests (Xvfb,
# WebKitWebDriver), the screenshots (ImageMagick's `import`), and the fonts
# the tests let the app see (fontconfig's fc-list, DejaVu: no Hangul, so the
# Korean on screen must be the font the UI bundles; tests/e2e/fonts); libdbus-1-dev for the
# OS keychain option (the keyring crate's Secret Service client; decision 0009).
APP_PACKAGES=(libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
    libdbus-1-dev xvfb xauth webkit2gtk-driver imagemagick x11-utils fontconfig fonts-dejavu-core)

install_system_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing system packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    fi
    command -v cargo >/dev/null 2>&1 || { echo "cargo (Rust stable, via rustup) is required" >&2; exit 1; }
}

# The UI's tools (Vite 8, ui/package.json "engines") need Node ^20.19 or
# >=22.12. Debian 12's own nodejs is 18, which cannot run them, so the script
# stops with a message instead of installing it.
require_node() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "Node.js 20.19+ (or 22.12+) with npm is needed to build the UI; none was found on PATH." >&2
        echo "Debian 12's own nodejs package is 18, too old for the UI's Vite: install Node 20 or 22 first." >&2
        exit 1
    fi
    local v major minor
    v="$(node -p 'process.versions.node')"
    major="${v%%.*}"
    minor="${v#*.}"
    minor="${minor%%.*}"
    if ! { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } && ! { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } && [ "$major" -lt 23 ]; then
        echo "Node.js $v is too old for the UI (Vite 8 needs ^20.19.0 or >=22.12.0; Debian 12's nodejs is 18)." >&2
        echo "Install Node 20.19+ or 22.12+ and put it first on PATH, then run this again." >&2
        exit 1
    fi
}

# `npm ci` in a folder unless its node_modules already matches its lock file.
npm_ci() {
    local dir="$1"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/.package-lock.ci" 2>/dev/null; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$dir/package-lock.json" "$dir/.package-lock.ci"
    fi
}

# tauri-driver (the WebDriver proxy of the end-to-end tests), when missing.
require_tauri_driver() {
    export PATH="$HOME/.cargo/bin:$PATH"
    command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
}

# Python with the packages of scripts/requirements-test.txt (exact versions
# and hashes from PyPI) in a venv under the target dir, for the tests that
# check ClaimDesk against an independent implementation; CLAIMDESK_PYTHON
# points them at it. Made again when the requirements change.
require_test_python() {
    local venv="$CARGO_TARGET_DIR/test-python" req="$ROOT/scripts/requirements-test.txt"
    if ! cmp -s "$req" "$venv/requirements-test.txt" 2>/dev/null; then
        install_system_packages python3 python3-venv
        rm -rf "$venv"
        /usr/bin/python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes -r "$req"
        cp "$req" "$venv/requirements-test.txt"
    fi
    export CLAIMDESK_PYTHON="$venv/bin/python"
}

setup() {
    install_system_packages "${SYSTEM_PACKAGES[@]}"
    require_cargo
}

# Everything the desktop app needs to build and be tested.
setup_app() {
    setup
    install_system_packages "${APP_PACKAGES[@]}"
    require_node
    npm_ci "$ROOT"
    npm_ci "$ROOT/ui"
}

# The UI (ui/dist), then the app with the UI inside (custom-protocol), release.
# Extra features as arguments (scripts/bench-app.sh: bench-sign-in).
build_app() {
    (cd "$ROOT/ui" && npm run build --silent)
    local features="custom-protocol"
    for f in "$@"; do features="$features,$f"; done
    cargo build --locked --release -p claimdesk-app --features "$features"
    APP_BIN="$CARGO_TARGET_DIR/release/claimdesk-app"
}
