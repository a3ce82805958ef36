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
# label 1 box 300.0 327.0 415.4 433.4
set label 1 "p50" at 5.37492,0.50 left point ls 1 offset char 1.0,char -1.2 tc rgb "#1b9e77" front
# label 2 box 372.2 399.2 680.8 698.8
set label 2 "p95" at 10.0198,0.95 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 909.4 936.4 702.5 720.5
set label 3 "p99" at 1029.53,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 256.5 283.5 415.4 433.4
set label 4 "p50" at 5.44344,0.50 left point ls 2 offset char -4.0,char -1.2 tc rgb "#d95f02" front
# label 5 box 356.2 383.2 659.2 677.2
set label 5 "p95" at 8.72404,0.95 left point ls 2 offset char 1.0,char -1.2 tc rgb "#d95f02" front
# label 6 box 373.2 400.2 702.5 720.5
set label 6 "p99" at 10.1012,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 308.2 335.2 437.0 455.0
set label 7 "p50" at 5.76682,0.50 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 306.3 333.3 680.8 698.8
set label 8 "p95" at 8.36513,0.95 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 864.0 891.0 702.5 720.5
set label 9 "p99" at 1025.96,0.99 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 10 box 245.4 272.4 437.0 455.0
set label 10 "p50" at 4.94953,0.50 left point ls 4 offset char -4.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 308.9 335.9 659.2 677.2
set label 11 "p95" at 8.55565,0.95 left point ls 4 offset char -4.0,char -1.2 tc rgb "#e7298a" front
# label 12 box 909.6 936.6 680.9 698.9
set label 12 "p99" at 1031.31,0.99 left point ls 4 offset char 1.0,char -1.2 tc rgb "#e7298a" front

plot "latency_cdf_c_blocking.dat" using 1:2 with lines ls 1 title "C, blocking: accept, read once, answer, close, one at a time (sockserve blocking): p50 5.37, p95 10, p99 1.03e+03 ms", \
     "latency_cdf_c_loop.dat" using 1:2 with lines ls 2 title "C, libuv event loop: every connection open at once (sockserve loop): p50 5.44, p95 8.72, p99 10.1 ms", \
     "latency_cdf_py_sync.dat" using 1:2 with lines ls 3 title "the seed's server_sync.py: the same, in Python: p50 5.77, p95 8.37, p99 1.03e+03 ms", \
     "latency_cdf_py_async.dat" using 1:2 with lines ls 4 title "the seed's server_async.py: asyncio, a task per connection: p50 4.95, p95 8.56, p99 1.03e+03 ms"
