/* tokens.c - the model's alphabet: bytes to tokens and back.
 *
 * GPT_ALPHABET in minigpt.h is the one definition of the characters the
 * model knows; a character's token is its index there plus 2.
 */
#include "minigpt.h"

#include <string.h>

int gpt_token_of(unsigned char c) {
    static const char alphabet[] = GPT_ALPHABET;
    if (c == 0) return -1;
    const char *p = memchr(alphabet, c, sizeof alphabet - 1);
    return p ? (int)(p - alphabet) + 2 : -1;
}

char gpt_char_of(int token) {
    static const char alphabet[] = GPT_ALPHABET;
    if (token < 2 || token >= GPT_VOCAB_SIZE) return 0;
    return alphabet[token - 2];
}
