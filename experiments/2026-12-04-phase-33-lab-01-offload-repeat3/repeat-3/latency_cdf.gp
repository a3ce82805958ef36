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
set title "Lab 01, offloaded to threads or to processes: sync, async_blocking, async_tothread, async_toprocess - 50 concurrent, 5000 requests, 1 worker, 40 pool threads" noenhanced font ",13"
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
set style line 4 lc rgb "#e7298a" lw 2.5 dt 5 pt 11 ps 1.6
set lmargin at screen 0.080
set rmargin at screen 0.970
set tmargin at screen 0.930
set bmargin at screen 0.219
set xrange [0.1:100]

# p50, p95 and p99 of each curve
# label 1 box 693.3 720.3 437.0 455.0
set label 1 "p50" at 6.00914,0.50 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 830.9 857.9 659.2 677.2
set label 2 "p95" at 10.9387,0.95 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 3 box 883.7 910.7 702.5 720.5
set label 3 "p99" at 15.3984,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 837.3 864.3 437.0 455.0
set label 4 "p50" at 11.4062,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 857.3 884.3 680.8 698.8
set label 5 "p95" at 12.9787,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 820.5 847.5 702.5 720.5
set label 6 "p99" at 13.6847,0.99 left point ls 2 offset char -4.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 753.9 780.9 415.4 433.4
set label 7 "p50" at 6.64888,0.50 left point ls 3 offset char 1.0,char -1.2 tc rgb "#7570b3" front
# label 8 box 780.9 807.9 680.8 698.8
set label 8 "p95" at 10.5921,0.95 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 866.5 893.5 724.1 742.1
set label 9 "p99" at 13.7706,0.99 left point ls 3 offset char 1.0,char 1.2 tc rgb "#7570b3" front
# label 10 box 783.4 810.4 437.0 455.0
set label 10 "p50" at 8.04881,0.50 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 908.3 935.3 680.8 698.8
set label 11 "p95" at 18.0483,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 964.1 991.1 702.5 720.5
set label 12 "p99" at 25.8861,0.99 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front

plot "latency_cdf_sync.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool): p50 6.01, p95 10.9, p99 15.4 ms", \
     "latency_cdf_async_blocking.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop): p50 11.4, p95 13, p99 13.7 ms", \
     "latency_cdf_async_tothread.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread): p50 6.65, p95 10.6, p99 13.8 ms", \
     "latency_cdf_async_toprocess.dat" using 1:2 with lines ls 4 title "D: async_toprocess (model call offloaded to a process pool): p50 8.05, p95 18, p99 25.9 ms"
