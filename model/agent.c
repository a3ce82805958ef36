/* agent.c - the verb-correction agent: prompt in, greedy correction out.
 *
 * Prompt: the sentence's characters, then GPT_TOKEN_SEP. The model then
 * writes the corrected sentence one character at a time and ends it with
 * GPT_TOKEN_END. Decoding is greedy (lowest token wins a tie), so the same
 * model and sentence always give the same correction.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

size_t agent_max_sentence(const gpt_model *m) {
    return (m->cfg.context - 1 - GPT_CORRECTION_SLACK) / 2;
}

/* Returns the length of the UTF-8 sequence starting at s (at most n bytes
 * available), or 0 if it is not a well-formed sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    unsigned int cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    if (cp > 0x10FFFF) return 0;
    return len;
}

/* Returns 0 if s[0..n) is valid UTF-8, else GPT_EUTF8 with *bad_at set. */
static int utf8_check(const char *s, size_t n, size_t *bad_at) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_sequence(u + i, n - i);
        if (k == 0) {
            if (bad_at) *bad_at = i;
            return GPT_EUTF8;
        }
        i += k;
    }
    return 0;
}

int agent_validate(const gpt_model *m, const char *sentence, size_t *bad_at) {
    size_t n = strlen(sentence);
    if (n == 0) return GPT_EEMPTY;
    if (n > agent_max_sentence(m)) return GPT_ETOOLONG;
    int rc = utf8_check(sentence, n, bad_at);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        if (gpt_token_of((unsigned char)sentence[i]) < 0) {
            if (bad_at) *bad_at = i;
            return GPT_EALPHABET;
        }
    }
    return 0;
}

/* The next token: the most likely one the agent may emit. The separator
 * may not appear inside a correction, so it is never chosen. */
static int pick_token(const float *logits, int V) {
    int best = GPT_TOKEN_END;
    for (int v = GPT_TOKEN_END + 1; v < V; v++)
        if (logits[v] > logits[best]) best = v;
    return best;
}

/* A guess of the correction's next tokens. The correction copies the
 * sentence, so after its last token, at index at, it most likely goes on as
 * the sentence does after the same character. Of that character's places in
 * the sentence (src[0..ns), which ends with END) the nearest to at wins,
 * the correction being the sentence give or take a few characters; the
 * guess is what follows there, at most k tokens. Returns their number, 0
 * when the sentence has no such character. */
static int draft(const int *src, int ns, int last, int at, int k, int *guess) {
    int best = -1;
    for (int i = 0; i < ns; i++)
        if (src[i] == last && (best < 0 || abs(i - at) < abs(best - at))) best = i;
    int g = 0;
    for (int i = best + 1; best >= 0 && i < ns && g < k; i++) guess[g++] = src[i];
    return g;
}

/* Longest guess checked in one pass. Each pass reads every weight once
 * however many rows it runs, and each row costs the same, so a longer
 * guess saves passes while it holds and wastes rows where it fails. On the
 * lab's prompts (the trained model, one process alternating the lengths 41
 * times, medians, with an earlier build of the products): no guess 613 us
 * a correction, 2: 511, 3: 502, 4: 506, 5: 499, 6: 533, 8: 549. Guessing
 * from the last two characters, longer when both match, did no better
 * (477-522 us against 477 for 4, within the noise). */
#define DRAFT_MAX 4

int agent_correct(const gpt_model *m, gpt_state *s, const char *sentence,
                  const char *learner_id, agent_result *out) {
    int rc = agent_validate(m, sentence, NULL);
    if (rc) return rc;
    if (learner_id) {
        size_t ln = strlen(learner_id);
        if (ln > AGENT_MAX_LEARNER_ID || utf8_check(learner_id, ln, NULL))
            return GPT_ELEARNER;
    }

    /* The prompt: the sentence, then SEP. src is what the correction
     * copies: the sentence, then END. */
    int tokens[GPT_MAX_CONTEXT], src[GPT_MAX_CONTEXT];
    int n = (int)strlen(sentence);
    for (int i = 0; i < n; i++) tokens[i] = gpt_token_of((unsigned char)sentence[i]);
    memcpy(src, tokens, sizeof(int) * (size_t)n);
    tokens[n] = GPT_TOKEN_SEP;
    src[n] = GPT_TOKEN_END;

    memset(out, 0, sizeof *out);
    out->prompt_tokens = n + 1;
    int limit = n + GPT_CORRECTION_SLACK, V = (int)m->cfg.vocab_size, len = 0;
    const float *logits = gpt_prefill(m, s, tokens, n + 1);
    if (!logits) return GPT_ETOOLONG; /* cannot happen: agent_validate bounds n */
    out->passes = 1;
    out->tokens_run = n + 1;
    out->flops_run = gpt_prefill_flops(m, n + 1);
    int next = pick_token(logits, V);
    /* Greedy decoding, a guess at a time: feed the token just chosen and a
     * draft of the ones after it in one pass. Row j of its logits says what
     * follows feed[j], and the draft holds as long as it agrees; the first
     * row that disagrees gives the next token. Each row is what a step of
     * its own would give (gpt_extend), so the correction is the one that
     * stepping one token at a time gives. */
    for (;;) {
        out->generated_tokens++;
        if (next == GPT_TOKEN_END) {
            out->stopped_at_end = 1;
            break;
        }
        out->text[len++] = gpt_char_of(next);
        if (len == limit) break; /* the last character needs no pass */
        int feed[DRAFT_MAX + 1], room = limit - len - 1; /* guesses still usable */
        feed[0] = next;
        int k = draft(src, n + 1, next, len - 1, room < DRAFT_MAX ? room : DRAFT_MAX, feed + 1);
        int base = gpt_cached(s);
        logits = gpt_extend(m, s, feed, k + 1);
        if (!logits) break; /* cannot happen: the limit fits the context */
        out->passes++;
        out->tokens_run += k + 1;
        /* gpt_forward_flops counts one row's head; a pass runs k + 1. */
        out->flops_run += gpt_forward_flops(m, base, k + 1) +
                          2.0 * k * m->cfg.vocab_size * m->cfg.d_model;
        int j = 0; /* feed[0..j] are confirmed */
        while (j < k && pick_token(logits + (size_t)j * V, V) == feed[j + 1]) {
            j++;
            out->generated_tokens++;
            if (feed[j] == GPT_TOKEN_END) break;
            out->text[len++] = gpt_char_of(feed[j]);
        }
        if (feed[j] == GPT_TOKEN_END && j > 0) {
            out->stopped_at_end = 1;
            break;
        }
        gpt_rewind(s, base + j + 1); /* the rest of the draft was wrong */
        next = pick_token(logits + (size_t)j * V, V);
    }
    out->text[len] = '\0';
    return 0;
}

double agent_correct_flops(const gpt_model *m, const agent_result *r) {
    double f = gpt_forward_flops(m, 0, r->prompt_tokens);
    for (int i = 0; i + 1 < r->generated_tokens; i++)
        f += gpt_forward_flops(m, r->prompt_tokens + i, 1);
    return f;
}
