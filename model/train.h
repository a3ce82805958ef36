/* train.h - teaching the Mini-GPT to correct verbs: the data generator, the
 * trainer (hand-written forward and backward passes, AdamW) and the
 * evaluation. Used by the minigpt command's train/data/eval subcommands and
 * by the tests; the server never needs it.
 *
 * Dimension letters as in internal.h, plus B = sequences in a batch and
 * T = positions per sequence in the current batch (at most maxT).
 */
#ifndef MINIGPT_TRAIN_H
#define MINIGPT_TRAIN_H

#include "minigpt.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Data: learner sentences with verb errors and their corrections ---- */

/* Longest generated sentence: what agent_max_sentence() admits for the
 * default config. A correction is at most GPT_CORRECTION_SLACK longer. */
#define GPT_DATA_MAX_SENTENCE 56

typedef struct {
    const char *type; /* one of gpt_data_types[], or "correct" */
    char sentence[GPT_DATA_MAX_SENTENCE + 1];
    char correction[GPT_DATA_MAX_SENTENCE + GPT_CORRECTION_SLACK + 1];
} gpt_example;

/* The ten error types, named as in the lab's prompts file. */
#define GPT_DATA_N_TYPES 10
extern const char *const gpt_data_types[GPT_DATA_N_TYPES];

/* Which side of the train/held-out split an example falls on. The split is
 * a hash of the correction, so every wrong version of one correct sentence,
 * and the sentence itself, land on the same side. */
enum { GPT_SPLIT_TRAIN = 0, GPT_SPLIT_HELDOUT = 1 };
int gpt_data_split_of(const gpt_example *ex);

/* A seeded stream of examples of one split. exclude (may be NULL) lists
 * sentences the stream must never produce: the lab's prompts, so that the
 * evaluation on them stays honest. The strings must outlive the stream. */
typedef struct {
    uint64_t rng;
    int split;
    const char *const *exclude;
    size_t n_exclude;
} gpt_data;

void gpt_data_init(gpt_data *d, uint64_t seed, int split,
                   const char *const *exclude, size_t n_exclude);

/* The next example: one of the ten error types (about 3 in 4) or a correct
 * sentence that must come back unchanged (type "correct"). Same seed, same
 * sequence, on every machine. */
void gpt_data_next(gpt_data *d, gpt_example *ex);

/* Encodes ex as one training row of T positions: inputs are the sentence,
 * SEP and the correction; targets are -1 (no loss) over the sentence and
 * the next token from the SEP on, ending with END; the tail is padding.
 * Returns the used length, or GPT_ETOOLONG if it does not fit in T. */
int gpt_data_encode(const gpt_example *ex, int *inputs, int *targets, int T);

/* ---- The trainer ------------------------------------------------------- */

typedef struct gpt_trainer gpt_trainer;

/* A trainer for cfg with room for batches of up to maxB sequences of
 * cfg->context positions; parameters start as gpt_init_write's seeded
 * initialisation. Returns 0, GPT_ECONFIG or -ENOMEM. */
int gpt_trainer_new(const gpt_config *cfg, int maxB, uint64_t init_seed,
                    gpt_trainer **out);
void gpt_trainer_free(gpt_trainer *tr);

/* The parameters and their gradients, gpt_num_params() floats each, in the
 * weights file's order. Writable: tests perturb them. */
float *gpt_trainer_params(gpt_trainer *tr);
float *gpt_trainer_grads(gpt_trainer *tr);

/* Forward pass over inputs (B, T), B <= maxB and T <= context (anything
 * else is a caller's bug and aborts); returns the mean cross-entropy over the
 * targets that are >= 0 (0 if there are none). The logits of every
 * position stay readable through gpt_trainer_logits() until the next call. */
float gpt_trainer_forward(gpt_trainer *tr, const int *inputs,
                          const int *targets, int B, int T);
const float *gpt_trainer_logits(const gpt_trainer *tr); /* (B, T, V) */

/* Zeroes the gradients, then backpropagates the last forward's loss. */
void gpt_trainer_backward(gpt_trainer *tr);

/* One AdamW update (step counts from 1). Weight decay applies to the
 * matrices and the embedding, not to LayerNorm gains and biases. */
void gpt_trainer_update(gpt_trainer *tr, float lr, float beta1, float beta2,
                        float eps, float weight_decay, int step);

/* ---- Evaluation -------------------------------------------------------- */

typedef struct {
    int total, exact;         /* all examples; exact-match corrections */
    int correct_total;        /* examples whose sentence was already right */
    int correct_unchanged;    /* ...and came back unchanged */
    int type_total[GPT_DATA_N_TYPES + 1]; /* per type; last is "correct" */
    int type_exact[GPT_DATA_N_TYPES + 1];
} gpt_eval_result;

/* The held-out set: the first n distinct held-out examples of the fixed
 * seed GPT_EVAL_SEED, skipping the excluded sentences. *out is malloc'd. */
#define GPT_EVAL_SEED 20260501u
int gpt_eval_heldout_set(int n, const char *const *exclude, size_t n_exclude,
                         gpt_example **out);

/* Corrects every example with agent_correct() and counts exact matches.
 * If misses is not NULL, each wrong correction is reported through it. */
int gpt_eval_run(const gpt_model *m, const gpt_example *ex, int n,
                 gpt_eval_result *res,
                 void (*misses)(const gpt_example *ex, const char *got, void *arg),
                 void *arg);

/* Index of type in gpt_data_types, GPT_DATA_N_TYPES for "correct" or an
 * unknown name. */
int gpt_data_type_index(const char *type);

#endif /* MINIGPT_TRAIN_H */
