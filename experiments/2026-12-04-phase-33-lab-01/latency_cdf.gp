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
set title "Lab 01: sync vs async, the blocking-handler pitfall - 50 concurrent, 5000 requests, 1 worker, 40 pool threads" noenhanced font ",13"
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
set xrange [0.1:100]

# p50, p95 and p99 of each curve
# label 1 box 745.7 772.7 426.5 444.5
set label 1 "p50" at 6.30431,0.50 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 822.5 849.5 657.3 675.3
set label 2 "p95" at 10.3635,0.95 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 3 box 860.2 887.2 701.3 719.3
set label 3 "p99" at 13.2194,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 830.2 857.2 426.5 444.5
set label 4 "p50" at 10.8922,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 836.6 863.6 678.9 696.9
set label 5 "p95" at 11.3536,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 793.8 820.8 701.3 719.3
set label 6 "p99" at 11.5157,0.99 left point ls 2 offset char -4.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 696.6 723.6 426.5 444.5
set label 7 "p50" at 6.14197,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 768.7 795.7 678.9 696.9
set label 8 "p95" at 9.79191,0.95 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 857.1 884.1 722.9 740.9
set label 9 "p99" at 12.9634,0.99 left point ls 3 offset char 1.0,char 1.2 tc rgb "#7570b3" front

plot "latency_cdf_sync.dat" using 1:2 with lines ls 1 title "A: sync (whole handler on the thread pool): p50 6.3, p95 10.4, p99 13.2 ms", \
     "latency_cdf_async_blocking.dat" using 1:2 with lines ls 2 title "B: async_blocking (model call on the event loop): p50 10.9, p95 11.4, p99 11.5 ms", \
     "latency_cdf_async_tothread.dat" using 1:2 with lines ls 3 title "C: async_tothread (model call offloaded to a thread): p50 6.14, p95 9.79, p99 13 ms"
