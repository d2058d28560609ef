# Called by plot.sh with datafile and outfile set. Columns: sockets, then median seconds of
# ss/net-tools/ours -tan, ss/net-tools/ours -tanp, then the same six for runs that hit the cap.
set terminal pngcairo size 1400,560 font ",11"
set output outfile
set multiplot layout 1,2 title "Wall time vs established TCP sockets in one namespace (median)"
set logscale y
set grid
set key top left
set xlabel "TCP sockets (thousands)"
set ylabel "seconds (log scale)"
set format y "%g"
set style line 1 lc rgb "#1f77b4" lw 2 pt 7
set style line 2 lc rgb "#d62728" lw 2 pt 5
set style line 3 lc rgb "#2ca02c" lw 2 pt 9
do for [panel=0:1] {
    set title (panel == 0 ? "netstat -tan / ss -tan" : "netstat -tanp / ss -tanp")
    b = 2 + 3 * panel
    c = 8 + 3 * panel
    plot datafile using ($1/1000):(column(b))   with linespoints ls 1 title "ss", \
         ''       using ($1/1000):(column(b+1)) with linespoints ls 2 title "net-tools netstat", \
         ''       using ($1/1000):(column(b+2)) with linespoints ls 3 title "ours", \
         ''       using ($1/1000):(column(c))   with points ls 1 pt 10 ps 3 notitle, \
         ''       using ($1/1000):(column(c+1)) with points ls 2 pt 11 ps 2 notitle, \
         ''       using ($1/1000):(column(c+2)) with points ls 3 pt 11 ps 2 notitle, \
         NaN with points lc rgb "black" pt 11 ps 2 title "hit the timeout cap (plotted at the cap)"
}
unset multiplot
