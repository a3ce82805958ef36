/* fuzz_lab.c - libFuzzer target: the lab loader (hs_lab_from_json, which
 * hs_lab_load and a manifest's embedded lab both go through), and what a
 * run then does with a loaded lab before it starts anything: fill in each
 * command's placeholders, phrase its settings, list its checks.
 *
 * Input: a lab file's text.
 *
 * It aborts (a finding) when a refused lab gives no reason, or when a
 * loaded one breaks the limits its struct promises. */
#include "lab/lab.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define die(...) (fprintf(stderr, "fuzz_lab: " __VA_ARGS__), fputc('\n', stderr), abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* As hs_lab_load() does: text that is not JSON reaches the loader as
     * NULL, which it must refuse with a reason too. */
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    static hs_lab lab; /* 40 KB: not on the stack */
    char err[512] = "";
    if (hs_lab_from_json(root, "fuzz.json", &lab, err, sizeof err) != 0) {
        if (!err[0]) die("refused without a reason");
        cJSON_Delete(root);
        return 0;
    }
    if (lab.n_variants < 1 || lab.n_variants > HS_MAX_VARIANTS) die("%d variants", lab.n_variants);
    if (lab.n_checks < 0 || lab.n_checks > HS_MAX_CHECKS) die("%d checks", lab.n_checks);
    hs_placeholders ph = {.bin = "/b", .source = "/s", .weights = "/w.bin", .workers = 2,
                          .port = 8123, .threads = 40, .io_delay_ms = 5,
                          .detect_blocking_ms = 10};
    for (int i = 0; i < lab.n_variants; i++) {
        const hs_variant_def *v = &lab.variants[i];
        if (v->argc < 1 || v->argc >= HS_MAX_ARGS || v->argv[v->argc]) die("argc %d", v->argc);
        char out[4096];
        for (int a = 0; a < v->argc; a++) hs_expand(v->argv[a], &ph, out, sizeof out);
        hs_variant_uses_port(v);
        if (strnlen(v->name, HS_NAME_MAX) == HS_NAME_MAX) die("a name without its NUL");
    }
    char phrase[512], names[512];
    hs_lab_settings_phrase(&lab, 0, phrase, sizeof phrase);
    hs_lab_settings_phrase(&lab, 1, phrase, sizeof phrase);
    hs_lab_lacking(&lab, "{threads}", names, sizeof names);
    for (int i = 0; i < lab.n_checks; i++) cJSON_Delete(hs_check_json(&lab.checks[i]));
    /* The first variant alone, as --variants picks it. */
    if (hs_lab_select_variants(&lab, lab.variants[0].name, err, sizeof err) != 0)
        die("cannot select its own first variant: %s", err);
    hs_lab_free(&lab);
    cJSON_Delete(root);
    return 0;
}
