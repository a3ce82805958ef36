/* ab_report.c - `harness load --format ab`: the load's results in the
 * layout and with the field names of ApacheBench's report, so a reader of
 * seed 004 can set our numbers beside its ab output line by line. Each
 * figure is computed as ab computes it (ab.c's output_results), from the
 * harness's own measurements; where ab measures something the harness
 * does not, the line says so instead of inventing it. */
#include "cli/cli.h"

#include "load/load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ab's percentages, and its way of picking them: the request at index
 * done * p / 100 of the times sorted, rounded to whole ms. */
static const int percs[] = {50, 66, 75, 80, 90, 95, 98, 99, 100};

void hs_print_ab(FILE *f, const char *url, long concurrency, const hs_load_result *r) {
    char host[256] = "?", path[1024] = "/";
    int port = 80;
    const char *h = strncmp(url, "http://", 7) ? url : url + 7;
    size_t hl = strcspn(h, ":/");
    snprintf(host, sizeof host, "%.*s", (int)hl, h);
    if (h[hl] == ':') port = atoi(h + hl + 1);
    const char *slash = strchr(h, '/');
    if (slash) snprintf(path, sizeof path, "%s", slash);
    size_t failed = r->errors.connect + r->errors.io + r->errors.timeout + r->errors.other;
    double t = r->wall_s > 0 ? r->wall_s : NAN, done = (double)r->n;

    fprintf(f, "Server Hostname:        %s\n", host);
    fprintf(f, "Server Port:            %d\n\n", port);
    fprintf(f, "Document Path:          %s\n", path);
    fprintf(f, "Document Length:        Variable\n\n"); /* as ab -l: lengths not compared */
    fprintf(f, "Concurrency Level:      %ld\n", concurrency);
    fprintf(f, "Time taken for tests:   %.3f seconds\n", t);
    fprintf(f, "Complete requests:      %zu\n", r->n);
    fprintf(f, "Failed requests:        %zu\n", failed);
    fprintf(f, "   (Connect: %zu, Receive: %zu, Length: 0, Exceptions: %zu)\n",
            r->errors.connect, r->errors.io, r->errors.timeout + r->errors.other);
    if (r->errors.http) fprintf(f, "Non-2xx responses:      %zu\n", r->errors.http);
    fprintf(f, "Total transferred:      %zu bytes\n", r->bytes_read);
    fprintf(f, "HTML transferred:       %zu bytes\n", r->body_bytes);
    fprintf(f, "Requests per second:    %.2f [#/sec] (mean)\n", done / t);
    fprintf(f, "Time per request:       %.3f [ms] (mean)\n", (double)concurrency * t * 1000 / done);
    fprintf(f, "Time per request:       %.3f [ms] (mean, across all concurrent requests)\n",
            t * 1000 / done);
    fprintf(f, "Transfer rate:          %.2f [Kbytes/sec] received\n",
            (double)r->bytes_read / 1024 / t);
    double *sorted = hs_sorted_latencies(r->samples, r->n);
    if (sorted) {
        fprintf(f, "\nPercentage of the requests served within a certain time (ms)\n");
        for (size_t i = 0; i < sizeof percs / sizeof percs[0]; i++) {
            size_t k = percs[i] >= 100 ? r->n - 1 : r->n * (size_t)percs[i] / 100;
            long ms = lround(sorted[k] * 1e3);
            if (percs[i] >= 100) fprintf(f, " 100%%  %5ld (longest request)\n", ms);
            else fprintf(f, "  %d%%  %5ld\n", percs[i], ms);
        }
        free(sorted);
    }
    /* What ab would have counted differently: said, not guessed. */
    fprintf(f, "\nFrom the harness's classes: Connect = connect (%zu), Receive = read/write "
               "(%zu), Exceptions = timeout (%zu) + other (%zu); Length is not checked, as "
               "with ab -l. ab counts a connection reset while it waits both as a Receive "
               "and as an Exception, so its Failed requests can be twice the connections "
               "that failed; the harness counts each request once. ab has no timeout class "
               "(it stops the run after 30 s without progress); a request answered with a "
               "status other than 2xx is not failed in either.\n",
            r->errors.connect, r->errors.io, r->errors.timeout, r->errors.other);
}
