# latency_cdf.gp - the latency CDF of this run, written by `harness plot`.
# Edit freely; redraw with:  gnuplot latency_cdf.gp
# Data: latency_cdf_<variant>.dat, columns latency_ms and cumulative fraction
# (the i-th fastest of n requests is at i/n). Percentiles: linear
# interpolation between closest ranks, as NumPy's default.

if (!exists("outfile")) outfile = "latency_cdf.png"
# An outfile ending in .svg gets an SVG of the same picture.
if (strlen(outfile) > 4 && outfile[strlen(outfile)-2:] eq "svg") {
    set terminal svg size 1200,800 dynamic enhanced font "DejaVu Sans,11"
} else {
    set terminal pngcairo size 1200,800 enhanced font "DejaVu Sans,11"
}
set output outfile
set title "Lab 01 as an open loop: 1.5 / S arrivals per second - open loop 5997.16/s (uniform), 29985 arrivals, 1 worker, 40 pool threads" noenhanced font ",13"
set xlabel "latency (ms, log scale)"
set ylabel "cumulative fraction of requests"
set logscale x
set format x "%g"
set yrange [0:1.05]
set ytics 0.1
set grid xtics mxtics ytics lc rgb "#dddddd"
set key below box noenhanced height 1.5

set style line 1 lc rgb "#1b9e77" lw 2.5 dt 1 pt 7 ps 1.6
set style line 2 lc rgb "#d95f02" lw 2.5 dt 2 pt 5 ps 1.6
set style line 3 lc rgb "#7570b3" lw 2.5 dt 4 pt 9 ps 1.6
set lmargin at screen 0.080
set rmargin at screen 0.970
set tmargin at screen 0.930
set bmargin at screen 0.194
set xrange [0.1:10000]

# p50, p95 and p99 of each curve
# label 1 box 296.1 323.1 426.5 444.5
set label 1 "p50" at 0.784766,0.50 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 348.8 375.8 678.9 696.9
set label 2 "p95" at 2.24857,0.95 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 551.1 578.1 701.3 719.3
set label 3 "p99" at 12.2622,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 822.0 849.0 426.5 444.5
set label 4 "p50" at 227.402,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 874.1 901.1 678.9 696.9
set label 5 "p95" at 398.9,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 1100.3 1127.3 701.3 719.3
set label 6 "p99" at 4568.82,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 240.8 267.8 426.5 444.5
set label 7 "p50" at 0.702444,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 406.0 433.0 678.9 696.9
set label 8 "p95" at 2.5643,0.95 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 630.7 657.7 701.3 719.3
set label 9 "p99" at 28.9308,0.99 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front

plot "latency_cdf_sync.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool): p50 0.785, p95 2.25, p99 12.3 ms", \
     "latency_cdf_async_blocking.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop): p50 227, p95 399, p99 4.57e+03 ms", \
     "latency_cdf_async_tothread.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread): p50 0.702, p95 2.56, p99 28.9 ms"
