#!/usr/bin/env bash
# Scrape benchmark: netstat_exporter (every collector) vs Debian's prometheus-node-exporter
# with only its tcpstat collector, on a namespace holding many established loopback TCP
# connections. Both run in the namespace; scrapes are interleaved; medians and ratios printed.
#
#   bench/exporter.sh [CONNECTIONS]            # as root; default 100000 connections = 200k sockets
#
# On a shared machine, NICE=-15 runs the exporters and curl ahead of everything else (the same
# priority for all three), so that other work skews the comparison less. With the scheduler's
# autogroups on, niceness only ranks processes within a session, so the bench's own session
# (its autogroup) gets the same niceness.
#
# Environment: OURS_ARGS (more flags for ours, e.g. --collector.audit), NICE (0), EXPORTER (ours,
# default $CARGO_TARGET_DIR or target, /release/netstat_exporter), REPS (9 scrapes of each),
# HOLDERS (100 processes holding the sockets), OUT (where the results go; default a fresh
# directory under $TMPDIR, printed at the end; OUT=docs/perf to keep them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
n=${1:-100000}
EXPORTER=${EXPORTER:-${CARGO_TARGET_DIR:-$root/target}/release/netstat_exporter}
REPS=${REPS:-9}
NICE=${NICE:-0}
HOLDERS=${HOLDERS:-100}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bench-results.XXXXXX")}
NODE=/usr/bin/prometheus-node-exporter
OURS_PORT=19573
OURS_RESCAN_PORT=19574
NODE_PORT=19100

source "$here/lib.sh"
((EUID == 0)) || die "needs root (network namespaces)"
[[ -x $EXPORTER ]] || die "no binary at $EXPORTER (cargo build --release -p netstat_exporter)"
need=()
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v curl >/dev/null || need+=(curl)
command -v ss >/dev/null || need+=(iproute2)
[[ -x $NODE ]] || need+=(prometheus-node-exporter)
if ((${#need[@]})); then
	echo "bench: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ((NICE != 0)) && [[ -w /proc/self/autogroup ]]; then
	echo "$NICE" >/proc/self/autogroup || echo "bench: cannot renice the session's autogroup" >&2
fi

work=$(mktemp -d /tmp/bench-exporter.XXXXXX)
ns=bench-exporter-$$
pids=()
cleanup() {
	trap - EXIT INT TERM
	exec 9>&- 2>/dev/null || true # loadgen stops on stdin EOF
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

gcc -O2 -Wall -o "$work/loadgen" "$here/loadgen.c"
# Snapshot ours: a rebuild during the run must not change the binary under test.
cp "$EXPORTER" "$work/netstat_exporter"
ours_rev=$(binary_rev "$EXPORTER")

ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192
start_loadgen "$ns" "$n" "$HOLDERS"
pids+=("$lg_pid")
sockets=$(ip netns exec "$ns" awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)
echo "== $n connections: $sockets TCP sockets in use in $ns" >&2

# `ip netns exec` and `nice` exec the program, so $! is the exporter itself (for its CPU time).
declare -A pid_of
read -ra ours_args <<<"${OURS_ARGS:-}"
ip netns exec "$ns" nice -n "$NICE" "$work/netstat_exporter" --web.listen-address=127.0.0.1:$OURS_PORT "${ours_args[@]}" 2>"$work/ours.err" &
pids+=($!) && pid_of[ours]=$!
ip netns exec "$ns" nice -n "$NICE" "$work/netstat_exporter" --web.listen-address=127.0.0.1:$OURS_RESCAN_PORT \
	--collector.programs.refresh=0s "${ours_args[@]}" 2>"$work/ours-rescan.err" &
pids+=($!) && pid_of[ours-rescan]=$!
ip netns exec "$ns" nice -n "$NICE" "$NODE" --collector.disable-defaults --collector.tcpstat \
	--web.listen-address=127.0.0.1:$NODE_PORT 2>"$work/node.err" &
pids+=($!) && pid_of[node-tcpstat]=$!
for port in $OURS_PORT $OURS_RESCAN_PORT $NODE_PORT; do
	for _ in $(seq 100); do
		ip netns exec "$ns" curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
done

# The first scrape of ours scans /proc for owners; it is shown, then left out of the medians.
scrape() { ip netns exec "$ns" nice -n "$NICE" curl -s -o "$work/body" -w '%{time_total}' "http://127.0.0.1:$1/metrics"; }
first=$(scrape $OURS_PORT)
echo "   ours, first scrape (owner scan included): $first s" >&2
# A check that each scrape saw the load: our established count and node's.
scrape $OURS_PORT >/dev/null
ours_estab=$(awk -F' ' '/^netstat_sockets\{proto="tcp",family="ipv4",state="established"\}/ {print $2}' "$work/body")
scrape $NODE_PORT >/dev/null
node_estab=$(awk '/^node_tcp_connection_states\{state="established"\}/ {print $2}' "$work/body")
echo "   established: ours $ours_estab, node_exporter $node_estab" >&2

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$OUT"
stamp=$(date +%Y-%m-%d-%H%M%S)-$n
csv=$OUT/exporter-$stamp.csv
echo "variant,rep,seconds" >"$csv"
# CPU time (user + system, clock ticks) of a process, threads included.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A cpu0
for v in ours ours-rescan node-tcpstat; do cpu0[$v]=$(cpu_ticks "${pid_of[$v]}"); done
for ((rep = 1; rep <= REPS; rep++)); do
	for v in "ours:$OURS_PORT" "ours-rescan:$OURS_RESCAN_PORT" "node-tcpstat:$NODE_PORT"; do
		t=$(scrape "${v#*:}")
		echo "${v%%:*},$rep,$t" >>"$csv"
		printf '  rep %d  %-13s %8.3f s\n' "$rep" "${v%%:*}" "$t" >&2
	done
done

hz=$(getconf CLK_TCK)
cpu_line=""
for v in ours ours-rescan node-tcpstat; do
	ticks=$(($(cpu_ticks "${pid_of[$v]}") - cpu0[$v]))
	cpu_line+="$v $(awk -v t="$ticks" -v hz="$hz" -v n="$REPS" 'BEGIN {printf "%.3f", t / hz / n}') s; "
done
{
	echo "date: $(date -Is)"
	echo "kernel: $(uname -r)"
	echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "ours: $ours_rev"
	echo "node_exporter: $($NODE --version 2>&1 | head -1)"
	echo "load: $n connections ($sockets TCP sockets) held by $HOLDERS processes"
	echo "machine load average before/after the scrapes: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "established seen: ours $ours_estab, node_exporter $node_estab"
	echo "ours first scrape (owner scan included): $first s"
	echo "CPU per scrape (user + system, every thread; background owner rescans included): $cpu_line"
	echo "command: sudo bench/exporter.sh $n  (REPS=$REPS NICE=$NICE OURS_ARGS=${OURS_ARGS:-})"
	python3 - "$csv" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for v in ("ours", "ours-rescan", "node-tcpstat"):
    times = [float(r["seconds"]) for r in rows if r["variant"] == v]
    med[v] = statistics.median(times)
    print(f"median {v:13s} {med[v]:.3f} s  (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})")
print(f"ratio ours / node-tcpstat: {med['ours'] / med['node-tcpstat']:.2f}x")
print(f"ratio ours-rescan / node-tcpstat: {med['ours-rescan'] / med['node-tcpstat']:.2f}x")
EOF
} | tee "$OUT/exporter-$stamp.txt"
echo "raw: $csv (results in $OUT)" >&2
