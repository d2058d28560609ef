#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the other, starting from the
# committed seeds (fuzz/seeds/TARGET) plus what earlier runs found (fuzz/corpus/TARGET, not
# committed). Needs a nightly toolchain and cargo-fuzz:
#
#   rustup toolchain install nightly --profile minimal && cargo install cargo-fuzz
#   fuzz/run.sh 300
#
# Release builds with debug assertions (-O -a), so an integer overflow fails as a crash.
# Prints one line per target: executions, executions per second, corpus size, and crashes
# (inputs saved under fuzz/artifacts/TARGET). Exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
# FLAGS=-O skips the debug assertions (a quicker build).
read -ra flags <<<"${FLAGS:--O -a}"
cargo +nightly fuzz build "${flags[@]}" >&2
log=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-run.XXXXXX")
crashed=0
printf '%-14s %12s %10s %8s %8s\n' target executions exec/s corpus crashes
for target in $(cargo +nightly fuzz list); do
	mkdir -p "corpus/$target" "artifacts/$target"
	before=$(find "artifacts/$target" -type f | wc -l)
	status=0
	cargo +nightly fuzz run "${flags[@]}" "$target" "corpus/$target" "seeds/$target" -- \
		-max_total_time="$seconds" -print_final_stats=1 \
		>"$log/$target.txt" 2>&1 || status=$?
	runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log/$target.txt")
	runs=${runs:-0}
	crashes=$(($(find "artifacts/$target" -type f | wc -l) - before))
	((status == 0)) || crashes=$((crashes > 0 ? crashes : 1))
	((crashes == 0)) || crashed=1
	printf '%-14s %12s %10s %8s %8s\n' "$target" "$runs" "$((runs / seconds))" \
		"$(find "corpus/$target" -type f | wc -l)" "$crashes"
done
echo "logs: $log" >&2
exit "$crashed"
