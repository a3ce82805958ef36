/* test_model_weights_file.c - broken weights files are refused with the
 * right code and a message, never loaded and never a crash; a good one
 * round-trips and the seeded initialisation is reproducible. */
#include "model_fixtures.h"

#include <errno.h>

static char good_path[512];
static unsigned char *good;
static size_t good_size;

static void write_bytes(const char *path, const unsigned char *b, size_t n) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(b, 1, n, f) == n);
    CHECK(fclose(f) == 0);
}

static unsigned char *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK(fseek(f, 0, SEEK_END) == 0);
    long len = ftell(f);
    CHECK(len >= 0);
    rewind(f);
    unsigned char *b = malloc((size_t)len + 1);
    CHECK(b != NULL);
    CHECK(fread(b, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* Writes the bytes to a scratch file and checks gpt_load refuses them. */
static void expect_refused(const char *what, const unsigned char *b, size_t n,
                           int want) {
    char path[512];
    fixture_path(path, sizeof path, "broken");
    write_bytes(path, b, n);
    gpt_model *m = (gpt_model *)1; /* must be reset to NULL */
    int rc = gpt_load(path, &m);
    printf("%-28s -> %d: %s\n", what, rc, gpt_strerror(rc));
    CHECK_EQ_INT(rc, want);
    CHECK(m == NULL);
    CHECK(strlen(gpt_strerror(rc)) > 10);
    unlink(path);
}

static void put_u32(unsigned char *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}

int main(void) {
    gpt_config cfg = GPT_CONFIG_DEFAULT;
    CHECK_EQ_INT(gpt_num_params(&cfg), 103680);

    fixture_path(good_path, sizeof good_path, "good");
    CHECK_EQ_INT(gpt_init_write(good_path, &cfg, 42), 0);
    good = read_bytes(good_path, &good_size);
    CHECK_EQ_INT(good_size, 64 + 4 * 103680);

    /* Same seed, same bytes; another seed, other bytes. */
    char path2[512];
    size_t n2;
    fixture_path(path2, sizeof path2, "again");
    CHECK_EQ_INT(gpt_init_write(path2, &cfg, 42), 0);
    unsigned char *again = read_bytes(path2, &n2);
    CHECK(n2 == good_size && memcmp(again, good, good_size) == 0);
    free(again);
    CHECK_EQ_INT(gpt_init_write(path2, &cfg, 43), 0);
    again = read_bytes(path2, &n2);
    CHECK(n2 == good_size && memcmp(again + 64, good + 64, good_size - 64) != 0);
    free(again);
    unlink(path2);

    /* The good file loads and says what it is. */
    gpt_model *m = NULL;
    CHECK_EQ_INT(gpt_load(good_path, &m), 0);
    gpt_info info;
    gpt_get_info(m, &info);
    CHECK_EQ_INT(info.n_params, 103680);
    CHECK_EQ_INT(info.config.context, 128);
    CHECK_EQ_INT(info.flags & GPT_FLAG_TRAINED, 0);
    CHECK_EQ_INT(info.seed, 42);
    gpt_free(m);

    unsigned char *b = malloc(good_size + 8);
    CHECK(b != NULL);

    expect_refused("empty file", good, 0, GPT_EMAGIC);
    expect_refused("truncated header", good, 40, GPT_ESIZE);
    expect_refused("truncated tensors", good, good_size - 4, GPT_ESIZE);
    expect_refused("truncated by half", good, good_size / 2, GPT_ESIZE);
    memcpy(b, good, good_size);
    memset(b + good_size, 0, 8);
    expect_refused("trailing bytes", b, good_size + 8, GPT_ESIZE);

    memcpy(b, good, good_size);
    memcpy(b, "GGUF", 4);
    expect_refused("wrong magic", b, good_size, GPT_EMAGIC);

    memcpy(b, good, good_size);
    put_u32(b + 4, 2);
    expect_refused("wrong version", b, good_size, GPT_EVERSION);

    memcpy(b, good, good_size);
    put_u32(b + 12, 65); /* d_model not divisible by the heads */
    expect_refused("impossible config", b, good_size, GPT_ECONFIG);

    memcpy(b, good, good_size);
    put_u32(b + 24, 128); /* a smaller MLP: a valid config, wrong size */
    put_u32(b + 48, 103680 - 2 * 2 * 64 * 128);
    expect_refused("config/size mismatch", b, good_size, GPT_ESIZE);

    memcpy(b, good, good_size);
    put_u32(b + 48, 12345); /* n_params disagrees with the config */
    expect_refused("wrong parameter count", b, good_size, GPT_ECONFIG);

    memcpy(b, good, good_size);
    put_u32(b + 8, 256); /* a vocabulary the tokenizer does not have */
    expect_refused("wrong vocabulary", b, good_size, GPT_ECONFIG);

    /* Not there, and not a file. */
    CHECK_EQ_INT(gpt_load("/nonexistent/minigpt.bin", &m), -ENOENT);
    CHECK(gpt_load("/", &m) < 0);

    /* Writing into a missing folder fails and leaves nothing behind. */
    CHECK_EQ_INT(gpt_init_write("/nonexistent/dir/w.bin", &cfg, 1), -ENOENT);

    free(b);
    free(good);
    unlink(good_path);
    return 0;
}
