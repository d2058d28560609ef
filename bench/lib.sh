# Shared by the benchmarks (sourced, not run): their error exit, the name of the binary a result
# belongs to, and the start of bench/loadgen.c's connections in a namespace. The sourcing script
# sets `root` (the repository) and, before start_loadgen, `work` (its scratch directory, where
# `$work/loadgen` is built).

die() {
	echo "bench: $*" >&2
	exit 1
}

# "PATH (commit, sha256 prefix)": which build a result belongs to.
binary_rev() {
	echo "$1 ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), sha256 $(sha256sum "$1" | cut -c1-12))"
}

# start_loadgen NS CONNS HOLDERS: starts loadgen in NS with its stdin on fd 9 (closing fd 9 stops
# it) and waits, up to 300 s, until it has built its connections and said READY in
# `$work/ready`. Sets lg_pid.
start_loadgen() {
	mkfifo "$work/ctl"
	ip netns exec "$1" "$work/loadgen" "$2" "$3" <"$work/ctl" >"$work/ready" 2>"$work/lg.err" &
	lg_pid=$!
	exec 9>"$work/ctl"
	rm -f "$work/ctl"
	for _ in $(seq 3000); do
		grep -q READY "$work/ready" && return 0
		kill -0 "$lg_pid" 2>/dev/null || die "load builder failed: $(cat "$work/lg.err")"
		sleep 0.1
	done
	die "load builder never got ready"
}
