/* report_claims.c - the claims sections of a single run's summary: the
 * lab's variants paired by their commands (claims_pairs.c), filled in
 * with what this run measured, written by claims.c. */
#include "report_claims.h"

#include "claims.h"

#include <string.h>

static const hs_report_variant *measured(const hs_report *r, const char *name) {
    for (size_t i = 0; i < r->n_variants; i++)
        if (!strcmp(r->variants[i].name, name)) return &r->variants[i];
    return NULL;
}

/* v's numbers when it recorded every request and nothing went wrong: a
 * variant cut short is not compared with one that ran in full. Numbers
 * with fewer than HS_CLAIMS_MIN_OK_PERCENT HTTP 200 are passed on too, so
 * that their row is shown; claims.c marks them and compares none. */
static const hs_summary *complete(const hs_report *r, const hs_report_variant *v) {
    if (!v || !v->summary || v->problem || v->summary->requests != (size_t)r->load->total)
        return NULL;
    return v->summary;
}

static long rss_kib(const hs_report_variant *v) {
    return v && v->rss ? v->rss->total_kib : 0;
}

/* One section per group of families (variants the same but for flag)
 * that share both ends of the range and the other setting that matters
 * (workers for the I/O claim, the I/O wait for the workers note). */
static void sections(hs_strbuf *b, const hs_report *r, hs_claims_param param, const char *flag,
                     const char *other_flag) {
    hs_claims_family fam[HS_MAX_VARIANTS];
    long other[HS_MAX_VARIANTS];
    int nf = hs_claims_families(r->lab, flag, fam, HS_MAX_VARIANTS), done[HS_MAX_VARIANTS] = {0};
    int have_rss = 0;
    for (size_t i = 0; i < r->n_variants; i++) have_rss |= r->variants[i].rss != NULL;
    /* What the servers ran with where the command does not say: miniserve's
     * defaults (1 worker, no I/O wait); for another program, unknown. */
    for (int f = 0; f < nf; f++)
        other[f] = hs_claims_server_setting(&r->lab->variants[fam[f].idx[0]], other_flag, r->load);
    for (int f = 0; f < nf; f++) {
        if (done[f]) continue;
        long va = fam[f].value[0], vb = fam[f].value[fam[f].n - 1];
        const hs_variant_def *first = &r->lab->variants[fam[f].idx[0]];
        long threads = r->pool_threads > 0 ? r->pool_threads
                                            : hs_claims_server_setting(first, "--threads", r->load);
        hs_claims c = {.param = param, .value_a = va, .value_b = vb,
                       .concurrency = r->load->concurrency, .cores = r->cores,
                       .threads = threads > 0 ? threads : 0,
                       .workers = param == HS_CLAIMS_IO_DELAY && other[f] > 0 ? other[f] : 0,
                       .io_delay_ms = param == HS_CLAIMS_WORKERS ? other[f] : -1,
                       .memory_where = have_rss ? "the server-memory table above" : NULL,
                       .miniserve = 1};
        for (int g = f; g < nf; g++) {
            if (done[g] || fam[g].value[0] != va || fam[g].value[fam[g].n - 1] != vb ||
                other[g] != other[f])
                continue;
            done[g] = 1;
            const hs_variant_def *da = &r->lab->variants[fam[g].idx[0]];
            const hs_variant_def *db = &r->lab->variants[fam[g].idx[fam[g].n - 1]];
            const hs_report_variant *ra = measured(r, da->name), *rb = measured(r, db->name);
            c.miniserve &= hs_claims_is_miniserve(hs_claims_program(da)) &&
                           hs_claims_is_miniserve(hs_claims_program(db));
            c.v[c.n++] = (hs_claims_variant){hs_claims_kind(da), da->name, db->name,
                                             complete(r, ra), complete(r, rb), rss_kib(ra),
                                             rss_kib(rb), ra ? ra->serving_pids : 0,
                                             rb ? rb->serving_pids : 0};
        }
        hs_claims_write(b, &c);
    }
}

void hs_report_claims(hs_strbuf *b, const hs_report *r) {
    sections(b, r, HS_CLAIMS_IO_DELAY, "--io-delay-ms", "--workers");
    sections(b, r, HS_CLAIMS_WORKERS, "--workers", "--io-delay-ms");
}
