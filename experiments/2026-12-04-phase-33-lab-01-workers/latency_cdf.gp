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
set title "Lab 01 stretch: 1 and 4 workers - 50 concurrent, 5000 requests" noenhanced font ",13"
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
# label 1 box 756.2 783.2 457.9 475.9
set label 1 "p50" at 6.7496,0.50 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 792.6 819.6 684.6 702.6
set label 2 "p95" at 11.4222,0.95 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 882.1 909.1 726.4 744.4
set label 3 "p99" at 15.2333,0.99 left point ls 1 offset char 1.0,char 1.2 tc rgb "#1b9e77" front
# label 4 box 839.6 866.6 457.9 475.9
set label 4 "p50" at 11.5765,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 859.7 886.7 663.0 681.0
set label 5 "p95" at 13.183,0.95 left point ls 2 offset char 1.0,char -1.2 tc rgb "#d95f02" front
# label 6 box 830.5 857.5 704.8 722.8
set label 6 "p99" at 14.5993,0.99 left point ls 2 offset char -4.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 751.8 778.8 436.3 454.3
set label 7 "p50" at 6.56088,0.50 left point ls 3 offset char 1.0,char -1.2 tc rgb "#7570b3" front
# label 8 box 796.1 823.1 663.0 681.0
set label 8 "p95" at 11.6855,0.95 left point ls 3 offset char -4.0,char -1.2 tc rgb "#7570b3" front
# label 9 box 843.5 870.5 726.4 744.4
set label 9 "p99" at 15.8762,0.99 left point ls 3 offset char -4.0,char 1.2 tc rgb "#7570b3" front
# label 10 box 689.6 716.6 436.3 454.3
set label 10 "p50" at 5.8704,0.50 left point ls 4 offset char -4.0,char -1.2 tc rgb "#e7298a" front
# label 11 box 905.3 932.3 684.6 702.6
set label 11 "p95" at 17.7065,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 954.1 981.1 704.8 722.8
set label 12 "p99" at 24.2743,0.99 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 13 box 741.7 768.7 479.5 497.5
set label 13 "p50" at 6.1452,0.50 left point ls 5 offset char 1.0,char 1.2 tc rgb "#66a61e" front
# label 14 box 861.1 888.1 641.4 659.4
set label 14 "p95" at 13.3035,0.95 left point ls 5 offset char 1.0,char -2.4 tc rgb "#66a61e" front
# label 15 box 901.4 928.4 661.6 679.6
set label 15 "p99" at 17.2611,0.99 left point ls 5 offset char 1.0,char -2.4 tc rgb "#66a61e" front
# label 16 box 686.3 713.3 457.9 475.9
set label 16 "p50" at 5.74532,0.50 left point ls 6 offset char -4.0,char 0.0 tc rgb "#e6ab02" front
# label 17 box 879.9 906.9 619.8 637.8
set label 17 "p95" at 15.021,0.95 left point ls 6 offset char 1.0,char -3.6 tc rgb "#e6ab02" front
# label 18 box 935.0 962.0 683.2 701.2
set label 18 "p99" at 21.4519,0.99 left point ls 6 offset char 1.0,char -1.2 tc rgb "#e6ab02" front

plot "latency_cdf_sync_w1.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool), 1 worker: p50 6.75, p95 11.4, p99 15.2 ms", \
     "latency_cdf_async_blocking_w1.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop), 1 worker: p50 11.6, p95 13.2, p99 14.6 ms", \
     "latency_cdf_async_tothread_w1.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread), 1 worker: p50 6.56, p95 11.7, p99 15.9 ms", \
     "latency_cdf_sync_w4.dat" using 1:2 with lines ls 4 title "A: sync (whole handler on the thread pool), 4 workers: p50 5.87, p95 17.7, p99 24.3 ms", \
     "latency_cdf_async_blocking_w4.dat" using 1:2 with lines ls 5 title "B: async_blocking (model call on the event loop), 4 workers: p50 6.15, p95 13.3, p99 17.3 ms", \
     "latency_cdf_async_tothread_w4.dat" using 1:2 with lines ls 6 title "C: async_tothread (model call offloaded to a thread), 4 workers: p50 5.75, p95 15, p99 21.5 ms"
