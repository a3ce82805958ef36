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
# label 1 box 651.6 678.6 437.0 455.0
set label 1 "p50" at 1114.81,0.50 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 2 box 722.0 749.0 680.8 698.8
set label 2 "p95" at 2046.15,0.95 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 3 box 907.6 934.6 702.5 720.5
set label 3 "p99" at 10135,0.99 left point ls 1 offset char 1.0,char 0.0 tc rgb "#1b9e77" front
# label 4 box 556.4 583.4 437.0 455.0
set label 4 "p50" at 490.37,0.50 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 5 box 592.4 619.4 680.8 698.8
set label 5 "p95" at 668.948,0.95 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 6 box 595.1 622.1 702.5 720.5
set label 6 "p99" at 684.643,0.99 left point ls 2 offset char 1.0,char 0.0 tc rgb "#d95f02" front
# label 7 box 599.6 626.6 437.0 455.0
set label 7 "p50" at 1049.59,0.50 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 8 box 673.5 700.5 680.8 698.8
set label 8 "p95" at 1984.17,0.95 left point ls 3 offset char -4.0,char 0.0 tc rgb "#7570b3" front
# label 9 box 827.8 854.8 702.5 720.5
set label 9 "p99" at 5094.84,0.99 left point ls 3 offset char 1.0,char 0.0 tc rgb "#7570b3" front
# label 10 box 473.7 500.7 437.0 455.0
set label 10 "p50" at 240.428,0.50 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 11 box 479.9 506.9 680.8 698.8
set label 11 "p95" at 253.546,0.95 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front
# label 12 box 492.8 519.8 702.5 720.5
set label 12 "p99" at 283.315,0.99 left point ls 4 offset char 1.0,char 0.0 tc rgb "#e7298a" front

plot "latency_cdf_sync.dat" using 1:2 with lines ls 1 title "A: def handler (anyio thread pool): p50 1.11e+03, p95 2.05e+03, p99 1.01e+04 ms", \
     "latency_cdf_async_blocking.dat" using 1:2 with lines ls 2 title "B: async def calling the model: p50 490, p95 669, p99 685 ms", \
     "latency_cdf_async_tothread.dat" using 1:2 with lines ls 3 title "C: async def + anyio.to_thread.run_sync: p50 1.05e+03, p95 1.98e+03, p99 5.09e+03 ms", \
     "latency_cdf_async_toprocess.dat" using 1:2 with lines ls 4 title "D: async def + run_in_executor on a ProcessPoolExecutor (primed at start-up): p50 240, p95 254, p99 283 ms"
