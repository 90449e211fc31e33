#!/usr/bin/env bash
# Sets up and runs every test of the project: Rust unit and integration
# tests, the UI's Vitest tests, and the end-to-end tests of the real app
# (tauri-driver + WebKitWebDriver under Xvfb, tests/e2e, with axe-core's
# accessibility check). The e2e screenshots go to $CARGO_TARGET_DIR/e2e-screenshots;
# scripts/screenshots.sh copies them to docs/screenshots.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# CI: the end-to-end tests must run here and fail without the app (tests/e2e
# build.rs); without CI or CLAIMDESK_APP_BIN a plain `cargo test` reports them ignored.
export CI="${CI:-1}"
setup_app
require_tauri_driver
require_test_python
cd "$ROOT"
# Style first: it fails in seconds (rustfmt.toml at the root).
cargo fmt --all --check
# The UI first: the app embeds ui/dist.
(cd ui && npm run build --silent)
(cd ui && npm test --silent && npm run check --silent)
cargo build --locked --workspace --all-targets
# Lints as errors, over every crate and test (check-mode builds of the dependencies, made once per target dir).
cargo clippy --locked --workspace --all-targets -- -D warnings
# The app as shipped (UI inside) for the end-to-end tests.
# (copied aside: `cargo test` rebuilds target/debug/claimdesk-app without the UI inside)
cargo build --locked -p claimdesk-app --features custom-protocol,e2e-dialogs
cp "$CARGO_TARGET_DIR/debug/claimdesk-app" "$CARGO_TARGET_DIR/debug/claimdesk-app-e2e"
export CLAIMDESK_APP_BIN="$CARGO_TARGET_DIR/debug/claimdesk-app-e2e"
# The benchmark program at a small size, so that it keeps working (the
# figures at 1,000,000 claims are in docs/benchmarks.md: scripts/bench.sh).
cargo run --locked --release -p claimdesk-bench -- --claims 20000 --encrypted --quiet
cargo run --locked --release -p claimdesk-bench -- --sync 20000 --quiet
cargo test --locked --workspace --no-fail-fast
# A short run of every fuzz target (intake readers, sync decoders) after their regression inputs.
scripts/fuzz.sh all 15
