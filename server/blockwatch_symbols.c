/* blockwatch_symbols.c - turns a sample's program counters into function,
 * file and line, on the watchdog thread.
 *
 * libbacktrace (shipped with GCC; see the README for why not libdw) reads
 * the DWARF line tables of the executable and of shared objects that have
 * them, and reports inlined calls as frames of their own, so a static
 * function the compiler folded into its caller still shows up with its own
 * line. Frames without debug information (libc, libuv, OpenBLAS) get the
 * symbol name, its offset and the shared object instead. Source lines are
 * read from the files named in the debug information, when they are still
 * there.
 *
 * A program built or stripped without debug information has no file names
 * to blame by, so there the innermost frame of the program's own object
 * (the one this code is linked into) is blamed: the application's code as
 * opposed to the libraries', named by function and offset.
 */
#include "blockwatch_internal.h"

#include <backtrace.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Source files whose text is kept for their lines. */
#define BW_SOURCE_CACHE 16

typedef struct {
    char *path;
    char *text; /* NULL: could not be read */
    size_t len;
} source_file;

/* libbacktrace has no way to free a state, so there is one per process,
 * made by the first detector and used by each after it (one at a time). */
static struct backtrace_state *process_bt;

struct bw_symbols {
    struct backtrace_state *bt;
    char *source_dir;
    char *blame_dir;
    uintptr_t program_base; /* load address of the object this code is in */
    int program_has_lines;  /* it has debug information: blame by blame_dir */
    source_file sources[BW_SOURCE_CACHE];
    int n_sources;
    blockwatch_frame scratch[BLOCKWATCH_MAX_FRAMES]; /* innermost first */
};

/* libbacktrace reports "no debug info" and similar through this; a frame
 * without them is normal (libc), so there is nothing to say. */
static void ignore_error(void *data, const char *msg, int errnum) {
    (void)data;
    (void)msg;
    (void)errnum;
}

static int note_has_lines(void *data, uintptr_t pc, const char *filename,
                          int lineno, const char *function) {
    (void)pc;
    (void)lineno;
    (void)function;
    if (filename) *(int *)data = 1;
    return 1;
}

int bw_symbols_new(const char *source_dir, const char *blame_dir,
                   bw_symbols **out) {
    bw_symbols *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->source_dir = strdup(source_dir ? source_dir : "");
    s->blame_dir = strdup(blame_dir ? blame_dir : "");
    /* threaded: the state is used by the watchdog thread, not the thread
     * that made it. */
    if (!process_bt) process_bt = backtrace_create_state(NULL, 1, ignore_error, NULL);
    s->bt = process_bt;
    if (!s->source_dir || !s->blame_dir || !s->bt) {
        bw_symbols_free(s);
        return -ENOMEM;
    }
    Dl_info self;
    if (dladdr((void *)&bw_symbols_new, &self)) s->program_base = (uintptr_t)self.dli_fbase;
    backtrace_pcinfo(s->bt, (uintptr_t)&bw_symbols_new, note_has_lines, ignore_error,
                     &s->program_has_lines);
    *out = s;
    return 0;
}

void bw_symbols_free(bw_symbols *s) {
    if (!s) return;
    for (int i = 0; i < s->n_sources; i++) {
        free(s->sources[i].path);
        free(s->sources[i].text);
    }
    free(s->source_dir);
    free(s->blame_dir);
    free(s);
}

static void copy(char *dst, size_t size, const char *src) {
    snprintf(dst, size, "%s", src ? src : "");
}

/* Returns 1 if path is dir or inside it. */
static int under(const char *path, const char *dir) {
    size_t n = strlen(dir);
    if (n == 0 || strncmp(path, dir, n) != 0) return 0;
    return path[n] == '/' || path[n] == '\0' || dir[n - 1] == '/';
}

static const source_file *source(bw_symbols *s, const char *path) {
    for (int i = 0; i < s->n_sources; i++)
        if (strcmp(s->sources[i].path, path) == 0) return &s->sources[i];
    source_file *f;
    if (s->n_sources < BW_SOURCE_CACHE) {
        f = &s->sources[s->n_sources++];
    } else {
        f = &s->sources[BW_SOURCE_CACHE - 1]; /* evict the last one */
        free(f->path);
        free(f->text);
    }
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (!f->path) {
        s->n_sources--;
        return NULL;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) return f;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        char *t = realloc(f->text, f->len + n + 1);
        if (!t) break;
        f->text = t;
        memcpy(f->text + f->len, buf, n);
        f->len += n;
        f->text[f->len] = '\0';
    }
    fclose(fp);
    return f;
}

/* Copies line lineno (1-based) of path, without its indentation. Only
 * absolute paths are read: a relative one in the debug information (glibc's
 * "../sysdeps/...") is relative to where that library was built, not to
 * our working directory. */
static void source_line(bw_symbols *s, const char *path, int lineno, char *out,
                        size_t size) {
    out[0] = '\0';
    if (path[0] != '/') return;
    const source_file *f = source(s, path);
    if (!f || !f->text || lineno <= 0) return;
    const char *p = f->text, *end = f->text + f->len;
    for (int l = 1; l < lineno && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return;
        p = nl + 1;
    }
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    size_t n = 0;
    while (p + n < end && p[n] != '\n' && p[n] != '\r') n++;
    if (n >= size) n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* The frames of one pc, innermost (most inlined) first, as libbacktrace
 * reports them. */
typedef struct {
    bw_symbols *s;
    blockwatch_frame *frames; /* innermost first while collecting */
    int n, max;
    int overflow;
    int blamed;   /* index (innermost-first) or -1 */
    int reached_main;
    int in_detector; /* a frame is the detector's own code */
} collect_state;

/* Object, and the function's name and offset when the symbol table did
 * not give them; returns the object's load address (0: not known). */
static uintptr_t frame_from_object(blockwatch_frame *f, uintptr_t pc) {
    Dl_info info;
    if (!dladdr((void *)pc, &info) || !info.dli_fname) return 0;
    const char *base = strrchr(info.dli_fname, '/');
    copy(f->object, sizeof f->object, base ? base + 1 : info.dli_fname);
    if (!f->function[0] && info.dli_sname) {
        copy(f->function, sizeof f->function, info.dli_sname);
        f->offset = info.dli_saddr ? pc - (uintptr_t)info.dli_saddr : 0;
    } else if (!f->function[0]) {
        f->offset = pc - (uintptr_t)info.dli_fbase;
    }
    return (uintptr_t)info.dli_fbase;
}

static void on_syminfo(void *data, uintptr_t pc, const char *symname,
                       uintptr_t symval, uintptr_t symsize) {
    (void)symsize;
    blockwatch_frame *f = data;
    if (symname) {
        copy(f->function, sizeof f->function, symname);
        f->offset = pc - symval;
    }
}

/* The detector's own functions, known by name where there is no file. */
static int detector_function(const char *name) {
    return strncmp(name, "bw_", 3) == 0 || strncmp(name, "blockwatch", 10) == 0;
}

static int on_pcinfo(void *data, uintptr_t pc, const char *filename, int lineno,
                     const char *function) {
    collect_state *c = data;
    if (c->reached_main) return 1;
    if (c->n == c->max) {
        c->overflow = 1;
        return 1;
    }
    blockwatch_frame *f = &c->frames[c->n];
    memset(f, 0, sizeof *f);
    if (function) copy(f->function, sizeof f->function, function);
    if (filename) {
        const char *shown = filename;
        size_t dn = strlen(c->s->source_dir);
        if (under(filename, c->s->source_dir) && filename[dn] == '/')
            shown = filename + dn + 1;
        copy(f->file, sizeof f->file, shown);
        f->line = lineno;
        const char *base = strrchr(filename, '/');
        if (strncmp(base ? base + 1 : filename, "blockwatch", 10) == 0) c->in_detector = 1;
        source_line(c->s, filename, lineno, f->source, sizeof f->source);
        if (c->blamed < 0 && under(filename, c->s->blame_dir)) c->blamed = c->n;
    } else {
        backtrace_syminfo(c->s->bt, pc, on_syminfo, ignore_error, f);
        uintptr_t object = frame_from_object(f, pc);
        if (detector_function(f->function)) c->in_detector = 1;
        else if (c->blamed < 0 && !c->s->program_has_lines && object &&
                 object == c->s->program_base)
            c->blamed = c->n;
    }
    /* Code with line information but no function of its own in it (an
     * asm block in a C file): the symbol table may still name it. */
    if (!f->function[0]) backtrace_syminfo(c->s->bt, pc, on_syminfo, ignore_error, f);
    if (!f->function[0]) copy(f->function, sizeof f->function, "??");
    c->n++;
    /* Outer frames are the C library starting the program. */
    if (strcmp(f->function, "main") == 0) c->reached_main = 1;
    return 0;
}

void bw_symbols_warm_up(bw_symbols *s) {
    bw_sample one = {.pcs = {(uintptr_t)&bw_symbols_warm_up}, .n = 1};
    static blockwatch_report r; /* at start, before any watchdog runs */
    bw_symbols_resolve(s, &one, &r);
}

/* An inlined function and the out-of-line copy around it (a constprop
 * clone, say) both report the same function: keep the inner, whose line
 * is the one executing. */
static int merge_repeats(blockwatch_frame *f, int n, int *blamed) {
    int out = 0, new_blamed = -1;
    for (int i = 0; i < n; i++) {
        int merged = out > 0 && f[i].file[0] &&
                     strcmp(f[i].function, f[out - 1].function) == 0 &&
                     strcmp(f[i].file, f[out - 1].file) == 0;
        if (!merged) {
            if (out != i) f[out] = f[i];
            out++;
        }
        if (i == *blamed) new_blamed = out - 1;
    }
    *blamed = new_blamed;
    return out;
}

int bw_symbols_resolve(bw_symbols *s, const bw_sample *sample, blockwatch_report *r) {
    blockwatch_frame *inner = s->scratch;
    collect_state c = {s, inner, 0, BLOCKWATCH_MAX_FRAMES, 0, -1, 0, 0};
    for (int i = 0; i < sample->n && !c.reached_main && !c.overflow; i++)
        backtrace_pcinfo(s->bt, sample->pcs[i], on_pcinfo, ignore_error, &c);
    c.n = merge_repeats(inner, c.n, &c.blamed);
    /* Outermost first, as pyleak prints. */
    r->n_frames = c.n;
    for (int i = 0; i < c.n; i++) r->frames[i] = inner[c.n - 1 - i];
    r->blamed = c.blamed < 0 ? -1 : c.n - 1 - c.blamed;
    /* Either the stack was deeper than we keep, or the walk stopped early
     * (code without unwind tables, such as some hand-written kernels). */
    r->truncated = c.overflow || !c.reached_main;
    return c.in_detector;
}
