/* run.c - `harness run`: for each variant, spawn the server, warm it up,
 * note its memory and which processes serve it, load it, record the
 * latencies, collect its event-loop block reports and stop it; then
 * report, plot and write the manifest. Everything runs on the main thread;
 * SIGINT/SIGTERM only set hs_stop, and the loops below notice it. */
#include "run/run.h"

#include "load/load.h"
#include "evidence/evidence.h"
#include "facts/facts.h"
#include "report/report.h"
#include "common/files.h"
#include "manifest.h"
#include "minigpt.h"
#include "plots.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define START_TIMEOUT_S 30.0
#define STOP_GRACE_S 10.0

typedef struct {
    const hs_variant_def *def;
    char *argv[HS_MAX_ARGS];      /* expanded command, owned */
    int port;                     /* the {port} chosen, 0: it prints its own */
    long server_pid;              /* the process the harness started */
    char start_time[40], end_time[40];
    hs_load_result load;
    size_t warmup_failed;
    hs_rss rss;                   /* server processes after warm-up */
    int have_rss;
    double *sorted_s;
    hs_summary summary;
    int measured;                 /* the load ran (maybe cut short) */
    char problem[8192];           /* what went wrong, or "" */
    char exit_desc[128];          /* how the server ended */
    int killed;
    char *health;                 /* /healthz body */
    long pids[HS_MAX_PIDS];       /* distinct pids answering /healthz */
    int n_pids, pid_probes;       /* after warm-up, over fresh connections */
    hs_blocks blocks;             /* its servers' /debug/blocks, after the load */
    int have_blocks;
    const char *blocks_note;      /* why there are none, when there are none */
    hs_evidence evidence;         /* around the recorded phase */
    int have_evidence;
    hs_probe probe_idle, probe_loaded; /* the bystander probe, before and during */
    hs_capacity capacity;         /* open loop: S and a burst, before the load */
    int have_capacity;
    int have_probe_idle, have_probe_loaded;
} variant_run;

/* Idle-server probes taken for the baseline: at least this many, at least
 * this many a second. */
#define PROBE_IDLE_MIN 10
/* and for at most this long, each probe too: an idle server that takes
 * longer to answer its health path has no baseline to give. */
#define PROBE_IDLE_DEADLINE_S 2.0

static void on_signal(int sig) {
    (void)sig;
    hs_stop = 1;
}

void hs_run_catch_signals(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static hs_placeholders placeholders(const hs_lab *lab, const hs_paths *p, int port) {
    return (hs_placeholders){p->bin_dir, p->source_dir, p->weights, lab->load.workers, port,
                             lab->load.threads, lab->load.io_delay_ms,
                             lab->load.detect_blocking_ms};
}

/* POST bodies: the prompts as {"sentence", "learner_id"}, in file order, or
 * shuffled by seed (Fisher-Yates on splitmix64) when seed is not 0. */
static int build_bodies(const hs_lab *lab, const hs_paths *p, char ***out,
                        size_t *n, char *err, size_t err_size) {
    char path[1024];
    hs_placeholders ph = placeholders(lab, p, 0);
    *out = NULL, *n = 0;
    if (strcmp(lab->method, "POST")) return 0;
    if (hs_expand(lab->payloads, &ph, path, sizeof path)) {
        snprintf(err, err_size, "payloads path \"%s\" has an unknown placeholder", lab->payloads);
        return -1;
    }
    gpt_prompt *prompts;
    size_t count;
    if (gpt_prompts_load(path, &prompts, &count, err, err_size)) return -1;
    char **bodies = calloc(count, sizeof *bodies);
    int ok = bodies != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "sentence", prompts[i].sentence);
        cJSON_AddStringToObject(o, "learner_id", prompts[i].learner_id);
        bodies[i] = cJSON_PrintUnformatted(o);
        ok = bodies[i] != NULL;
        cJSON_Delete(o);
    }
    free(prompts);
    if (!ok) {
        for (size_t i = 0; bodies && i < count; i++) cJSON_free(bodies[i]);
        free(bodies);
        snprintf(err, err_size, "out of memory building request bodies");
        return -1;
    }
    uint64_t x = (uint64_t)lab->load.seed;
    for (size_t i = count; lab->load.seed && i > 1; i--) {
        uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        size_t j = (size_t)((z ^ (z >> 31)) % i);
        char *t = bodies[i - 1];
        bodies[i - 1] = bodies[j], bodies[j] = t;
    }
    *out = bodies, *n = count;
    return 0;
}

/* Whether the variant's servers run the block detector: its command takes
 * the lab's threshold. */
static int detects_blocking(const hs_variant_def *d) {
    for (int a = 0; a < d->argc; a++)
        if (strstr(d->argv[a], "{detect_blocking_ms}")) return 1;
    return 0;
}

/* The worker processes a server says it runs ("workers" in its health
 * answer), or 0 when it does not say. */
static int reported_workers(const char *health) {
    cJSON *h = health ? cJSON_Parse(health) : NULL;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(h, "workers");
    int n = cJSON_IsNumber(w) && w->valuedouble >= 1 && w->valuedouble <= HS_MAX_WORKERS
                ? (int)w->valuedouble
                : 0;
    cJSON_Delete(h);
    return n;
}

/* Spawn -> wait healthy -> warm up -> load -> blocks -> stop, for one
 * variant. */
static void measure_variant(const hs_lab *lab, const char *dir, variant_run *vr,
                            char *const *bodies, size_t n_bodies, const hs_cpus *cpus) {
    char log_path[4352], url[512], err[4096];
    snprintf(log_path, sizeof log_path, "%s/server_%s.log", dir, vr->def->name);
    hs_server srv;
    fprintf(stderr, "%s: starting", vr->def->name);
    for (int i = 0; vr->argv[i]; i++) fprintf(stderr, " %s", vr->argv[i]);
    fprintf(stderr, "\n");
    if (hs_server_start(vr->argv, vr->port, log_path, START_TIMEOUT_S, &srv, err,
                        sizeof err)) {
        snprintf(vr->problem, sizeof vr->problem, "server did not start: %s", err);
        fprintf(stderr, "%s: %s\n", vr->def->name, vr->problem);
        return;
    }
    vr->server_pid = srv.pid;
    if (hs_server_wait_healthy(&srv, lab->health, START_TIMEOUT_S, &vr->health, err,
                               sizeof err)) {
        char tail[2048];
        hs_server_stop(&srv, STOP_GRACE_S);
        hs_log_tail(log_path, 10, tail, sizeof tail);
        snprintf(vr->problem, sizeof vr->problem, "server never became healthy: %s\n"
                 "--- last lines of server_%s.log ---\n%s", err, vr->def->name,
                 tail[0] ? tail : "(empty)");
        fprintf(stderr, "%s: %s\n", vr->def->name, vr->problem);
        return;
    }
    snprintf(url, sizeof url, "%s%s", srv.base_url, lab->path);
    hs_load_config cfg = {url, lab->method, bodies, n_bodies, lab->load.concurrency,
                          lab->load.warmup, lab->load.timeout_s, NULL, srv.pid, 0, NULL, NULL,
                          0, HS_ARRIVALS_UNIFORM, 0, 0, (int)lab->load.loadgen_threads};
    if (lab->load.warmup > 0 && !hs_stop) {
        hs_load_result warm;
        fprintf(stderr, "%s: warming up with %ld requests (not recorded)\n", vr->def->name,
                lab->load.warmup);
        if (hs_load_run(&cfg, &warm) == 0) {
            for (size_t i = 0; i < warm.n; i++) vr->warmup_failed += warm.samples[i].status != 200;
            free(warm.samples);
        }
    }
    /* After warm-up, each worker has loaded its model and touched its
     * buffers: what it holds now is what it costs. */
    vr->have_rss = hs_rss_tree(srv.pid, &vr->rss) == 0;
    /* And which of them serve: stop once as many answered as the server
     * says it has workers (its health answer's "workers"), else as the
     * lab's {workers} gave it; otherwise ask a fixed number of times. */
    int expect = reported_workers(vr->health);
    if (expect <= 0) expect = hs_lab_lacking(lab, "{workers}", NULL, 0) ? 0 : (int)lab->load.workers;
    int tries = expect * 64 > 32 ? expect * 64 : 32;
    int got = hs_serving_pids(srv.base_url, lab->health, expect, tries, vr->pids, HS_MAX_PIDS,
                              &vr->pid_probes);
    vr->n_pids = got > 0 ? got : 0;
    if (expect > 1 && got >= 0 && got < expect)
        fprintf(stderr, "%s: only %d of %d workers answered %s over %d fresh connections\n",
                vr->def->name, got, expect, lab->health, vr->pid_probes);
    /* The bystander probe on the idle server: the baseline its numbers
     * under load are read against. */
    double rate = lab->load.no_evidence ? 0 : lab->load.probe_rate;
    char probe_url[512];
    snprintf(probe_url, sizeof probe_url, "%s%s", srv.base_url, lab->health);
    hs_probe_config pcfg = {probe_url, rate, lab->load.timeout_s};
    if (rate > 0 && !hs_stop) {
        /* A second's worth at the probe's rate, never fewer than
         * PROBE_IDLE_MIN, and never slower than that many a second: on an
         * idle server the rate does not change what a probe waits. */
        hs_probe_config idle = pcfg;
        if (idle.rate < PROBE_IDLE_MIN) idle.rate = PROBE_IDLE_MIN;
        if (idle.timeout_s > PROBE_IDLE_DEADLINE_S) idle.timeout_s = PROBE_IDLE_DEADLINE_S;
        size_t n = (size_t)idle.rate;
        vr->have_probe_idle =
            hs_probe_run(&vr->probe_idle, &idle, n, PROBE_IDLE_DEADLINE_S) == 0;
    }
    /* An open loop's prediction: what this server can serve, measured on
     * it now, before its load (capacity.c). */
    if (lab->load.rate > 0 && !lab->load.no_evidence && !hs_stop) {
        hs_capacity *c = &vr->capacity;
        hs_capacity_measure(&cfg, srv.pid, cpus, c);
        vr->have_capacity = 1;
        if (!c->measured)
            fprintf(stderr, "%s: capacity not measured: %s\n", vr->def->name, c->why);
        else if (!(c->predicted_rps > 0))
            fprintf(stderr, "%s: S = %.2f ms; no capacity predicted: %s\n", vr->def->name,
                    c->service_s * 1e3, c->why);
        else
            fprintf(stderr, "%s: S = %.2f ms, %d clients kept %.2f cores busy: predicted "
                    "capacity %.0f/s, %.0f/s offered\n", vr->def->name, c->service_s * 1e3,
                    c->burst_clients, c->burst_cores, c->predicted_rps, lab->load.rate);
    }
    if (!hs_stop) {
        cfg.total = lab->load.total;
        cfg.label = vr->def->name;
        /* the recorded load: an open loop when the lab gives a rate */
        cfg.rate = lab->load.rate;
        cfg.arrivals = lab->load.poisson ? HS_ARRIVALS_POISSON : HS_ARRIVALS_UNIFORM;
        cfg.seed = (uint64_t)lab->load.seed;
        cfg.max_in_flight = lab->load.max_in_flight;
        if (!lab->load.no_evidence) {
            cfg.record_phases = 1;
            cfg.on_end = hs_evidence_end;
            cfg.end_arg = &vr->evidence;
        }
        if (rate > 0) {
            int prc = hs_probe_start(&vr->probe_loaded, &pcfg);
            vr->have_probe_loaded = prc == 0;
            if (prc) fprintf(stderr, "%s: the probe did not start: %s\n", vr->def->name,
                             strerror(-prc));
        }
        manifest_now_iso8601(vr->start_time, sizeof vr->start_time);
        if (!lab->load.no_evidence) hs_evidence_begin(&vr->evidence, srv.pid, cpus);
        int rc = hs_load_run(&cfg, &vr->load);
        if (!lab->load.no_evidence) {
            hs_evidence_end(&vr->evidence);
            vr->have_evidence = rc == 0;
        }
        hs_probe_stop(&vr->probe_loaded);
        manifest_now_iso8601(vr->end_time, sizeof vr->end_time);
        if (rc) snprintf(vr->problem, sizeof vr->problem, "load generator failed: %s",
                         strerror(-rc));
        else vr->measured = 1;
    }
    int exited_during = vr->load.server_exited;
    vr->blocks_note = !detects_blocking(vr->def) ? "its command has no {detect_blocking_ms}"
                      : !vr->measured           ? "not asked: the load did not run"
                      : exited_during           ? "not asked: the server exited during the load"
                      : hs_stop                 ? "not asked: the run was interrupted"
                                                : NULL;
    if (!vr->blocks_note) {
        int rc = hs_blocks_collect(srv.base_url, dir, vr->def->name, vr->n_pids, &vr->blocks);
        vr->have_blocks = rc == 0;
        vr->blocks_note = rc == 1 ? "no worker answered GET /debug/blocks"
                          : rc < 0 ? "the block reports could not be saved" : NULL;
        if (rc == 1)
            fprintf(stderr, "%s: no worker answered /debug/blocks\n", vr->def->name);
        else if (rc < 0)
            fprintf(stderr, "%s: blocks_%s.json: %s\n", vr->def->name, vr->def->name,
                    strerror(-rc));
        else
            fprintf(stderr, "%s: event loop blocked %.0f times (%.0f ms), starved %.0f "
                    "times (%.0f ms), at %ld ms\n", vr->def->name, vr->blocks.blocks,
                    vr->blocks.blocks_ms, vr->blocks.starved, vr->blocks.starved_ms,
                    vr->blocks.threshold_ms);
    }
    hs_server_stop(&srv, STOP_GRACE_S);
    vr->killed = srv.killed;
    if (srv.reaped) hs_describe_status(srv.status, vr->exit_desc, sizeof vr->exit_desc);
    if (exited_during) {
        snprintf(vr->problem, sizeof vr->problem,
                 "the server exited during the run (%s); requests after that failed",
                 vr->exit_desc);
        fprintf(stderr, "%s: %s\n", vr->def->name, vr->problem);
    }
}

/* How many distinct processes served, for facts: -1 (not known) when an
 * answer had no "pid", as then two processes cannot be told apart. */
static int serving_count(const variant_run *vr) {
    for (int k = 0; k < vr->n_pids; k++)
        if (vr->pids[k] <= 0) return -1;
    return vr->n_pids;
}

static cJSON *errors_json(const hs_load_errors *e) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "connect", (double)e->connect);
    cJSON_AddNumberToObject(o, "timeout", (double)e->timeout);
    cJSON_AddNumberToObject(o, "read_write", (double)e->io);
    cJSON_AddNumberToObject(o, "other", (double)e->other);
    cJSON_AddNumberToObject(o, "http_not_2xx", (double)e->http);
    return o;
}

static int write_manifest(const char *dir, const hs_lab *lab, const char *lab_file,
                          const hs_paths *p, const hs_run_options *opt, variant_run *runs,
                          int n, size_t n_bodies, const char *created, int complete,
                          const char *reason, const char *plot_title) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "lab", lab->name);
    cJSON_AddStringToObject(m, "lab_file", lab_file);
    cJSON_AddStringToObject(m, "plot_title", plot_title);
    cJSON_AddStringToObject(m, "created", created);
    cJSON_AddBoolToObject(m, "completed", complete);
    if (reason) cJSON_AddStringToObject(m, "incomplete_reason", reason);
    else cJSON_AddNullToObject(m, "incomplete_reason");
    if (opt->sweep_param) {
        cJSON *sp = cJSON_AddObjectToObject(m, "sweep_point");
        cJSON_AddStringToObject(sp, "parameter", opt->sweep_param);
        cJSON_AddNumberToObject(sp, "value", (double)opt->sweep_value);
        cJSON_AddStringToObject(sp, "sweep_manifest", opt->repeat_index > 0
                                                          ? "../../manifest.json"
                                                          : "../manifest.json");
    }
    if (opt->repeat_index > 0) {
        cJSON *rp = cJSON_AddObjectToObject(m, "repeat");
        cJSON_AddNumberToObject(rp, "index", opt->repeat_index);
        cJSON_AddNumberToObject(rp, "of", opt->repeat_of);
        cJSON_AddStringToObject(rp, "repeats_manifest", "../manifest.json");
    }

    cJSON *seeds = cJSON_AddObjectToObject(m, "seeds");
    cJSON_AddNumberToObject(seeds, "payload_order", (double)lab->load.seed);
    cJSON_AddStringToObject(seeds, "payload_order_meaning",
                            "0: prompts in file order; otherwise shuffled with this seed");
    cJSON_AddStringToObject(seeds, "model", "see variants[].healthz.model");

    cJSON *load = cJSON_AddObjectToObject(m, "load");
    hs_load_params_write(&lab->load, load);
    cJSON_AddStringToObject(load, "method", lab->method);
    cJSON_AddStringToObject(load, "path", lab->path);
    cJSON_AddNumberToObject(load, "payloads", (double)n_bodies);
    cJSON_AddStringToObject(load, "percentile_method",
                            "linear interpolation between closest ranks (NumPy default)");

    cJSON_AddItemToObject(m, "versions", manifest_versions());
    cJSON_AddItemToObject(m, "machine", manifest_machine());
    cJSON_AddItemToObject(m, "git", manifest_git(p->source_dir));

    cJSON *vars = cJSON_AddArrayToObject(m, "variants");
    for (int i = 0; i < n; i++) {
        variant_run *vr = &runs[i];
        cJSON *v = cJSON_CreateObject();
        cJSON_AddItemToArray(vars, v);
        cJSON_AddStringToObject(v, "name", vr->def->name);
        cJSON_AddStringToObject(v, "label", vr->def->label);
        cJSON *cmd = cJSON_AddArrayToObject(v, "command");
        for (int a = 0; vr->argv[a]; a++) cJSON_AddItemToArray(cmd, cJSON_CreateString(vr->argv[a]));
        cJSON_AddBoolToObject(v, "measured", vr->measured);
        /* the process started for this run: a fresh one per run */
        if (vr->server_pid > 0) cJSON_AddNumberToObject(v, "server_pid", (double)vr->server_pid);
        else cJSON_AddNullToObject(v, "server_pid");
        if (vr->start_time[0]) {
            cJSON_AddStringToObject(v, "start_time", vr->start_time);
            cJSON_AddStringToObject(v, "end_time", vr->end_time);
        }
        cJSON_AddNumberToObject(v, "wall_s", vr->load.wall_s);
        cJSON_AddNumberToObject(v, "requests", (double)vr->load.n);
        cJSON_AddNumberToObject(v, "throughput_rps", vr->measured && vr->load.n ? vr->summary.rps : 0);
        cJSON_AddNumberToObject(v, "warmup_failed", (double)vr->warmup_failed);
        cJSON *pids = cJSON_AddArrayToObject(v, "serving_pids");
        for (int k = 0; k < vr->n_pids; k++) cJSON_AddItemToArray(pids, cJSON_CreateNumber((double)vr->pids[k]));
        cJSON_AddNumberToObject(v, "serving_pids_probes", vr->pid_probes);
        if (vr->have_rss) {
            cJSON *mem = cJSON_AddObjectToObject(v, "rss_after_warmup");
            cJSON *procs = cJSON_AddArrayToObject(mem, "processes");
            for (int k = 0; k < vr->rss.n; k++) {
                cJSON *p1 = cJSON_CreateObject();
                cJSON_AddNumberToObject(p1, "pid", (double)vr->rss.pid[k]);
                cJSON_AddNumberToObject(p1, "rss_kib", (double)vr->rss.rss_kib[k]);
                cJSON_AddItemToArray(procs, p1);
            }
            cJSON_AddNumberToObject(mem, "total_kib", (double)vr->rss.total_kib);
        } else {
            cJSON_AddNullToObject(v, "rss_after_warmup");
        }
        cJSON_AddItemToObject(v, "errors", errors_json(&vr->load.errors));
        if (vr->have_blocks) {
            const hs_blocks *bk = &vr->blocks;
            cJSON *b = cJSON_AddObjectToObject(v, "event_loop_blocks");
            char name[128];
            snprintf(name, sizeof name, "blocks_%s.json", vr->def->name);
            cJSON_AddStringToObject(b, "file", name);
            cJSON_AddNumberToObject(b, "threshold_ms", (double)bk->threshold_ms);
            cJSON_AddNumberToObject(b, "workers", bk->workers);
            cJSON_AddNumberToObject(b, "blocks", bk->blocks);
            cJSON_AddNumberToObject(b, "blocked_ms", bk->blocks_ms);
            cJSON_AddNumberToObject(b, "longest_ms", bk->longest_ms);
            cJSON_AddNumberToObject(b, "starved", bk->starved);
            cJSON_AddNumberToObject(b, "starved_ms", bk->starved_ms);
            if (bk->top_where[0]) cJSON_AddStringToObject(b, "top_blocked_in", bk->top_where);
            else cJSON_AddNullToObject(b, "top_blocked_in");
        } else {
            cJSON_AddNullToObject(v, "event_loop_blocks");
        }
        if (vr->exit_desc[0]) cJSON_AddStringToObject(v, "server_exit", vr->exit_desc);
        cJSON_AddBoolToObject(v, "server_killed", vr->killed);
        cJSON *health = vr->health ? cJSON_Parse(vr->health) : NULL;
        if (health) cJSON_AddItemToObject(v, "healthz", health);
        else cJSON_AddNullToObject(v, "healthz");
        if (vr->problem[0]) cJSON_AddStringToObject(v, "problem", vr->problem);
        else cJSON_AddNullToObject(v, "problem");
        char name[128];
        snprintf(name, sizeof name, "latencies_%s.json", vr->def->name);
        cJSON_AddStringToObject(v, "latencies_file", name);
        snprintf(name, sizeof name, "server_%s.log", vr->def->name);
        cJSON_AddStringToObject(v, "server_log", name);
    }

    /* The lab as it ran (overrides applied), so `harness check` needs
     * nothing but this folder. */
    char *text = NULL;
    cJSON *def = NULL;
    if (hs_read_file(lab_file, 1 << 20, &text, NULL) == 0) def = cJSON_Parse(text);
    free(text);
    if (def) {
        hs_load_params_write(&lab->load, cJSON_GetObjectItemCaseSensitive(def, "load"));
        cJSON_AddItemToObject(m, "lab_definition", def);
    }

    int rc = hs_json_write(dir, "manifest.json", m);
    cJSON_Delete(m);
    return rc;
}

/* Everything that can be refused before a folder exists: the request
 * bodies, and each variant's command with placeholders filled in and its
 * program there. Returns 0, or -1 with err saying why; release() frees
 * what it made either way. */
static int prepare(const hs_lab *lab, const hs_paths *paths, variant_run *runs,
                   char ***bodies, size_t *n_bodies, char *err, size_t err_size) {
    if (build_bodies(lab, paths, bodies, n_bodies, err, err_size)) return -1;
    for (int i = 0; i < lab->n_variants; i++) {
        runs[i].def = &lab->variants[i];
        /* {port} is chosen now; another process could take it before the
         * server binds, which then shows as a start-up failure. */
        int port = hs_variant_uses_port(runs[i].def) ? hs_free_port() : 0;
        hs_placeholders ph = placeholders(lab, paths, port);
        for (int a = 0; a < runs[i].def->argc; a++) {
            char buf[4096];
            if (hs_expand(runs[i].def->argv[a], &ph, buf, sizeof buf)) {
                snprintf(err, err_size, "variant %s: argument \"%s\" has an unknown placeholder",
                         runs[i].def->name, runs[i].def->argv[a]);
                return -1;
            }
            if (!(runs[i].argv[a] = strdup(buf))) {
                snprintf(err, err_size, "out of memory");
                return -1;
            }
        }
        runs[i].port = port;
        const char *prog = runs[i].argv[0];
        if (strchr(prog, '/') && access(prog, X_OK) != 0) {
            snprintf(err, err_size, "variant %s: server program %s: %s%s", runs[i].def->name,
                     prog, strerror(errno),
                     errno == ENOENT ? " (build it first: scripts/setup.sh)" : "");
            return -1;
        }
    }
    return 0;
}

static void release(variant_run *runs, int n, char **bodies, size_t n_bodies) {
    for (int i = 0; i < n; i++) {
        for (int a = 0; runs[i].argv[a]; a++) free(runs[i].argv[a]);
        free(runs[i].load.samples), free(runs[i].load.service_s), free(runs[i].load.lag_s);
        free(runs[i].sorted_s);
        free(runs[i].health);
        free(runs[i].load.phases);
        hs_blocks_free(&runs[i].blocks);
        hs_probe_free(&runs[i].probe_idle);
        hs_probe_free(&runs[i].probe_loaded);
        hs_evidence_free(&runs[i].evidence);
    }
    for (size_t i = 0; i < n_bodies; i++) cJSON_free(bodies[i]);
    free(bodies);
}

int hs_run_validate(const hs_lab *lab, const hs_paths *paths, char *err, size_t err_size) {
    variant_run *runs = calloc(HS_MAX_VARIANTS, sizeof *runs);
    char **bodies = NULL;
    size_t n_bodies = 0;
    if (!runs) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    int rc = prepare(lab, paths, runs, &bodies, &n_bodies, err, err_size);
    release(runs, lab->n_variants, bodies, n_bodies);
    free(runs);
    return rc;
}

/* The numbers a sweep collects, from what this run measured. */
static void fill_outcome(const hs_lab *lab, const variant_run *runs, int n,
                         hs_run_outcome *o) {
    memset(o, 0, sizeof *o);
    o->n = n;
    for (int i = 0; i < n; i++) {
        const variant_run *vr = &runs[i];
        hs_variant_outcome *v = &o->v[i];
        snprintf(v->name, sizeof v->name, "%s", lab->variants[i].name);
        v->measured = vr->measured && vr->load.n > 0;
        v->complete = v->measured && vr->load.n == (size_t)lab->load.total && !vr->problem[0];
        if (v->measured) v->summary = vr->summary;
        v->n_pids = vr->n_pids;
        v->predicted_rps = vr->have_capacity ? vr->capacity.predicted_rps : 0;
        memcpy(v->pids, vr->pids, sizeof v->pids);
        snprintf(v->problem, sizeof v->problem, "%.*s", (int)strcspn(vr->problem, "\n"),
                 vr->problem);
        if (!v->problem[0] && v->measured && !v->complete)
            snprintf(v->problem, sizeof v->problem, "cut short: %zu of %ld requests recorded",
                     vr->load.n, lab->load.total);
    }
}

int hs_cmd_run(hs_lab *lab, const char *lab_file, const hs_run_options *opt,
               const hs_paths *paths, hs_run_outcome *outcome) {
    char dir[4096], err[8192], created[40], title[512];
    char **bodies = NULL;
    size_t n_bodies = 0;
    if (opt->repeat > 1) return hs_cmd_repeat(lab, lab_file, opt, paths, outcome);
    variant_run *runs = calloc(HS_MAX_VARIANTS, sizeof *runs);
    int n = lab->n_variants, exit_code = HS_EXIT_OK;
    int only_plot_missing = 0; /* exit 1 for no other reason than gnuplot's absence */
    if (outcome) memset(outcome, 0, sizeof *outcome);
    if (!runs) {
        fprintf(stderr, "harness: out of memory\n");
        return HS_EXIT_FAILED;
    }

    /* Everything that can be refused is refused before a folder exists. */
    if (prepare(lab, paths, runs, &bodies, &n_bodies, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        exit_code = HS_EXIT_USAGE;
        goto out;
    }
    hs_run_catch_signals();
    if (hs_run_make_folder(lab->folder, opt->out_dir, paths, dir, sizeof dir, err, sizeof err)) {
        fprintf(stderr, "harness: cannot make the output folder: %s\n", err);
        exit_code = HS_EXIT_USAGE;
        goto out;
    }
    manifest_now_iso8601(created, sizeof created);
    fprintf(stderr, "harness: %s -> %s\n", lab->title, dir);
    /* The CPUs the servers may use: they inherit this process's affinity
     * and cgroup. */
    hs_cpus cpus;
    hs_cpus_read(&cpus);

    /* A rate given relative to the service time: measure S first. */
    if (lab->load.rate_per_service > 0 && !(lab->load.rate > 0) && !hs_stop) {
        char log_path[4352];
        snprintf(log_path, sizeof log_path, "%s/calibrate_%s.log", dir, runs[0].def->name);
        double s = 0;
        if (hs_calibrate(lab, runs[0].argv, runs[0].port, log_path, bodies, n_bodies, &s, err,
                         sizeof err)) {
            fprintf(stderr, "harness: calibration on %s failed: %s\n", runs[0].def->name, err);
            exit_code = HS_EXIT_FAILED;
            goto out;
        }
        lab->load.service_s = s;
        lab->load.rate = lab->load.rate_per_service / s;
        if (lab->load.duration_s > 0)
            lab->load.total = (long)(lab->load.rate * lab->load.duration_s);
        if (lab->load.total < 1) lab->load.total = 1;
        fprintf(stderr, "harness: service time S = %.2f ms (median of serial requests on %s): "
                        "rate %.3g x 1/S = %.1f/s, %ld arrivals per variant\n", s * 1e3,
                runs[0].def->name, lab->load.rate_per_service, lab->load.rate, lab->load.total);
    }

    int done = 0;
    for (int i = 0; i < n && !hs_stop; i++, done++) {
        measure_variant(lab, dir, &runs[i], bodies, n_bodies, &cpus);
        if (runs[i].problem[0]) exit_code = HS_EXIT_FAILED;
        if (runs[i].measured) {
            char path[4352];
            snprintf(path, sizeof path, "%s/latencies_%s.json", dir, runs[i].def->name);
            int rc = hs_latencies_write(path, runs[i].load.samples, runs[i].load.n);
            if (rc) {
                fprintf(stderr, "harness: %s: %s\n", path, strerror(-rc));
                exit_code = HS_EXIT_FAILED;
            }
            if (runs[i].load.service_s) {
                snprintf(path, sizeof path, "%s/open_%s.json", dir, runs[i].def->name);
                rc = hs_open_write(path, runs[i].load.service_s, runs[i].load.lag_s,
                                   runs[i].load.n);
                if (rc) {
                    fprintf(stderr, "harness: %s: %s\n", path, strerror(-rc));
                    exit_code = HS_EXIT_FAILED;
                }
            }
            if (runs[i].load.phases) {
                snprintf(path, sizeof path, "%s/phases_%s.json", dir, runs[i].def->name);
                if ((rc = hs_phases_write(path, runs[i].load.phases, runs[i].load.n))) {
                    fprintf(stderr, "harness: %s: %s\n", path, strerror(-rc));
                    exit_code = HS_EXIT_FAILED;
                }
            }
            if (runs[i].have_probe_idle || runs[i].have_probe_loaded) {
                snprintf(path, sizeof path, "%s/probe_%s.json", dir, runs[i].def->name);
                if ((rc = hs_probe_write(path, lab->health, lab->load.probe_rate,
                                         &runs[i].probe_idle, &runs[i].probe_loaded))) {
                    fprintf(stderr, "harness: %s: %s\n", path, strerror(-rc));
                    exit_code = HS_EXIT_FAILED;
                }
            }
            runs[i].sorted_s = hs_sorted_latencies(runs[i].load.samples, runs[i].load.n);
            if (runs[i].load.n)
                hs_summarize(runs[i].load.samples, runs[i].load.n, runs[i].load.wall_s,
                             &runs[i].summary);
        }
    }
    int complete = !hs_stop && done == n;
    const char *reason = complete ? NULL : "interrupted (Ctrl-C or SIGTERM)";

    /* Report, plot and manifest from whatever was measured. */
    hs_variant_result results[HS_MAX_VARIANTS];
    plot_curve curves[HS_MAX_VARIANTS];
    int nr = 0;
    for (int i = 0; i < n; i++) {
        variant_run *vr = &runs[i];
        int has = vr->measured && vr->load.n > 0;
        curves[i] = (plot_curve){vr->def->name, vr->def->label, vr->sorted_s,
                                 has ? vr->load.n : 0, {0}, NULL, NULL, 0};
        size_t arrivals = vr->load.n + vr->load.dropped;
        double dropped = arrivals ? 100.0 * (double)vr->load.dropped / (double)arrivals : 0;
        double late = vr->load.n ? 100.0 * (double)vr->load.late_1ms / (double)vr->load.n : 0;
        if (has) results[nr++] = (hs_variant_result){vr->def->name, vr->summary, vr->sorted_s,
                                                     NULL, dropped, late};
    }
    hs_check_result checks[HS_MAX_CHECKS];
    for (int c = 0; c < lab->n_checks; c++)
        hs_check_eval(&lab->checks[c], results, (size_t)nr, &checks[c]);

    /* facts.json: every figure, computed once; the summary reads it. */
    hs_facts_variant fv[HS_MAX_VARIANTS];
    for (int i = 0; i < n; i++) {
        variant_run *vr = &runs[i];
        int has = vr->measured && vr->load.n > 0;
        fv[i] = (hs_facts_variant){vr->def->name, has ? &vr->summary : NULL,
                                   vr->measured ? &vr->load : NULL, has ? vr->sorted_s : NULL,
                                   vr->have_evidence ? &vr->evidence : NULL,
                                   vr->have_probe_loaded ? &vr->probe_loaded : NULL,
                                   vr->have_probe_idle ? &vr->probe_idle : NULL, vr->health,
                                   vr->problem[0] ? vr->problem : NULL,
                                   vr->have_blocks ? &vr->blocks : NULL,
                                   vr->have_rss ? &vr->rss : NULL, serving_count(vr),
                                   vr->blocks_note,
                                   vr->have_capacity ? &vr->capacity : NULL};
    }
    hs_facts_input fin = {lab, complete, reason, &cpus,
                          lab->load.no_evidence ? 0 : lab->load.probe_rate,
                          !lab->load.no_evidence, fv, n, checks};
    cJSON *facts = hs_facts_build(&fin);
    int frc = facts ? hs_facts_write(dir, facts) : -ENOMEM;
    if (frc) {
        fprintf(stderr, "harness: %s/facts.json: %s\n", dir, strerror(-frc));
        exit_code = HS_EXIT_FAILED;
    }

    /* The title names every parameter that reached the servers, so a
     * sweep's point CDFs say which point they are. */
    char settings[256];
    hs_lab_settings_phrase(lab, 1, settings, sizeof settings);
    if (lab->load.rate > 0)
        snprintf(title, sizeof title, "%s - open loop %g/s (%s), %ld arrivals%s", lab->title,
                 lab->load.rate, lab->load.poisson ? "poisson" : "uniform", lab->load.total,
                 settings);
    else
        snprintf(title, sizeof title, "%s - %ld concurrent, %ld requests%s", lab->title,
                 lab->load.concurrency, lab->load.total, settings);
    /* The percentiles the plot marks are the facts'. */
    for (int i = 0; i < n; i++) hs_facts_percentiles_ms(facts, runs[i].def->name, curves[i].p_ms);
    int prc = plot_cdf(dir, title, curves, (size_t)n, err, sizeof err);
    if (prc == 1)
        fprintf(stderr, "harness: gnuplot is not installed: wrote %s/latency_cdf.gp and its "
                        "data but no PNG (apt-get install gnuplot-nox, then harness plot)\n", dir);
    else if (prc < 0)
        fprintf(stderr, "harness: plot: %s\n", err);
    only_plot_missing = prc == 1 && exit_code == HS_EXIT_OK;
    if (prc != 0) exit_code = exit_code ? exit_code : HS_EXIT_FAILED;

    hs_report rep = {lab, facts};
    int rc = hs_report_write(dir, &rep);
    if (rc) {
        fprintf(stderr, "harness: %s/summary.md: %s\n", dir, strerror(-rc));
        exit_code = HS_EXIT_FAILED;
        only_plot_missing = 0;
    }
    cJSON_Delete(facts);
    if (frc && !exit_code) exit_code = HS_EXIT_FAILED;
    rc = write_manifest(dir, lab, lab_file, paths, opt, runs, n, n_bodies, created, complete,
                        reason, title);
    if (rc) {
        fprintf(stderr, "harness: %s/manifest.json: %s\n", dir, strerror(-rc));
        exit_code = HS_EXIT_FAILED;
        only_plot_missing = 0;
    }

    fprintf(stderr, "\n");
    for (int c = 0; c < lab->n_checks; c++)
        fprintf(stderr, "%s  %s (%s)\n", checks[c].pass ? "PASS" : "FAIL",
                lab->checks[c].title, checks[c].detail);
    fprintf(stderr, "\nharness: results in %s (summary.md, facts.json, latency_cdf.png, "
                    "manifest.json)\n", dir);
    if (!complete) {
        fprintf(stderr, "harness: the run was interrupted; what was measured is kept and "
                        "manifest.json marks it incomplete\n");
        exit_code = HS_EXIT_INTERRUPTED;
    }
out:
    if (outcome) {
        fill_outcome(lab, runs, n, outcome);
        outcome->only_plot_missing = exit_code == HS_EXIT_FAILED && only_plot_missing;
    }
    release(runs, n, bodies, n_bodies);
    free(runs);
    return exit_code;
}
