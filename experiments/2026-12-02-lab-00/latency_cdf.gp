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
set title "Lab 00: seed 004's blocking and event-loop socket servers, in C and in the seed's Python, 150 clients - 150 concurrent, 1000 requests" noenhanced font ",13"
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
set xrange [1:10000]

# p50, p95 and p99 of each curve
# label 1 box 289.8 316.8 415.4 433.4
set label 1 "p50" at 4.92353,0.50 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 2 box 320.3 347.3 659.2 677.2
set label 2 "p95" at 6.40132,0.95 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 3 box 862.4 889.4 702.5 720.5
set label 3 "p99" at 1012.13,0.99 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 227.7 254.7 415.4 433.4
set label 4 "p50" at 4.24741,0.50 left point ls 2 offset char -4.0,char -1.2 tc rgb "#d95f02" front
# label 5 box 280.8 307.8 659.2 677.2
set label 5 "p95" at 6.71409,0.95 left point ls 2 offset char -4.0,char -1.2 tc rgb "#d95f02" front
# label 6 box 342.3 369.3 702.5 720.5
set label 6 "p99" at 7.74373,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 221.5 248.5 437.0 455.0
set label 7 "p50" at 4.02513,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 266.5 293.5 680.8 698.8
set label 8 "p95" at 5.93462,0.95 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 908.8 935.8 702.5 720.5
set label 9 "p99" at 1024.41,0.99 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 10 box 296.5 323.5 437.0 455.0
set label 10 "p50" at 5.21579,0.50 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 353.2 380.2 680.8 698.8
set label 11 "p95" at 8.50378,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 908.3 935.3 680.9 698.9
set label 12 "p99" at 1019.8,0.99 left point ls 4 offset char 1.0,char -1.2 tc rgb "#e7298a" front

plot "latency_cdf_c_blocking.dat" using 1:2 with lines ls 1 title "C, blocking: accept, read once, answer, close, one at a time (sockserve blocking): p50 4.92, p95 6.4, p99 1.01e+03 ms", \
     "latency_cdf_c_loop.dat" using 1:2 with lines ls 2 title "C, libuv event loop: every connection open at once (sockserve loop): p50 4.25, p95 6.71, p99 7.74 ms", \
     "latency_cdf_py_sync.dat" using 1:2 with lines ls 3 title "the seed's server_sync.py: the same, in Python: p50 4.03, p95 5.93, p99 1.02e+03 ms", \
     "latency_cdf_py_async.dat" using 1:2 with lines ls 4 title "the seed's server_async.py: asyncio, a task per connection: p50 5.22, p95 8.5, p99 1.02e+03 ms"
