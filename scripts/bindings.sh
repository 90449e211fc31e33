#!/usr/bin/env bash
# Regenerates the TypeScript bindings (ui/src/lib/bindings) from the Rust
# types; the test `typescript_bindings_are_up_to_date` fails while they are stale.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
# --workspace: the feature resolution of the test command, so nothing builds twice.
CLAIMDESK_WRITE_BINDINGS=1 cargo test --locked --workspace --test bindings
git status --short ui/src/lib/bindings
