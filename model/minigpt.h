/* minigpt.h - a character-level Mini-GPT on OpenBLAS, and the agent that
 * corrects verb errors in a learner's sentence with it.
 *
 * This header is the whole public surface of model/. The server's CPU-heavy
 * call is agent_correct(); everything else is here for the tools and tests.
 *
 * Threads: a gpt_model is read-only after gpt_load() and may be shared by any
 * number of threads. A gpt_state (KV cache and activations) belongs to one
 * thread at a time; give each concurrent caller its own.
 *
 * Errors: functions return 0 or a negative code. Codes above GPT_ERR_BASE are
 * negated errno values (-ENOENT, -ENOMEM, ...); the rest are GPT_E* below.
 * gpt_strerror() turns either kind into a sentence.
 */
#ifndef MINIGPT_H
#define MINIGPT_H

#include <stddef.h>
#include <stdint.h>

/* ---- Errors ------------------------------------------------------------ */

#define GPT_ERR_BASE (-1000)
enum {
    GPT_EMAGIC = GPT_ERR_BASE - 1,    /* not a Mini-GPT weights file */
    GPT_EVERSION = GPT_ERR_BASE - 2,  /* weights format version we cannot read */
    GPT_ECONFIG = GPT_ERR_BASE - 3,   /* header describes an impossible model */
    GPT_ESIZE = GPT_ERR_BASE - 4,     /* file size disagrees with the header */
    GPT_EEMPTY = GPT_ERR_BASE - 10,   /* sentence is empty */
    GPT_ETOOLONG = GPT_ERR_BASE - 11, /* sentence does not fit the context */
    GPT_EUTF8 = GPT_ERR_BASE - 12,    /* sentence is not valid UTF-8 */
    GPT_EALPHABET = GPT_ERR_BASE - 13,/* valid UTF-8, but outside the alphabet */
    GPT_ELEARNER = GPT_ERR_BASE - 14, /* learner_id too long or not UTF-8 */
    GPT_EPROMPTS = GPT_ERR_BASE - 20, /* prompts file is not what we expect */
};

/* Returns a static sentence for any code returned by this library. */
const char *gpt_strerror(int rc);

/* ---- Tokens: a fixed 74-symbol alphabet ------------------------------- */

/* Token 0 separates the learner's sentence from the correction; token 1
 * ends the correction. Tokens 2..73 are the printable characters of
 * GPT_ALPHABET, in that order. Nothing else can be said to the model. */
#define GPT_TOKEN_SEP 0
#define GPT_TOKEN_END 1
#define GPT_ALPHABET                                                         \
    " !\"',-.:;?0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define GPT_VOCAB_SIZE 74

/* Maps a byte to its token, or -1 if the byte is not in the alphabet. */
int gpt_token_of(unsigned char c);
/* Maps a printable token (2..73) to its byte; returns 0 for other tokens. */
char gpt_char_of(int token);

/* ---- The model --------------------------------------------------------- */

typedef struct {
    uint32_t vocab_size; /* V, must be GPT_VOCAB_SIZE */
    uint32_t d_model;    /* C */
    uint32_t n_heads;    /* NH; C % NH == 0 */
    uint32_t n_layers;   /* L */
    uint32_t d_mlp;      /* M, hidden width of the feed-forward block */
    uint32_t context;    /* maxT, the longest sequence the model sees */
} gpt_config;

/* The course's model: 103,680 parameters (see README). */
#define GPT_CONFIG_DEFAULT                                                   \
    ((gpt_config){.vocab_size = GPT_VOCAB_SIZE, .d_model = 64, .n_heads = 4, \
                  .n_layers = 2, .d_mlp = 256, .context = 128})

/* Largest context a weights file may declare; bounds every buffer. */
#define GPT_MAX_CONTEXT 1024

typedef struct gpt_model gpt_model;

/* Exact number of float parameters for cfg (no linear biases, tied head). */
size_t gpt_num_params(const gpt_config *cfg);

/* Returns 0 if cfg describes a model this library can run, else GPT_ECONFIG. */
int gpt_config_check(const gpt_config *cfg);

/* Flags stored in the weights header. */
#define GPT_FLAG_TRAINED 1u

/* Writes a weights file (format in model/weights.c) for cfg from params,
 * which holds gpt_num_params(cfg) floats in the documented tensor order.
 * Writes to PATH.tmp.PID and renames, so PATH is never half-written. */
int gpt_weights_write(const char *path, const gpt_config *cfg, uint32_t flags,
                      uint64_t seed, const float *params);

/* Writes the deterministic seeded initialisation (untrained) for cfg. The
 * same seed gives the same bytes on every run and machine. */
int gpt_init_write(const char *path, const gpt_config *cfg, uint64_t seed);

/* Loads a weights file read-only (one mmap) and sets OpenBLAS to one thread
 * per call. On success *out owns the model; free it with gpt_free(). */
int gpt_load(const char *path, gpt_model **out);
void gpt_free(gpt_model *m);

typedef struct {
    gpt_config config;
    size_t n_params;
    uint32_t version;  /* weights format version */
    uint32_t flags;    /* GPT_FLAG_* */
    uint64_t seed;     /* init or training seed recorded in the file */
} gpt_info;

void gpt_get_info(const gpt_model *m, gpt_info *info);

/* OpenBLAS's build description (version, core, threading), for manifests. */
const char *gpt_blas_config(void);

/* ---- Inference --------------------------------------------------------- */

typedef struct gpt_state gpt_state;

/* Per-caller scratch: KV cache and activations for m's context, about
 * 0.5 MiB for the default config. Returns NULL when out of memory. */
gpt_state *gpt_state_new(const gpt_model *m);
void gpt_state_free(gpt_state *s);

/* Forgets the cached sequence and runs tokens[0..n) as one block. Returns
 * the logits (V floats, owned by s, valid until the next call) for the
 * last position, or NULL if n is 0, over the context, or a token is out of
 * range. In the last layer the other positions run only through its layer
 * norm and w_qkv, for the cache: nothing else of theirs is ever read. */
const float *gpt_prefill(const gpt_model *m, gpt_state *s, const int *tokens,
                         int n);

/* Appends one token to the cached sequence and returns the logits for it,
 * or NULL if the context is full or the token is out of range. */
const float *gpt_step(const gpt_model *m, gpt_state *s, int token);

/* Appends tokens[0..n) to the cached sequence as one block and returns the
 * logits after each of them: n rows of V floats, owned by s and valid
 * until the next call. Row t is, bit for bit, what the t-th of n gpt_step()
 * calls would return, so a guess of the next tokens can be checked in one
 * pass (agent.c). NULL if n is 0, the context cannot hold n more, or a
 * token is out of range. */
const float *gpt_extend(const gpt_model *m, gpt_state *s, const int *tokens, int n);

/* Tokens in the cache: the prompt and every token stepped or extended. */
int gpt_cached(const gpt_state *s);

/* Forgets the cached positions from pos on, the tokens of a guess the
 * model did not confirm: the next step continues at pos. Returns 0, or -1
 * if pos is negative or beyond gpt_cached(s). */
int gpt_rewind(gpt_state *s, int pos);

/* Floating-point operations (a multiply-add is two) of one forward block
 * of T tokens at positions pos0..pos0+T-1, counted from m's config: the
 * projections of every token, the attention of each over the positions
 * it sees, and the output head for the last one. For benchmarks. */
double gpt_forward_flops(const gpt_model *m, int pos0, int T);

/* What gpt_prefill of T tokens runs: gpt_forward_flops(m, 0, T) without
 * the last layer's work for positions but the last. */
double gpt_prefill_flops(const gpt_model *m, int T);


/* Reference implementation: plain loops, no BLAS, no cache, everything
 * recomputed. Writes the logits of the last position to logits (V floats).
 * Kept only so tests can check the fast path against it. */
int gpt_forward_naive(const gpt_model *m, const int *tokens, int n,
                      float *logits);

/* ---- The agent --------------------------------------------------------- */

/* Extra characters a correction may have beyond the sentence it corrects:
 * it bounds generation, and so the longest sentence the context admits. */
#define GPT_CORRECTION_SLACK 15
/* Longest learner_id accepted, in bytes. */
#define AGENT_MAX_LEARNER_ID 64

typedef struct {
    char text[GPT_MAX_CONTEXT + 1]; /* the correction, NUL-terminated */
    int prompt_tokens;              /* sentence + separator */
    int generated_tokens;           /* characters produced, plus END if seen */
    int stopped_at_end;             /* 1: model said END; 0: hit the limit */
    /* The work done: forward passes (the prefill, then one per guess
     * checked), tokens fed through them (the prompt, each pass's token and
     * draft, the rejected guesses included), and their FLOPs, counted as
     * gpt_prefill_flops and gpt_forward_flops do, with every row's head. */
    int passes;
    int tokens_run;
    double flops_run;
} agent_result;

/* Longest sentence, in bytes, that m's context admits:
 * (context - 1 - GPT_CORRECTION_SLACK) / 2, which is 56 for the default. */
size_t agent_max_sentence(const gpt_model *m);

/* Checks a sentence without running the model. Returns 0 or GPT_EEMPTY,
 * GPT_ETOOLONG, GPT_EUTF8, GPT_EALPHABET; for the last two, *bad_at (if not
 * NULL) gets the byte offset of the first offending byte. */
int agent_validate(const gpt_model *m, const char *sentence, size_t *bad_at);

/* Corrects the verb errors in sentence by greedy decoding until the END
 * token or the limit of strlen(sentence) + GPT_CORRECTION_SLACK tokens.
 * Each pass checks a guess of the next few tokens copied from the sentence
 * and keeps what the model confirms: the correction is the one decoding a
 * token at a time gives, in fewer passes.
 * learner_id may be NULL; it is validated (GPT_ELEARNER) but not part of the
 * prompt, because the model is not personalised. Runs entirely on the
 * calling thread; s must not be used by another thread meanwhile. */
int agent_correct(const gpt_model *m, gpt_state *s, const char *sentence,
                  const char *learner_id, agent_result *out);

/* FLOPs of the work one agent_correct() that gave r needs: its prefill,
 * then one step per generated token but the last (which is never fed
 * back), as decoding a token at a time does it; r->flops_run is what the
 * guesses made it run. */
double agent_correct_flops(const gpt_model *m, const agent_result *r);

/* ---- The lab's prompts ------------------------------------------------- */

typedef struct {
    int id;
    char learner_id[AGENT_MAX_LEARNER_ID + 1];
    char error_type[32];
    char sentence[GPT_MAX_CONTEXT + 1];
    char expected[GPT_MAX_CONTEXT + 1];
} gpt_prompt;

/* Loads a JSON array of {"id","learner_id","error_type","sentence",
 * "expected"} objects. On success *out is a malloc'd array of *count
 * prompts (free() it). Returns GPT_EPROMPTS for a malformed file; if
 * err is not NULL it receives a sentence saying where. */
int gpt_prompts_load(const char *path, gpt_prompt **out, size_t *count,
                     char *err, size_t err_size);

#endif /* MINIGPT_H */
