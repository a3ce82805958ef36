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
set title "Lab 01 on the course's Python service (FastAPI, uvicorn, NumPy) - 50 concurrent, 500 requests, 1 worker" noenhanced font ",13"
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
set xrange [10:100000]

# p50, p95 and p99 of each curve
# label 1 box 636.8 663.8 437.0 455.0
set label 1 "p50" at 981.28,0.50 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 647.3 674.3 680.8 698.8
set label 2 "p95" at 1583.66,0.95 left point ls 1 offset char -4.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 835.9 862.9 702.5 720.5
set label 3 "p99" at 5463.6,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 538.3 565.3 437.0 455.0
set label 4 "p50" at 419.44,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 555.1 582.1 680.8 698.8
set label 5 "p95" at 485.231,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 556.8 583.8 702.5 720.5
set label 6 "p99" at 492.087,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 586.0 613.0 437.0 455.0
set label 7 "p50" at 933.603,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 701.2 728.2 680.8 698.8
set label 8 "p95" at 1709.78,0.95 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 773.0 800.0 702.5 720.5
set label 9 "p99" at 4681.39,0.99 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 10 box 462.1 489.1 437.0 455.0
set label 10 "p50" at 217.549,0.50 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 467.0 494.0 680.8 698.8
set label 11 "p95" at 226.912,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 478.6 505.6 702.5 720.5
set label 12 "p99" at 250.804,0.99 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front

plot "latency_cdf_sync.dat" using 1:2 with lines ls 1 title "A: def handler (anyio thread pool): p50 981, p95 1.58e+03, p99 5.46e+03 ms", \
     "latency_cdf_async_blocking.dat" using 1:2 with lines ls 2 title "B: async def calling the model: p50 419, p95 485, p99 492 ms", \
     "latency_cdf_async_tothread.dat" using 1:2 with lines ls 3 title "C: async def + anyio.to_thread.run_sync: p50 934, p95 1.71e+03, p99 4.68e+03 ms", \
     "latency_cdf_async_toprocess.dat" using 1:2 with lines ls 4 title "D: async def + run_in_executor on a ProcessPoolExecutor (primed at start-up): p50 218, p95 227, p99 251 ms"
