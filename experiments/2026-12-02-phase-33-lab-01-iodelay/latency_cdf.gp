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
set title "Lab 01 stretch: an extra 50 ms I/O wait per request - 100 concurrent, 500 requests, 1 worker, 40 pool threads" noenhanced font ",13"
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
set xrange [1:10000]

# p50, p95 and p99 of each curve
# label 1 box 636.1 663.1 436.3 454.3
set label 1 "p50" at 97.5001,0.50 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 2 box 741.8 768.8 663.0 681.0
set label 2 "p95" at 242.71,0.95 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 3 box 786.3 813.3 704.8 722.8
set label 3 "p99" at 356.077,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 756.6 783.6 457.9 475.9
set label 4 "p50" at 275.729,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 762.2 789.2 684.6 702.6
set label 5 "p95" at 289.393,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 762.8 789.8 726.4 744.4
set label 6 "p99" at 290.974,0.99 left point ls 2 offset char 1.0,char 1.2 tc rgb "#d95f02" front
# label 7 box 589.8 616.8 457.9 475.9
set label 7 "p50" at 96.4365,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 698.2 725.2 663.0 681.0
set label 8 "p95" at 245.717,0.95 left point ls 3 offset char -4.0,char -1.2 tc rgb "#7570b3" front
# label 9 box 735.8 762.8 726.4 744.4
set label 9 "p99" at 339.692,0.99 left point ls 3 offset char -4.0,char 1.2 tc rgb "#7570b3" front
# label 10 box 699.5 726.5 457.9 475.9
set label 10 "p50" at 168.441,0.50 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 673.7 700.7 684.6 702.6
set label 11 "p95" at 198.85,0.95 left point ls 4 offset char -4.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 683.4 710.4 704.8 722.8
set label 12 "p99" at 216.143,0.99 left point ls 4 offset char -4.0,char 0.0 tc rgb "#e7298a" front
# label 13 box 1098.7 1125.7 457.9 475.9
set label 13 "p50" at 5269.43,0.50 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 14 box 1099.5 1126.5 684.6 702.6
set label 14 "p95" at 5304.89,0.95 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 15 box 1099.6 1126.6 704.8 722.8
set label 15 "p99" at 5309,0.99 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 16 box 644.2 671.2 457.9 475.9
set label 16 "p50" at 104.603,0.50 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front
# label 17 box 746.3 773.3 641.4 659.4
set label 17 "p95" at 252.211,0.95 left point ls 6 offset char 1.0,char -2.4 tc rgb "#e6ab02" front
# label 18 box 781.6 808.6 661.6 679.6
set label 18 "p99" at 341.974,0.99 left point ls 6 offset char 1.0,char -2.4 tc rgb "#e6ab02" front

plot "latency_cdf_sync_io0.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool), +0 ms I/O: p50 97.5, p95 243, p99 356 ms", \
     "latency_cdf_async_blocking_io0.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop), +0 ms I/O: p50 276, p95 289, p99 291 ms", \
     "latency_cdf_async_tothread_io0.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread), +0 ms I/O: p50 96.4, p95 246, p99 340 ms", \
     "latency_cdf_sync_io50.dat" using 1:2 with lines ls 4 title "A: sync (whole handler on the thread pool), +50 ms I/O: p50 168, p95 199, p99 216 ms", \
     "latency_cdf_async_blocking_io50.dat" using 1:2 with lines ls 5 title "B: async_blocking (model call on the event loop), +50 ms I/O: p50 5.27e+03, p95 5.3e+03, p99 5.31e+03 ms", \
     "latency_cdf_async_tothread_io50.dat" using 1:2 with lines ls 6 title "C: async_tothread (model call offloaded to a thread), +50 ms I/O: p50 105, p95 252, p99 342 ms"
