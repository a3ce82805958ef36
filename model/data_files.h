/* data_files.h - where the binaries find the project's data files. */
#ifndef MINIGPT_DATA_FILES_H
#define MINIGPT_DATA_FILES_H

#include <stddef.h>

/* The trained weights and the lab's prompts, as paths under the project. */
#define MG_DEFAULT_WEIGHTS "model/weights/minigpt-verbs.bin"
#define MG_DEFAULT_PROMPTS "experiments/prompts/lab01_verb_corrections.json"

/* The data file rel, a path under the project: in an installed copy
 * (`cmake --install`), the one installed beside the running binary;
 * otherwise the one in the source tree this binary was built from. Not
 * thread-safe: call it before starting threads. The string lives until
 * exit. */
const char *mg_data_file(const char *rel);

/* Writes the installed data folder of the running binary into out and
 * returns 1, or returns 0 when the binary runs from its build tree. */
int mg_installed_data_dir(char *out, size_t size);

#endif
