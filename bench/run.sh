#!/usr/bin/env bash
# Scale benchmark: our netstat vs iproute2 ss vs net-tools netstat on a namespace holding
# many established loopback TCP connections. See bench/README.md.
#
#   bench/run.sh [N ...]               # as root; N = connections (2N sockets); default 10000 50000 100000 200000
#
# Environment: NETSTAT (ours, default target/release/netstat), REPS (5), HOLDERS (100),
# CAP (seconds per run, 120), OUT (where results go; default a fresh
# directory under $TMPDIR, printed at the end; OUT=docs/perf to keep them), PLOT (1: draw the PNG afterwards).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

# ---------------------------------------------------------------------------------------------
# Inner mode: runs inside the namespace (via `ip netns exec`) and appends one CSV row per run.
#   run.sh --measure N SOCKETS LARGEST(0|1) CSV STATEDIR
if [[ ${1:-} == --measure ]]; then
	n=$2 sockets=$3 largest=$4 csv=$5 state=$6
	variants=(
		"ss|-tan|ss -tan"
		"net-tools|-tan|/usr/bin/netstat -tan"
		"ours|-tan|$NETSTAT -tan"
		"ss|-tanp|ss -tanp"
		"net-tools|-tanp|/usr/bin/netstat -tanp"
		"ours|-tanp|$NETSTAT -tanp"
		"ss|filtered|ss -tan '( sport = :20001 or dport = :20001 )'"
		"net-tools|filtered|bash -c '/usr/bin/netstat -tan | grep -F :20001'"
		"ours|filtered|$NETSTAT -tan --filter 'sport = :20001 or dport = :20001'"
		"ss|-s|ss -s"
		"net-tools|-s|/usr/bin/netstat -s"
		"ours|-s|$NETSTAT -s"
		"none|true|true"
	)
	tf=$state/time.out
	# timeout puts the command in its own process group, out of Ctrl-C's reach, and bash
	# defers traps until a foreground child ends: so run each command in the background,
	# and on a signal stop it through timeout (which passes the signal on to its group).
	stop=0
	trap 'stop=1' INT TERM
	for ((rep = 1; rep <= REPS; rep++)); do
		for v in "${variants[@]}"; do
			IFS='|' read -r tool args cmd <<<"$v"
			key="$tool$args"
			baseline_p=0
			[[ $tool != ours && $args == -tanp ]] && baseline_p=1
			if ((baseline_p)); then
				# A baseline -p run that hit the cap at a smaller N only gets slower: skip it.
				if [[ -e $state/capped.$key ]]; then
					((rep == 1)) && echo "$n,$sockets,$tool,$args,$rep,,,,,skipped,," >>"$csv"
					continue
				fi
				((largest && rep > 1)) && continue
			fi
			# The machine may be shared: note the load and every namespace's TCP sockets.
			read -r loadavg _ </proc/loadavg
			while read -r proto rest; do
				[[ $proto == TCP: ]] && alloc=${rest##*alloc } && alloc=${alloc%% *}
			done </proc/net/sockstat
			rm -f "$tf"
			t0=$EPOCHREALTIME
			set +e
			# cmd is a shell word list; quotes in it group words (filters have spaces).
			eval "words=($cmd)"
			/usr/bin/time -f '%e %M' -o "$tf" timeout -k 5 "$CAP" "${words[@]}" >/dev/null 2>"$state/stderr" &
			tpid=$!
			wait "$tpid"
			rc=$?
			t1=$EPOCHREALTIME
			set -e
			if ((stop)); then
				read -r child _ <"/proc/$tpid/task/$tpid/children" && kill -TERM "$child"
				wait "$tpid"
				exit 130
			fi
			us=$((${t1/./} - ${t0/./}))
			wall=$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))
			read -r elapsed rss < <(tail -n 1 "$tf") || elapsed="" rss=""
			capped=0
			if ((rc == 124 || rc == 137)); then
				capped=1
				((baseline_p)) && touch "$state/capped.$key"
			fi
			echo "$n,$sockets,$tool,$args,$rep,$wall,$elapsed,$rss,$rc,$capped,$alloc,$loadavg" >>"$csv"
			printf '  rep %d  %-10s %-6s %8.3f s %8d kB  rc=%d%s\n' "$rep" "$tool" "$args" \
				"$wall" "${rss:-0}" "$rc" "$( ((capped)) && echo ' (cap)')" >&2
		done
	done
	exit 0
fi

# ---------------------------------------------------------------------------------------------
# Outer mode.
NS_LIST=("$@")
((${#NS_LIST[@]})) || NS_LIST=(10000 50000 100000 200000)
export NETSTAT=${NETSTAT:-$root/target/release/netstat}
export REPS=${REPS:-5} CAP=${CAP:-120}
HOLDERS=${HOLDERS:-100}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bench-results.XXXXXX")}
PLOT=${PLOT:-1}

source "$here/lib.sh"
((EUID == 0)) || die "needs root (network namespaces)"
[[ -x $NETSTAT ]] || die "no binary at $NETSTAT (cargo build --release, or set NETSTAT)"
NETSTAT=$(realpath "$NETSTAT")

# Tools: install what is missing (Debian package names).
need=()
[[ -x /usr/bin/time ]] || need+=(time)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v ss >/dev/null && command -v ip >/dev/null || need+=(iproute2)
[[ -x /usr/bin/netstat ]] || need+=(net-tools)
command -v python3 >/dev/null || need+=(python3)
command -v timeout >/dev/null || need+=(coreutils)
if ((${#need[@]})); then
	echo "bench: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/bench.XXXXXX)
ns=""
lg_pid=""
cleanup() {
	trap - EXIT INT TERM
	exec 9>&- # loadgen stops on stdin EOF
	if [[ -n $lg_pid ]]; then
		for _ in $(seq 50); do kill -0 "$lg_pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$lg_pid" 2>/dev/null || true
		wait "$lg_pid" 2>/dev/null || true
	fi
	[[ -n $ns ]] && ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
	lg_pid="" ns=""
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

gcc -O2 -Wall -o "$work/loadgen" "$here/loadgen.c"
# Snapshot ours: a rebuild of the tree during the sweep must not change the binary under test.
mkdir "$work/ours"
cp "$NETSTAT" "$work/ours/netstat"
ours_rev=$(binary_rev "$NETSTAT")
NETSTAT=$work/ours/netstat
mkdir -p "$OUT"
stamp=$(date +%Y-%m-%d-%H%M)
csv=$OUT/results-$stamp.csv
meta=$OUT/results-$stamp.txt
echo "n_conn,sockets,tool,args,rep,wall_s,elapsed_s,maxrss_kb,rc,capped,tcp_alloc_all,loadavg1" >"$csv"
{
	echo "date: $(date -Is)"
	echo "kernel: $(uname -r)"
	echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "ss: $(ss -V 2>&1 | head -1)"
	echo "net-tools: $(/usr/bin/netstat -V 2>&1 | head -1)"
	echo "ours: $ours_rev"
	echo "holders: $HOLDERS, reps: $REPS, cap: $CAP s"
	echo "wall_s: bash EPOCHREALTIME around '/usr/bin/time timeout CMD' (includes ~1-2 ms of launch;"
	echo "        the 'none true' rows measure that floor); elapsed_s/maxrss_kb: GNU time %e %M."
	echo "load rows: wall_s = time to build the connections, maxrss_kb = kernel Slab growth (kB)."
	echo "tcp_alloc_all: TCP sockets of every namespace (sockstat alloc) just before the run;"
	echo "        more than 'sockets' means someone else's load shared the machine; loadavg1 likewise."
} >"$meta"

meminfo() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }
tcp_alloc() { awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "alloc") print $(i + 1)}' /proc/net/sockstat; }

base_alloc=$(tcp_alloc)
if ((base_alloc > 10000)); then
	# Listing walks the kernel's global socket tables and -p walks every process's fds, so
	# someone else's sockets slow all three tools down: the numbers would not be comparable.
	echo "bench: WARNING: $base_alloc TCP sockets already exist in other namespaces;" \
		"results will be skewed (see the table's 'other namespaces' line)" >&2
fi
largest=0
for n in "${NS_LIST[@]}"; do ((n > largest)) && largest=$n; done

for n in "${NS_LIST[@]}"; do
	# The previous namespace's sockets are freed asynchronously; start from a quiet kernel.
	for _ in $(seq 120); do (($(tcp_alloc) < base_alloc + 1000)) && break; sleep 0.5; done

	ns=bench-$$-$n
	echo "== N=$n connections: building in $ns with $HOLDERS holders" >&2
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192
	slab0=$(meminfo Slab)
	start_loadgen "$ns" "$n" "$HOLDERS"
	read -r _ _ build_s <"$work/ready"
	slab1=$(meminfo Slab)
	summary=$(ip netns exec "$ns" ss -s)
	estab=$(sed -n 's/^TCP: *[0-9]* (estab \([0-9]*\),.*/\1/p' <<<"$summary")
	# ss -s's total counts every namespace's sockets (sockstat "alloc" is global); "inuse" is ours.
	sockets=$(ip netns exec "$ns" awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)
	((estab == 2 * n)) || die "expected $((2 * n)) established sockets, ss -s says: $summary"
	echo "   built in $build_s s; $sockets TCP sockets in use, ss -s: $estab established;" \
		"kernel Slab +$(((slab1 - slab0) / 1024)) MiB" >&2
	echo "$n,$sockets,load,build,1,$build_s,,$((slab1 - slab0)),0,0,," >>"$csv"
	# A fast run that prints nothing proves nothing: compare line counts with net-tools once.
	lines_nt=$(ip netns exec "$ns" /usr/bin/netstat -tan 2>/dev/null | wc -l)
	lines_ours=$(ip netns exec "$ns" timeout "$CAP" "$NETSTAT" -tan 2>/dev/null | wc -l) || true
	echo "   -tan lines: net-tools $lines_nt, ours $lines_ours" >&2
	echo "N=$n: -tan lines net-tools $lines_nt, ours $lines_ours" >>"$meta"
	((lines_nt == lines_ours)) || echo "bench: WARNING: ours -tan printed $lines_ours lines," \
		"net-tools $lines_nt" >&2

	ip netns exec "$ns" "$BASH" "$here/run.sh" --measure "$n" "$sockets" "$((n == largest))" "$csv" "$work"

	t0=$EPOCHREALTIME
	exec 9>&-
	wait "$lg_pid" || true
	lg_pid=""
	ip netns del "$ns"
	ns=""
	us=$((${EPOCHREALTIME/./} - ${t0/./}))
	echo "   teardown $((us / 1000)) ms" >&2
done

echo >&2
python3 "$here/stats.py" table "$csv" | tee "$OUT/results-$stamp.table"
echo "raw: $csv (results in $OUT)" >&2
if ((PLOT)); then
	"$here/plot.sh" "$csv"
fi
