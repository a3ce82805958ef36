/* weights.c - the weights file: its format, writing it safely, loading it.
 *
 * Format, version 1, all little-endian:
 *
 *   offset size  field
 *   0      4     magic "MGPT"
 *   4      4     u32 version (1)
 *   8      24    u32 vocab_size, d_model, n_heads, n_layers, d_mlp, context
 *   32     4     u32 flags (bit 0: trained; otherwise a seeded initialisation)
 *   36     4     u32 reserved, 0
 *   40     8     u64 seed (initialisation or training seed)
 *   48     8     u64 n_params, which must equal gpt_num_params(config)
 *   56     8     reserved, 0
 *   64     4*n   float32 parameters in this order:
 *                  wte (V, C)
 *                  per layer: ln1_g (C), ln1_b (C), w_qkv (3C, C), w_o (C, C),
 *                             ln2_g (C), ln2_b (C), w_fc (M, C), w_proj (C, M)
 *                  lnf_g (C), lnf_b (C)
 *
 * The file must be exactly 64 + 4 * n_params bytes. The 64-byte header keeps
 * the floats aligned when the file is mapped, so the model is used in place:
 * one mmap, shared read-only by every thread.
 */
#include "internal.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

size_t gpt_num_params(const gpt_config *cfg) {
    size_t C = cfg->d_model, M = cfg->d_mlp, V = cfg->vocab_size;
    size_t per_layer = 2 * C + 3 * C * C + C * C + 2 * C + M * C + C * M;
    return V * C + cfg->n_layers * per_layer + 2 * C;
}

int gpt_config_check(const gpt_config *cfg) {
    if (cfg->vocab_size != GPT_VOCAB_SIZE) return GPT_ECONFIG;
    if (cfg->d_model == 0 || cfg->d_model > 4096) return GPT_ECONFIG;
    if (cfg->d_model % 2 != 0) return GPT_ECONFIG; /* sin/cos pairs */
    if (cfg->n_heads == 0 || cfg->d_model % cfg->n_heads != 0) return GPT_ECONFIG;
    if (cfg->n_layers == 0 || cfg->n_layers > GPT_MAX_LAYERS) return GPT_ECONFIG;
    if (cfg->d_mlp == 0 || cfg->d_mlp > 16384) return GPT_ECONFIG;
    /* The agent needs room for a sentence, the separator and its correction. */
    if (cfg->context < 2 * 1 + GPT_CORRECTION_SLACK + 1 ||
        cfg->context > GPT_MAX_CONTEXT)
        return GPT_ECONFIG;
    return 0;
}

size_t gpt_weights_map(const gpt_config *cfg, const float *params,
                       gpt_weights *w) {
    size_t C = cfg->d_model, M = cfg->d_mlp, V = cfg->vocab_size;
    const float *p = params;
    w->wte = p, p += V * C;
    for (uint32_t l = 0; l < cfg->n_layers; l++) {
        gpt_layer *ly = &w->layer[l];
        ly->ln1_g = p, p += C;
        ly->ln1_b = p, p += C;
        ly->w_qkv = p, p += 3 * C * C;
        ly->w_o = p, p += C * C;
        ly->ln2_g = p, p += C;
        ly->ln2_b = p, p += C;
        ly->w_fc = p, p += M * C;
        ly->w_proj = p, p += C * M;
    }
    w->lnf_g = p, p += C;
    w->lnf_b = p, p += C;
    return (size_t)(p - params);
}

static void put_u32(unsigned char *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *b) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}
static uint64_t get_u64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

/* The floats are written and mapped in host order; refuse to pretend on a
 * big-endian host rather than load garbage. */
static int host_is_little_endian(void) {
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

int gpt_weights_write(const char *path, const gpt_config *cfg, uint32_t flags,
                      uint64_t seed, const float *params) {
    int rc = gpt_config_check(cfg);
    if (rc) return rc;
    if (!host_is_little_endian()) return -ENOTSUP;

    size_t n = gpt_num_params(cfg);
    unsigned char h[GPT_HEADER_SIZE] = {0};
    memcpy(h, GPT_WEIGHTS_MAGIC, 4);
    put_u32(h + 4, GPT_WEIGHTS_VERSION);
    put_u32(h + 8, cfg->vocab_size);
    put_u32(h + 12, cfg->d_model);
    put_u32(h + 16, cfg->n_heads);
    put_u32(h + 20, cfg->n_layers);
    put_u32(h + 24, cfg->d_mlp);
    put_u32(h + 28, cfg->context);
    put_u32(h + 32, flags);
    put_u64(h + 40, seed);
    put_u64(h + 48, (uint64_t)n);

    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
        (int)sizeof tmp)
        return -ENAMETOOLONG;
    FILE *f = fopen(tmp, "wb");
    if (!f) return -errno;
    rc = 0;
    if (fwrite(h, 1, sizeof h, f) != sizeof h ||
        fwrite(params, sizeof(float), n, f) != n)
        rc = errno ? -errno : -EIO;
    if (fflush(f) != 0 && rc == 0) rc = -errno;
    if (fsync(fileno(f)) != 0 && rc == 0) rc = -errno;
    if (fclose(f) != 0 && rc == 0) rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
    if (rc != 0) unlink(tmp);
    return rc;
}

int gpt_load(const char *path, gpt_model **out) {
    int rc = 0;
    int fd = -1;
    void *map = MAP_FAILED;
    gpt_model *m = NULL;
    struct stat st;

    *out = NULL;
    if (!host_is_little_endian()) return -ENOTSUP;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    if (fstat(fd, &st) != 0) { rc = -errno; goto out; }
    if (!S_ISREG(st.st_mode)) { rc = -EINVAL; goto out; }

    /* Read the header with read(), not through the map: a short file must
     * be refused with a message, never touched past its end. */
    unsigned char h[GPT_HEADER_SIZE];
    ssize_t got = pread(fd, h, sizeof h, 0);
    if (got < 0) { rc = -errno; goto out; }
    if (got < 4 || memcmp(h, GPT_WEIGHTS_MAGIC, 4) != 0) { rc = GPT_EMAGIC; goto out; }
    if (got < (ssize_t)sizeof h) { rc = GPT_ESIZE; goto out; }
    if (get_u32(h + 4) != GPT_WEIGHTS_VERSION) { rc = GPT_EVERSION; goto out; }

    gpt_config cfg = {
        .vocab_size = get_u32(h + 8), .d_model = get_u32(h + 12),
        .n_heads = get_u32(h + 16),   .n_layers = get_u32(h + 20),
        .d_mlp = get_u32(h + 24),     .context = get_u32(h + 28),
    };
    if (gpt_config_check(&cfg) != 0) { rc = GPT_ECONFIG; goto out; }
    size_t n = gpt_num_params(&cfg);
    if (get_u64(h + 48) != (uint64_t)n) { rc = GPT_ECONFIG; goto out; }
    if ((uint64_t)st.st_size != GPT_HEADER_SIZE + 4 * (uint64_t)n) {
        rc = GPT_ESIZE;
        goto out;
    }

    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) { rc = -errno; goto out; }

    m = calloc(1, sizeof *m);
    if (!m) { rc = -ENOMEM; goto out; }
    m->pos = malloc(sizeof(float) * cfg.context * cfg.d_model);
    if (!m->pos) { rc = -ENOMEM; goto out; }
    m->cfg = cfg;
    m->version = GPT_WEIGHTS_VERSION;
    m->flags = get_u32(h + 32);
    m->seed = get_u64(h + 40);
    m->n_params = n;
    m->map = map;
    m->map_size = (size_t)st.st_size;
    gpt_weights_map(&cfg, (const float *)((const char *)map + GPT_HEADER_SIZE),
                    &m->w);
    gpt_position_table(m->pos, (int)cfg.context, (int)cfg.d_model);
    if (gpt_packed_make(m)) { rc = -ENOMEM; goto out; }

    /* Each inference call is small and the server supplies the parallelism;
     * OpenBLAS's own threads would only fight the server's pool for cores. */
    openblas_set_num_threads(1);

    *out = m;
    m = NULL;
    map = MAP_FAILED;
out:
    if (m) { free(m->pos); free(m->packed); free(m); }
    if (map != MAP_FAILED) munmap(map, (size_t)st.st_size);
    if (fd >= 0) close(fd);
    return rc;
}

void gpt_free(gpt_model *m) {
    if (!m) return;
    munmap(m->map, m->map_size);
    free(m->pos);
    free(m->packed);
    free(m);
}

void gpt_get_info(const gpt_model *m, gpt_info *info) {
    info->config = m->cfg;
    info->n_params = m->n_params;
    info->version = m->version;
    info->flags = m->flags;
    info->seed = m->seed;
}

const char *gpt_blas_config(void) {
    return openblas_get_config();
}

void gpt_position_table(float *pos, int maxT, int C) {
    for (int t = 0; t < maxT; t++) {
        for (int i = 0; i < C; i += 2) {
            double freq = pow(10000.0, -(double)i / C);
            pos[t * C + i] = (float)sin(t * freq);
            pos[t * C + i + 1] = (float)cos(t * freq);
        }
    }
}

float gpt_embed_scale(int C) {
    return sqrtf((float)C);
}
