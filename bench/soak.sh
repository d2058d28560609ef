#!/usr/bin/env bash
# Soak benchmark: runs `netstat -tanpc 1` and `netstat --json -c` side by side for DURATION
# seconds on a namespace holding CONNS established loopback connections (bench/loadgen.c), and
# samples each one's resident set, CPU time, open fds and threads every SAMPLE seconds. A leak
# shows as a growing RSS or fd count; a stall as CPU time that stops moving; a crash as a
# process that is gone before the end. Needs root, gcc and iproute2; not part of .ci/run.
#
#   cargo build --release
#   bench/soak.sh                        # as root; one hour, 3000 connections
#   DURATION=120 SAMPLE=10 bench/soak.sh # a quick check
#
# Environment: NETSTAT (default target/release/netstat, copied at start), DURATION (3600 s),
# SAMPLE (60 s), CONNS (3000), HOLDERS (10), OUT (directory for soak-<date>.csv and .txt;
# default: a fresh directory under ${TMPDIR:-/tmp}, printed at the end).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
NETSTAT=${NETSTAT:-$root/target/release/netstat}
DURATION=${DURATION:-3600}
SAMPLE=${SAMPLE:-60}
CONNS=${CONNS:-3000}
HOLDERS=${HOLDERS:-10}

source "$here/lib.sh"
((EUID == 0)) || die "run as root (it creates a network namespace)"
[[ -x $NETSTAT ]] || die "$NETSTAT is not built (cargo build --release)"
command -v gcc >/dev/null || die "gcc is needed to build bench/loadgen.c"

work=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
OUT=${OUT:-$work/results}
mkdir -p "$OUT"
ns=soak-$$
pids=()
cleanup() {
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	exec 9>&- # loadgen stops on stdin EOF
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT TERM

gcc -O2 -Wall -o "$work/loadgen" "$here/loadgen.c"
cp "$NETSTAT" "$work/netstat"
rev=$(binary_rev "$NETSTAT")

ip netns add "$ns"
ip -n "$ns" link set lo up
start_loadgen "$ns" "$CONNS" "$HOLDERS"
pids+=("$lg_pid")

# The two runs under test; their stdout is counted (bytes), not kept.
ip netns exec "$ns" "$work/netstat" -tanpc 1 2>"$work/tanp.err" | wc -c >"$work/tanp.bytes" &
pids+=($!)
ip netns exec "$ns" "$work/netstat" --json -c 2>"$work/json.err" | wc -c >"$work/json.bytes" &
pids+=($!)
sleep 1
pid_of() { pgrep -n -f -x "$work/netstat $1" || true; }
tanp=$(pid_of "-tanpc 1")
json=$(pid_of "--json -c")
[[ -n $tanp && -n $json ]] || die "a netstat did not start: $(cat "$work"/*.err)"

stamp=$(date +%Y-%m-%d-%H%M)
csv=$OUT/soak-$stamp.csv
meta=$OUT/soak-$stamp.txt
{
	echo "date: $(date -Is)"
	echo "kernel: $(uname -r)"
	echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "ours: $rev"
	echo "load: $CONNS connections ($((2 * CONNS)) sockets) in $HOLDERS processes, namespace $ns"
	echo "runs: netstat -tanpc 1 (pid $tanp), netstat --json -c (pid $json); stdout counted, not kept"
	echo "duration: $DURATION s, sample every $SAMPLE s"
} >"$meta"
echo "elapsed_s,run,rss_kb,cpu_s,fds,threads,loadavg1" >"$csv"

# One CSV row for a process: resident set (kB), user+system CPU seconds, open fds, threads.
sample() {
	local name=$1 pid=$2 t=$3 rss cpu fds thr
	if ! [[ -r /proc/$pid/status ]]; then
		echo "$t,$name,gone,,,," >>"$csv"
		return 1
	fi
	rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status")
	thr=$(awk '$1 == "Threads:" {print $2}' "/proc/$pid/status")
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$pid/stat")
	fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	echo "$t,$name,$rss,$cpu,$fds,$thr,$(cut -d' ' -f1 /proc/loadavg)" >>"$csv"
}

start=$EPOCHSECONDS
alive=1
while :; do
	t=$((EPOCHSECONDS - start))
	sample tanp "$tanp" "$t" || alive=0
	sample json "$json" "$t" || alive=0
	((alive && t < DURATION)) || break
	sleep "$(( SAMPLE < DURATION - t ? SAMPLE : DURATION - t ))"
done
ran=$((EPOCHSECONDS - start))
kill "$tanp" "$json" 2>/dev/null || true
sleep 1

{
	echo "ran: $ran s$( ((alive)) || echo ' (a run ended early: see the CSV)')"
	echo "stdout bytes: -tanpc 1 $(cat "$work/tanp.bytes"), --json -c $(cat "$work/json.bytes")"
	echo "stderr: -tanpc 1 '$(head -c 300 "$work/tanp.err")', --json -c '$(head -c 300 "$work/json.err")'"
	for run in tanp json; do
		awk -F, -v r="$run" '$2 == r && $3 != "gone" {
			if (!n++) { r0 = $3; f0 = $5 } ; if ($3 > max) max = $3; last = $3; fl = $5; th = $6; cpu = $4
		} END {
			printf "%s: samples %d, rss first %d kB, max %d kB, last %d kB; fds first %d, last %d; threads %d; cpu %.1f s\n",
				r, n, r0, max, last, f0, fl, th, cpu
		}' "$csv"
	done
} | tee -a "$meta"
echo "soak: results in $csv and $meta" >&2
