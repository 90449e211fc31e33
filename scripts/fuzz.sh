#!/usr/bin/env bash
# Fuzzes the intake readers and the sync decoders (fuzz/, docs/intake.md
# "Fuzzing") with libFuzzer through cargo-fuzz, on Rust stable:
#
#     scripts/fuzz.sh                  every target, 60 s each
#     scripts/fuzz.sh intake_csv 600   one target for 10 minutes
#     scripts/fuzz.sh all 15           every target, 15 s each (what scripts/test.sh runs)
#
# Targets: intake_csv, intake_xlsx, sync_wire, op_payload. Each first runs
# the inputs that once failed (fuzz/regressions/<target>/, kept as tests),
# then fuzzes from the seeds (fuzz/seeds/<target>/) and the corpus it grew
# before ($CARGO_TARGET_DIR/fuzz-corpus/<target>/). A panic, an abort, more
# than 1 GB of memory or 10 s on one input fails the run; libFuzzer writes
# the input to $CARGO_TARGET_DIR/fuzz-artifacts/<target>/ and the script
# names it. Keep it under fuzz/regressions/<target>/ once fixed.
#
# `--sanitizer none` is what makes this work on stable: libFuzzer's coverage
# comes from the stable -C passes=sancov-module flags; AddressSanitizer needs
# nightly and is not used (the code under test is safe Rust).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_cargo
install_system_packages build-essential

CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    echo "installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
    cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

TARGETS=(intake_csv intake_xlsx sync_wire op_payload)
target="${1:-all}"
seconds="${2:-60}"
if [ "$target" = all ]; then
    selected=("${TARGETS[@]}")
else
    [[ " ${TARGETS[*]} " == *" $target "* ]] || { echo "unknown target '$target' (one of: ${TARGETS[*]}, all)" >&2; exit 2; }
    selected=("$target")
fi

cd "$ROOT/fuzz"
# cargo-fuzz builds for the explicit target triple, so its instrumented
# artifacts live in $CARGO_TARGET_DIR/<triple>/ and never replace the
# project's own builds in the same target dir.
for t in "${selected[@]}"; do
    cargo fuzz build --sanitizer none --release --debug-assertions "$t"
done
triple="$(rustc -vV | sed -n 's/^host: //p')"
for t in "${selected[@]}"; do
    bin="$CARGO_TARGET_DIR/$triple/release/$t"
    corpus="$CARGO_TARGET_DIR/fuzz-corpus/$t"
    artifacts="$CARGO_TARGET_DIR/fuzz-artifacts/$t/"
    mkdir -p "$corpus" "$artifacts"
    limits=(-rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=10 -max_len=1048576)
    regressions=("$ROOT/fuzz/regressions/$t"/*)
    if [ -e "${regressions[0]}" ]; then
        echo "== $t: ${#regressions[@]} regression inputs" >&2
        "$bin" "${limits[@]}" "${regressions[@]}" 2>&1 | tail -n 3 >&2
    fi
    echo "== $t: fuzzing for ${seconds}s" >&2
    if ! "$bin" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$artifacts" "$corpus" "$ROOT/fuzz/seeds/$t" >"$artifacts/last-run.log" 2>&1; then
        tail -n 40 "$artifacts/last-run.log" >&2
        echo "fuzz target $t failed; the input is in $artifacts" >&2
        exit 1
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$artifacts/last-run.log" | sed "s/^/$t /" >&2 || true
done
