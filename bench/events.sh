#!/usr/bin/env bash
# CPU of `netstat --events --json-lines` while bench/churn.c makes short loopback TCP
# connections (each sends 1000 bytes and closes) at a paced rate in a private namespace; also
# checks that every connection's two closes were reported and nothing was lost.
#
#   sudo bench/events.sh [RATE] [SECONDS]     # default 10000 connections/s for 10 s
#
# Environment: NETSTAT (ours, default target/release/netstat), WORKERS (churn's client
# processes, 4), OUT (docs/perf). Prints one result line, and appends it to
# $OUT/events-results.txt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
rate=${1:-10000}
seconds=${2:-10}
NETSTAT=${NETSTAT:-$root/target/release/netstat}
WORKERS=${WORKERS:-4}
OUT=${OUT:-$root/docs/perf}
port=5900

source "$here/lib.sh"
((EUID == 0)) || die "needs root (network namespaces)"
[[ -x $NETSTAT ]] || die "no binary at $NETSTAT (cargo build --release, or set NETSTAT)"
command -v gcc >/dev/null || die "needs gcc"

work=$(mktemp -d)
ns=bench-events-$$
cleanup() {
	[[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
gcc -O2 -o "$work/churn" "$here/churn.c"
ip netns add "$ns"
ip -n "$ns" link set lo up

ticks=$(getconf CLK_TCK)
cpu() { # utime + stime of a process, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

ip netns exec "$ns" "$NETSTAT" --events --json-lines >"$work/events" 2>"$work/stderr" &
pid=$!
sleep 2
before=$(cpu "$pid")
start=$(date +%s.%N)
report=$(ip netns exec "$ns" "$work/churn" "$rate" "$seconds" "$port" "$WORKERS")
end=$(date +%s.%N)
after=$(cpu "$pid")
sleep 3 # let the stream catch up before stopping it
kill -TERM "$pid"
wait "$pid" || die "netstat --events ended with status $?: $(cat "$work/stderr")"
pid=
made=$(awk '{ print $2 }' <<<"$report")
closes=$(grep -c "\"event\":\"close\".*\"remote_port\":$port,.*\"bytes_sent\":100[0-2]," "$work/events" || true)
lost=$(grep -c '"event":"lost"' "$work/events" || true)
line=$(awk -v r="$rate" -v m="$made" -v b="$before" -v a="$after" -v t="$ticks" \
	-v s="$start" -v e="$end" -v c="$closes" -v l="$lost" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
	'BEGIN { el = e - s; printf "rate %s/s asked, %d connections in %.2f s (%.0f/s); netstat CPU %.2f s = %.3f core; client closes reported %d of %d; lost %d; load %s\n", r, m, el, m / el, (a - b) / t, (a - b) / t / el, c, m, l, load }')
echo "$line"
mkdir -p "$OUT"
echo "$(date -u +%FT%TZ) $line" >>"$OUT/events-results.txt"
