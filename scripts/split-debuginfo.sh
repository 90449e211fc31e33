#!/usr/bin/env bash
# Splits the debug info off the binary that goes into the package: the debug
# info into <binary>.debug beside it (compressed; gdb finds it through the
# binary's .gnu_debuglink and build id), the binary itself stripped of it and
# of its symbol table. scripts/deb.sh runs this as Tauri's beforeBundleCommand,
# on the `dist` profile's binary only (target/release keeps its debug info
# for profiling the benchmarks).
#
# Usage: split-debuginfo.sh <binary>
set -euo pipefail
bin="${1:?usage: split-debuginfo.sh <binary>}"
dbg="$bin.debug"
build_id() { readelf -n "$1" 2>/dev/null | awk '/Build ID/ { print $3 }'; }

if readelf -S --wide "$bin" | grep -q '\.debug_info'; then
    objcopy --only-keep-debug --compress-debug-sections=zlib "$bin" "$dbg"
    objcopy --strip-all --add-gnu-debuglink="$dbg" "$bin"
    echo "split-debuginfo: $(basename "$bin") $(du -h "$bin" | cut -f1) stripped, debug info in $dbg ($(du -h "$dbg" | cut -f1))"
elif [ -f "$dbg" ] && [ -n "$(build_id "$bin")" ] && [ "$(build_id "$bin")" = "$(build_id "$dbg")" ]; then
    # Cargo did not relink: the binary is the one split before.
    echo "split-debuginfo: $(basename "$bin") is already stripped; its debug info is $dbg"
else
    echo "split-debuginfo: $bin has no debug info and no matching $dbg; rebuild it (cargo build --profile dist -p claimdesk-app)" >&2
    exit 1
fi
# What ships must carry no debug info (.debug_gdb_scripts, 34 bytes loaded
# with the program, only names Rust's pretty-printers for gdb).
if readelf -S --wide "$bin" | grep -Eq '\.debug_(info|line|str|abbrev|ranges|rnglists|loclists|aranges|frame)'; then
    echo "split-debuginfo: $bin still has debug sections" >&2
    exit 1
fi
