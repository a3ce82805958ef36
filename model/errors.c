/* errors.c - one sentence for every code model/ returns. */
#include "minigpt.h"

#include <string.h>

const char *gpt_strerror(int rc) {
    switch (rc) {
    case 0: return "success";
    case GPT_EMAGIC: return "not a Mini-GPT weights file (bad magic)";
    case GPT_EVERSION: return "unsupported weights format version";
    case GPT_ECONFIG: return "weights header describes a model this build cannot run";
    case GPT_ESIZE: return "weights file size does not match its header (truncated or padded)";
    case GPT_EEMPTY: return "sentence is empty";
    case GPT_ETOOLONG: return "sentence is longer than the model's context allows";
    case GPT_EUTF8: return "sentence is not valid UTF-8";
    case GPT_EALPHABET: return "sentence has a character outside the model's alphabet";
    case GPT_ELEARNER: return "learner_id is too long or not valid UTF-8";
    case GPT_EPROMPTS: return "prompts file is malformed";
    }
    if (rc < 0 && rc > GPT_ERR_BASE) return strerror(-rc);
    return "unknown error";
}
