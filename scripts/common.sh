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

setup() {
    install_system_packages "${SYSTEM_PACKAGES[@]}"
    require_cargo
}
