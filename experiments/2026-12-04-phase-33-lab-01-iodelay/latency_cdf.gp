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
set title "Lab 01 stretch: an extra 50 ms I/O wait per request - 100 concurrent, 2000 requests, 1 worker, 40 pool threads" noenhanced font ",13"
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
set xrange [1:100000]

# p50, p95 and p99 of each curve
# label 1 box 342.0 369.0 457.9 475.9
set label 1 "p50" at 12.8651,0.50 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 336.4 363.4 684.6 702.6
set label 2 "p95" at 19.6697,0.95 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 362.0 389.0 704.8 722.8
set label 3 "p99" at 25.9445,0.99 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 400.9 427.9 457.9 475.9
set label 4 "p50" at 24.2821,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 403.2 430.2 684.6 702.6
set label 5 "p95" at 24.9034,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 419.4 446.4 704.8 722.8
set label 6 "p99" at 29.6573,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 292.0 319.0 457.9 475.9
set label 7 "p50" at 12.1949,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 387.6 414.6 663.0 681.0
set label 8 "p95" at 21.04,0.95 left point ls 3 offset char 1.0,char -1.2 tc rgb "#7570b3" front
# label 9 box 436.2 463.2 683.2 701.2
set label 9 "p99" at 57.6896,0.99 left point ls 3 offset char -4.0,char -1.2 tc rgb "#7570b3" front
# label 10 box 540.6 567.6 457.9 475.9
set label 10 "p50" at 109.476,0.50 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 569.0 596.0 684.6 702.6
set label 11 "p95" at 148.74,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 571.3 598.3 704.8 722.8
set label 12 "p99" at 152.387,0.99 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 13 box 895.0 922.0 457.9 475.9
set label 13 "p50" at 4994.57,0.50 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 14 box 896.1 923.1 684.6 702.6
set label 14 "p95" at 5051.57,0.95 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 15 box 905.8 932.8 704.8 722.8
set label 15 "p99" at 5613.77,0.99 left point ls 5 offset char 1.0,char 0.0 tc rgb "#66a61e" front
# label 16 box 490.3 517.3 457.9 475.9
set label 16 "p50" at 63.6405,0.50 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front
# label 17 box 504.0 531.0 684.6 702.6
set label 17 "p95" at 73.7485,0.95 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front
# label 18 box 509.8 536.8 704.8 722.8
set label 18 "p99" at 78.5559,0.99 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front

plot "latency_cdf_sync_io0.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool), +0 ms I/O: p50 12.9, p95 19.7, p99 25.9 ms", \
     "latency_cdf_async_blocking_io0.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop), +0 ms I/O: p50 24.3, p95 24.9, p99 29.7 ms", \
     "latency_cdf_async_tothread_io0.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread), +0 ms I/O: p50 12.2, p95 21, p99 57.7 ms", \
     "latency_cdf_sync_io50.dat" using 1:2 with lines ls 4 title "A: sync (whole handler on the thread pool), +50 ms I/O: p50 109, p95 149, p99 152 ms", \
     "latency_cdf_async_blocking_io50.dat" using 1:2 with lines ls 5 title "B: async_blocking (model call on the event loop), +50 ms I/O: p50 4.99e+03, p95 5.05e+03, p99 5.61e+03 ms", \
     "latency_cdf_async_tothread_io50.dat" using 1:2 with lines ls 6 title "C: async_tothread (model call offloaded to a thread), +50 ms I/O: p50 63.6, p95 73.7, p99 78.6 ms"
