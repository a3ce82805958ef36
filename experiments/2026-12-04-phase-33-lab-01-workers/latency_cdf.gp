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
set title "Lab 01 stretch: 1 and 4 workers - 50 concurrent, 2000 requests" noenhanced font ",13"
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
set xrange [0.1:100]

# p50, p95 and p99 of each curve
# label 1 box 736.4 763.4 436.3 454.3
set label 1 "p50" at 5.93823,0.50 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 2 box 816.5 843.5 663.0 681.0
set label 2 "p95" at 9.96896,0.95 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 3 box 854.5 881.5 726.4 744.4
set label 3 "p99" at 12.7488,0.99 left point ls 1 offset char 1.0,char 1.2 tc rgb "#1b9e77" front
# label 4 box 834.6 861.6 457.9 475.9
set label 4 "p50" at 11.2029,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 796.0 823.0 706.2 724.2
set label 5 "p95" at 11.6822,0.95 left point ls 2 offset char -4.0,char 1.2 tc rgb "#d95f02" front
# label 6 box 804.2 831.2 726.4 744.4
set label 6 "p99" at 12.3141,0.99 left point ls 2 offset char -4.0,char 1.2 tc rgb "#d95f02" front
# label 7 box 742.1 769.1 457.9 475.9
set label 7 "p50" at 6.16039,0.50 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 770.3 797.3 663.0 681.0
set label 8 "p95" at 9.89174,0.95 left point ls 3 offset char -4.0,char -1.2 tc rgb "#7570b3" front
# label 9 box 858.7 885.7 704.8 722.8
set label 9 "p99" at 13.0945,0.99 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 10 box 656.1 683.1 457.9 475.9
set label 10 "p50" at 4.72454,0.50 left point ls 4 offset char -4.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 872.1 899.1 663.0 681.0
set label 11 "p95" at 14.2831,0.95 left point ls 4 offset char 1.0,char -1.2 tc rgb "#e7298a" front
# label 12 box 919.6 946.6 683.2 701.2
set label 12 "p99" at 19.4136,0.99 left point ls 4 offset char 1.0,char -1.2 tc rgb "#e7298a" front
# label 13 box 685.2 712.2 436.3 454.3
set label 13 "p50" at 5.70419,0.50 left point ls 5 offset char -4.0,char -1.2 tc rgb "#66a61e" front
# label 14 box 757.1 784.1 684.6 702.6
set label 14 "p95" at 9.08389,0.95 left point ls 5 offset char -4.0,char 0.0 tc rgb "#66a61e" front
# label 15 box 845.2 872.2 748.0 766.0
set label 15 "p99" at 11.9998,0.99 left point ls 5 offset char 1.0,char 2.4 tc rgb "#66a61e" front
# label 16 box 656.1 683.1 436.3 454.3
set label 16 "p50" at 4.72469,0.50 left point ls 6 offset char -4.0,char -1.2 tc rgb "#e6ab02" front
# label 17 box 879.1 906.1 684.6 702.6
set label 17 "p95" at 14.9454,0.95 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front
# label 18 box 934.5 961.5 704.8 722.8
set label 18 "p99" at 21.3884,0.99 left point ls 6 offset char 1.0,char 0.0 tc rgb "#e6ab02" front

plot "latency_cdf_sync_w1.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool), 1 worker: p50 5.94, p95 9.97, p99 12.7 ms", \
     "latency_cdf_async_blocking_w1.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop), 1 worker: p50 11.2, p95 11.7, p99 12.3 ms", \
     "latency_cdf_async_tothread_w1.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread), 1 worker: p50 6.16, p95 9.89, p99 13.1 ms", \
     "latency_cdf_sync_w4.dat" using 1:2 with lines ls 4 title "A: sync (whole handler on the thread pool), 4 workers: p50 4.72, p95 14.3, p99 19.4 ms", \
     "latency_cdf_async_blocking_w4.dat" using 1:2 with lines ls 5 title "B: async_blocking (model call on the event loop), 4 workers: p50 5.7, p95 9.08, p99 12 ms", \
     "latency_cdf_async_tothread_w4.dat" using 1:2 with lines ls 6 title "C: async_tothread (model call offloaded to a thread), 4 workers: p50 4.72, p95 14.9, p99 21.4 ms"
