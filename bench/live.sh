#!/usr/bin/env bash
# Cost of `netstat --live`: CPU over a minute at the default interval and the time from a key
# press to the redrawn screen, on a namespace holding many loopback TCP connections (bench/
# loadgen.c, as bench/run.sh builds them) plus one paced bulk transfer; then the same for
# bandwhich when it is installed (BANDWHICH=path). See bench/README.md.
#
#   bench/live.sh [N]                 # as root; N connections (2N sockets); default 100000
#
# Environment: NETSTAT (ours, default target/release/netstat), HOLDERS (100), SECONDS_CPU (60),
# KEYS (20 presses per key kind), BANDWHICH (path of a bandwhich binary; skipped if unset and
# not on PATH), OUT (where the results go; default a fresh directory under $TMPDIR, printed at
# the end; OUT=docs/perf to keep them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
n=${1:-100000}
NETSTAT=${NETSTAT:-$root/target/release/netstat}
HOLDERS=${HOLDERS:-100}
SECONDS_CPU=${SECONDS_CPU:-60}
KEYS=${KEYS:-20}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bench-results.XXXXXX")}
BANDWHICH=${BANDWHICH:-$(command -v bandwhich || true)}

source "$here/lib.sh"
((EUID == 0)) || die "needs root (network namespaces)"
[[ -x $NETSTAT ]] || die "no binary at $NETSTAT (cargo build --release, or set NETSTAT)"
for tool in tmux gcc python3 ip; do
	command -v "$tool" >/dev/null || die "needs $tool"
done

work=$(mktemp -d /tmp/bench-live.XXXXXX)
ns=bench-live-$$
tmux_server=bench-live-$$
lg_pid="" bulk_pid=""
cleanup() {
	trap - EXIT INT TERM
	tmux -L "$tmux_server" kill-server 2>/dev/null || true
	exec 8>&- 9>&- # loadgen and the bulk sender stop on stdin EOF
	for pid in $lg_pid $bulk_pid; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

gcc -O2 -Wall -o "$work/loadgen" "$here/loadgen.c"
cp "$NETSTAT" "$work/netstat"
ours_rev=$(binary_rev "$NETSTAT")

ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192
start_loadgen "$ns" "$n" "$HOLDERS"

# One paced bulk transfer (16 KiB every 5 ms, about 3 MB/s), so that rates and packet capture
# have something to see; it stops when the benchmark closes its stdin, or after 10 minutes.
cat >"$work/bulk.py" <<'EOF'
import socket, sys, threading, time
srv = socket.socket(); srv.bind(("127.0.0.1", 19999)); srv.listen(1)
c = socket.create_connection(("127.0.0.1", 19999)); s, _ = srv.accept()
threading.Thread(target=lambda: [None for _ in iter(lambda: s.recv(65536), b"")], daemon=True).start()
def send():
    end = time.monotonic() + 600
    while time.monotonic() < end:
        c.send(b"x" * 16384); time.sleep(0.005)
threading.Thread(target=send, daemon=True).start()
sys.stdin.read()
EOF
mkfifo "$work/bulkctl"
ip netns exec "$ns" python3 "$work/bulk.py" <"$work/bulkctl" 9>&- &
bulk_pid=$!
exec 8>"$work/bulkctl"
rm -f "$work/bulkctl"

sockets=$(ip netns exec "$ns" awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)
others=$(awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "alloc") print $(i + 1)}' /proc/net/sockstat)
echo "bench: $sockets TCP sockets in $ns ($others in every namespace), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

clk=$(getconf CLK_TCK)
# CPU seconds (user + system) of a process and its threads so far.
cpu_of() { awk -v clk="$clk" '{print ($14 + $15) / clk}' "/proc/$1/stat"; }
screen() { tmux -L "$tmux_server" capture-pane -p -t bench; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
# Waits (polling every 5 ms) until the screen shows $1; prints the milliseconds it took.
wait_screen() {
	local t0 deadline
	t0=$(now_ms)
	deadline=$((t0 + ${2:-30000}))
	until screen | grep -qF -- "$1"; do
		(($(now_ms) > deadline)) && { echo "timeout"; return 1; }
		sleep 0.005
	done
	echo $(($(now_ms) - t0))
}
# Median and maximum of numbers on stdin.
summary() { sort -n | awk '{v[NR] = $1} END {printf "median %d ms, max %d ms (%d presses)", v[int((NR + 1) / 2)], v[NR], NR}'; }

# tmux's server must not hold the control pipes open.
tmux() { command tmux "$@" 8>&- 9>&-; }
results=$work/results.txt
: >"$results"

# --- ours ---------------------------------------------------------------------------------
# `exec` keeps the pane's pid netstat's own (ip netns exec execs it).
tmux -L "$tmux_server" -f /dev/null -u new-session -d -x 160 -y 45 -s bench \
	"exec ip netns exec $ns $work/netstat --live -p"
pid=$(tmux -L "$tmux_server" display -p -t bench '#{pane_pid}')
echo "bench: ours (pid $pid): waiting for the first sample" >&2
first=$(wait_screen "Connections: $((2 * n + 2)) (" 120000) || die "ours never showed $((2 * n + 2)) connections: $(screen)"
echo "bench: first sample on screen after $first ms" >&2
sleep 12 # past the first full owner rescan (every 10 s)
c0=$(cpu_of "$pid")
t0=$(now_ms)
sleep "$SECONDS_CPU"
c1=$(cpu_of "$pid")
t1=$(now_ms)
ours_cpu=$(awk -v a="$c0" -v b="$c1" -v ms=$((t1 - t0)) 'BEGIN {printf "%.3f", (b - a) / (ms / 1000)}')
took=$(screen | sed -n 's/.*sample took \([0-9.]* [mµ]*s\).*/\1/p' | head -1)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "ours: $ours_cpu of a core over $SECONDS_CPU s (a sample took $took on screen; RSS $rss kB)" | tee -a "$results" >&2

# Key to redrawn screen: switching views (2, then 1) and cycling the sort column (s), which
# re-sorts every row. Presses are spread over the tick, so some land while a sample runs.
: >"$work/switch" && : >"$work/sort"
for ((i = 0; i < KEYS; i++)); do
	tmux -L "$tmux_server" send-keys -t bench 2
	wait_screen "Processes: " >>"$work/switch" || die "no Processes view"
	tmux -L "$tmux_server" send-keys -t bench 1
	wait_screen "Connections: " >>"$work/switch" || die "no Connections view"
	sleep "0.$((RANDOM % 10))"
done
columns=(recv send total rtt retrans state program local remote rate)
for ((i = 0; i < KEYS; i++)); do
	column=${columns[i % ${#columns[@]}]}
	tmux -L "$tmux_server" send-keys -t bench s
	wait_screen "sorted by $column" >>"$work/sort" || die "no sort by $column"
	sleep "0.$((RANDOM % 10))"
done
echo "ours: view switch $(summary <"$work/switch"); sort $(summary <"$work/sort")" | tee -a "$results" >&2
tmux -L "$tmux_server" send-keys -t bench q
sleep 1

# --- bandwhich ----------------------------------------------------------------------------
if [[ -n $BANDWHICH && -x $BANDWHICH ]]; then
	tmux -L "$tmux_server" -f /dev/null -u new-session -d -x 160 -y 45 -s bench \
		"exec ip netns exec $ns $BANDWHICH --interface lo --no-resolve; sleep 600"
	pid=$(tmux -L "$tmux_server" display -p -t bench '#{pane_pid}')
	sleep 15
	if kill -0 "$pid" 2>/dev/null && [[ $(cat "/proc/$pid/comm") == bandwhich ]]; then
		c0=$(cpu_of "$pid")
		t0=$(now_ms)
		sleep "$SECONDS_CPU"
		c1=$(cpu_of "$pid")
		t1=$(now_ms)
		bw_cpu=$(awk -v a="$c0" -v b="$c1" -v ms=$((t1 - t0)) 'BEGIN {printf "%.3f", (b - a) / (ms / 1000)}')
		rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
		echo "bandwhich ($("$BANDWHICH" --version 2>&1 | head -1)): $bw_cpu of a core over $SECONDS_CPU s (RSS $rss kB)" | tee -a "$results" >&2
		echo "ratio ours/bandwhich: $(awk -v a="$ours_cpu" -v b="$bw_cpu" 'BEGIN {printf "%.2f", a / b}')" | tee -a "$results" >&2
		{
			echo "bandwhich's screen at the end (proof that it ran and captured):"
			screen | head -8 | sed 's/^/    /'
		} >>"$results"
	else
		echo "bandwhich: did not keep running: $(screen | head -5)" | tee -a "$results" >&2
	fi
	tmux -L "$tmux_server" kill-server 2>/dev/null || true
else
	echo "bandwhich: not installed (set BANDWHICH=path)" | tee -a "$results" >&2
fi

mkdir -p "$OUT"
stamp=$(date +%Y-%m-%d-%H%M)
{
	echo "date: $(date -Is)"
	echo "kernel: $(uname -r); cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "ours: $ours_rev"
	echo "load: $n connections ($sockets TCP sockets in the namespace, $others in every namespace) held by $HOLDERS processes, plus one bulk transfer of about 3 MB/s"
	echo "command: bench/live.sh $n (netstat --live -p at the default 1 s interval; CPU over $SECONDS_CPU s after the first full owner rescan)"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	cat "$results"
} | tee "$OUT/live-$stamp.txt"
echo "results: $OUT/live-$stamp.txt" >&2
