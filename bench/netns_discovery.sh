#!/usr/bin/env bash
# Namespace discovery benchmark: what `--all-netns` pays to find and label every network
# namespace in use, against the cost of the listing itself and against the peers (util-linux's
# `lsns`, and the operator's loop of `nsenter -t PID -n netstat` over net-tools).
# See bench/README.md.
#
#   bench/netns_discovery.sh [NAMESPACES [PROCESSES_PER_NAMESPACE]]   # as root; default 200 10
#
# Environment: NETSTAT (ours, default target/release/netstat; copied at start), REPS (5),
# OUT (a directory for the raw CSV and the table; default none: the table goes to stdout only).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
namespaces=${1:-200}
per=${2:-10}
reps=${REPS:-5}
[[ $(id -u) == 0 ]] || { echo "netns_discovery.sh: needs root (namespaces, cgroups)" >&2; exit 1; }
for tool in unshare nsenter lsns python3 /usr/bin/netstat; do
	command -v "$tool" >/dev/null || { echo "netns_discovery.sh: needs $tool" >&2; exit 1; }
done

netstat=${NETSTAT:-$root/target/release/netstat}
[[ -x $netstat ]] || { echo "netns_discovery.sh: no $netstat (cargo build --release, or NETSTAT=)" >&2; exit 1; }
work=$(mktemp -d /tmp/netns-discovery.XXXXXX)
cp "$netstat" "$work/netstat"
ours=$work/netstat
tag=nst-bench-$$
holders=()
holder_fd=
cgroup=

cleanup() {
	set +e
	[[ -n $holder_fd ]] && exec {holder_fd}>&-
	((${#holders[@]})) && kill "${holders[@]}" 2>/dev/null
	wait 2>/dev/null
	# The sleepers are grandchildren: they are reaped (and their cgroups emptied) a moment
	# after the kill, so retry for a while.
	for ((try = 0; try < 100; try++)); do
		[[ -n $cgroup && -d $cgroup ]] || break
		find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null
		sleep 0.05
	done
	[[ -n $cgroup && -d $cgroup ]] && echo "netns_discovery.sh: could not remove $cgroup" >&2
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Half of the namespaces look like Docker containers (their processes in
# .../docker-<64 hex>.scope), so labelling takes both paths: one cgroup read for a container,
# up to eight for a namespace outside containers.
if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
	cgroup=/sys/fs/cgroup/$tag.slice
elif [[ $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
	cgroup=/sys/fs/cgroup/unified/$tag.slice
else
	cgroup=/sys/fs/cgroup/pids/$tag
fi
mkdir "$cgroup"

echo "building: $namespaces namespaces x $per processes ..." >&2
t0=$EPOCHREALTIME
first_pids=()
for ((i = 0; i < namespaces; i++)); do
	# One shell in a new namespace, which starts per-1 sleepers and becomes the last one.
	unshare --net sh -c "ip link set lo up; for j in \$(seq 2 $per); do sleep 3600 & done; exec sleep 3600" &
	holders+=($!)
	first_pids+=($!)
done
# Wait until every namespace holds all its processes.
for pid in "${first_pids[@]}"; do
	until (($(pgrep -c -P "$pid" || true) >= per - 1)); do sleep 0.01; done
	holders+=($(pgrep -P "$pid"))
done
for ((i = 0; i < namespaces; i += 2)); do
	pid=${first_pids[$i]}
	id=$(printf '%08x' "$pid" "$i" "$$" "$RANDOM" "$RANDOM" "$RANDOM" "$RANDOM" "$RANDOM" | head -c 64)
	dir=$cgroup/docker-$id.scope
	mkdir "$dir"
	for p in "$pid" $(pgrep -P "$pid"); do echo "$p" >"$dir/cgroup.procs"; done
done

# Sockets for the listing: in each namespace a listener and four established loopback pairs,
# all held by one process that steps into each namespace in turn (setns).
exec {holder_fd}> >(python3 -c '
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
keep = []
for pid in sys.argv[1:]:
    fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        sys.exit(f"setns {pid}: {os.strerror(ctypes.get_errno())}")
    os.close(fd)
    l = socket.socket()
    l.bind(("127.0.0.1", 8000))
    l.listen(16)
    keep.append(l)
    for _ in range(4):
        c = socket.create_connection(("127.0.0.1", 8000))
        keep += [c, l.accept()[0]]
print("ready", file=sys.stderr, flush=True)
sys.stdin.read()
' "${first_pids[@]}" 2>"$work/holder.ready")
holders+=($!)
until grep -q ready "$work/holder.ready" 2>/dev/null; do sleep 0.05; done
t1=$EPOCHREALTIME
processes=$(find /proc -maxdepth 1 -regex '/proc/[0-9]+' | wc -l)
found=$("$ours" --all-netns -tln 2>/dev/null | grep -c '^Network namespace: ' || true)
us=$((${t1/./} - ${t0/./}))
printf 'built in %d.%01d s: %d processes on the host, %d namespaces listed by --all-netns\n' \
	$((us / 1000000)) $((us / 100000 % 10)) "$processes" "$found" >&2

# What is measured, interleaved, REPS times. `--netns` with a label that matches nothing does
# the whole discovery and labelling, then stops: that is discovery's cost, start-up included
# (see `-V`).
loop="for p in ${first_pids[*]}; do nsenter -t \$p -n /usr/bin/netstat -tln; done"
variants=(
	"ours|discovery|$ours --netns $tag-no-such-label"
	"ours|--all-netns -tln|$ours --all-netns -tln"
	"ours|--all-netns -tan|$ours --all-netns -tan"
	"ours|-tln (one namespace)|$ours -tln"
	"ours|-V (start-up)|$ours -V"
	"lsns|-t net|lsns -t net -n -o NS,PID,COMMAND"
	"net-tools|nsenter loop -tln|bash -c '$loop'"
)
# Wall time from bash's clock; CPU time (task-clock, user + system) from `perf stat` when it is
# installed, which tells more than the wall time on a shared machine. The load average is noted
# with each run.
csv=$work/results.csv
echo "tool,what,rep,wall_s,cpu_s,rc,loadavg1" >"$csv"
tf=$work/perf.out
perf=0
command -v perf >/dev/null && perf stat -e task-clock true 2>/dev/null && perf=1
for ((rep = 1; rep <= reps; rep++)); do
	for v in "${variants[@]}"; do
		IFS='|' read -r tool what cmd <<<"$v"
		eval "words=($cmd)"
		read -r loadavg _ </proc/loadavg
		t0=$EPOCHREALTIME
		set +e
		if ((perf)); then
			perf stat -x, -e task-clock -o "$tf" "${words[@]}" >/dev/null 2>&1
		else
			"${words[@]}" >/dev/null 2>&1
		fi
		rc=$?
		set -e
		t1=$EPOCHREALTIME
		us=$((${t1/./} - ${t0/./}))
		cpu=
		((perf)) && cpu=$(awk -F, '$3 == "task-clock" { printf "%.6f", $1 / 1000 }' "$tf")
		printf '%s,%s,%d,%d.%06d,%s,%d,%s\n' "$tool" "$what" "$rep" $((us / 1000000)) $((us % 1000000)) \
			"$cpu" "$rc" "$loadavg" >>"$csv"
	done
done

table=$work/results.table
python3 - "$csv" "$namespaces" "$per" "$processes" >"$table" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
namespaces, per, processes = sys.argv[2:5]
wall, cpu = {}, {}
for r in rows:
    key = (r["tool"], r["what"])
    wall.setdefault(key, []).append(float(r["wall_s"]))
    if r["cpu_s"]:
        cpu.setdefault(key, []).append(float(r["cpu_s"]))
wall = {k: statistics.median(v) for k, v in wall.items()}
cpu = {k: f"{statistics.median(v) * 1000:.1f} ms" for k, v in cpu.items()}
load = statistics.median(float(r["loadavg1"]) for r in rows)
print(f"{namespaces} namespaces x {per} processes ({processes} processes on the host), "
      f"median of {len(rows) // len(wall)} runs, load average {load:.1f}")
print()
print("| tool | what | wall | CPU (task-clock) |")
print("|---|---|---|---|")
for key, t in wall.items():
    print(f"| {key[0]} | {key[1]} | {t * 1000:.1f} ms | {cpu.get(key, '-')} |")
d = wall[("ours", "discovery")]
start = wall[("ours", "-V (start-up)")]
print()
for listing in ("--all-netns -tln", "--all-netns -tan"):
    whole = wall[("ours", listing)]
    print(f"discovery / whole {listing}: {d / whole:.3f} "
          f"(start-up taken off both: {(d - start) / (whole - start):.3f})")
print(f"ours discovery / lsns -t net: {d / wall[('lsns', '-t net')]:.2f}")
print(f"ours --all-netns -tln / nsenter loop over net-tools: "
      f"{wall[('ours', '--all-netns -tln')] / wall[('net-tools', 'nsenter loop -tln')]:.3f}")
EOF
cat "$table"
if [[ -n ${OUT:-} ]]; then
	mkdir -p "$OUT"
	stamp=$(date +%Y-%m-%d-%H%M)
	cp "$csv" "$OUT/netns-discovery-$stamp.csv"
	cp "$table" "$OUT/netns-discovery-$stamp.table"
	echo "written: $OUT/netns-discovery-$stamp.{csv,table}" >&2
fi
