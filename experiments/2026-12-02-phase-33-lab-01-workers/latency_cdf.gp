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
set title "Lab 01 stretch: 1 and 4 workers - 50 concurrent, 500 requests" noenhanced font ",13"
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
set style line 5 lc rgb "#66a61e" lw 2.5 dt 3 pt 13 ps 1.6
set style line 6 lc rgb "#e6ab02" lw 2.5 dt 1 pt 15 ps 1.6
set lmargin at screen 0.080
set rmargin at screen 0.970
set tmargin at screen 0.930
set bmargin at screen 0.269
set xrange [1:1000]

# p50, p95 and p99 of each curve
# label 1 box 733.7 760.7 436.3 454.3
set label 1 "p50" at 58.3291,0.50 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 2 box 913.3 940.3 663.0 681.0
set label 2 "p95" at 186.454,0.95 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 3 box 961.3 988.3 683.2 701.2
set label 3 "p99" at 254.331,0.99 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 4 box 864.0 891.0 457.9 475.9
set label 4 "p50" at 135.511,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 879.4 906.4 663.0 681.0
set label 5 "p95" at 149.758,0.95 left point ls 2 offset char 1.0,char -1.2 tc rgb "#d95f02" front
# label 6 box 912.2 939.2 704.8 722.8
set label 6 "p99" at 247.575,0.99 left point ls 2 offset char -4.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 668.9 695.9 457.9 475.9
set label 7 "p50" at 51.336,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 810.6 837.6 684.6 702.6
set label 8 "p95" at 128.395,0.95 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 969.4 996.4 726.4 744.4
set label 9 "p99" at 267.905,0.99 left point ls 3 offset char 1.0,char 1.2 tc rgb "#7570b3" front
# label 10 box 689.0 716.0 436.3 454.3
set label 10 "p50" at 58.4418,0.50 left point ls 4 offset char -4.0,char -1.2 tc rgb "#e7298a" front
# label 11 box 926.1 953.1 684.6 702.6
set label 11 "p95" at 202.551,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 929.6 956.6 726.4 744.4
set label 12 "p99" at 277.097,0.99 left point ls 4 offset char -4.0,char 1.2 tc rgb "#e7298a" front
# label 13 box 740.4 767.4 457.9 475.9
set label 13 "p50" at 60.9114,0.50 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 14 box 740.7 767.7 684.6 702.6
set label 14 "p95" at 81.6645,0.95 left point ls 5 offset char -4.0,char 0.0 tc rgb "#66a61e" front
# label 15 box 798.7 825.7 704.8 722.8
set label 15 "p99" at 88.8143,0.99 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 16 box 733.3 760.3 479.5 497.5
set label 16 "p50" at 58.2086,0.50 left point ls 6 offset char 1.0,char 1.2 tc rgb "#e6ab02" front
# label 17 box 871.8 898.8 706.2 724.2
set label 17 "p95" at 190.731,0.95 left point ls 6 offset char -4.0,char 1.2 tc rgb "#e6ab02" front
# label 18 box 984.9 1011.9 704.8 722.8
set label 18 "p99" at 296.167,0.99 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front

plot "latency_cdf_sync_w1.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool), 1 worker: p50 58.3, p95 186, p99 254 ms", \
     "latency_cdf_async_blocking_w1.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop), 1 worker: p50 136, p95 150, p99 248 ms", \
     "latency_cdf_async_tothread_w1.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread), 1 worker: p50 51.3, p95 128, p99 268 ms", \
     "latency_cdf_sync_w4.dat" using 1:2 with lines ls 4 title "A: sync (whole handler on the thread pool), 4 workers: p50 58.4, p95 203, p99 277 ms", \
     "latency_cdf_async_blocking_w4.dat" using 1:2 with lines ls 5 title "B: async_blocking (model call on the event loop), 4 workers: p50 60.9, p95 81.7, p99 88.8 ms", \
     "latency_cdf_async_tothread_w4.dat" using 1:2 with lines ls 6 title "C: async_tothread (model call offloaded to a thread), 4 workers: p50 58.2, p95 191, p99 296 ms"
