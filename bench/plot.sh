#!/usr/bin/env bash
# Draw wall time vs socket count (-tan and -tanp) from a bench/run.sh CSV:
#   bench/plot.sh docs/perf/results-DATE.csv    -> docs/perf/results-DATE.png
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
csv=${1:?usage: plot.sh RESULTS.csv}
png=${csv%.csv}.png
if ! command -v gnuplot >/dev/null; then
	echo "plot: installing gnuplot-nox" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq gnuplot-nox >/dev/null
fi
dat=$(mktemp /tmp/bench-plot.XXXXXX)
trap 'rm -f "$dat"' EXIT
python3 "$here/stats.py" dat "$csv" >"$dat"
gnuplot -e "datafile='$dat'; outfile='$png'" "$here/plot.gp"
echo "plot: $png" >&2
