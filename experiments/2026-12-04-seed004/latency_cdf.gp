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
set title "Seed 004 (\"Async 101\"): a blocking socket server vs an asyncio one, 150 clients - 150 concurrent, 1000 requests" noenhanced font ",13"
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
set lmargin at screen 0.080
set rmargin at screen 0.970
set tmargin at screen 0.930
set bmargin at screen 0.169
set xrange [1:10000]

# p50, p95 and p99 of each curve
# label 1 box 266.8 293.8 416.0 434.0
set label 1 "p50" at 5.95272,0.50 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 292.9 319.9 677.0 695.0
set label 2 "p95" at 7.45411,0.95 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 906.4 933.4 700.2 718.2
set label 3 "p99" at 1003.81,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 335.6 362.6 416.0 434.0
set label 4 "p50" at 7.30356,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 368.3 395.3 677.0 695.0
set label 5 "p95" at 9.68183,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 375.2 402.2 700.2 718.2
set label 6 "p99" at 10.2838,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front

plot "latency_cdf_sync.dat" using 1:2 with lines ls 1 title "server_sync.py: accept, recv, send, close, one at a time: p50 5.95, p95 7.45, p99 1e+03 ms", \
     "latency_cdf_async.dat" using 1:2 with lines ls 2 title "server_async.py: asyncio sock_accept, a task per connection: p50 7.3, p95 9.68, p99 10.3 ms"
