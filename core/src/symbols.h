/*
 * symbols.h — address to functions, files and lines, for this process, with elfutils
 * libdw; inlined calls expanded.
 *
 * Contract: symbolizer_open() snapshots the process's mappings (/proc/self/maps), so
 * call it while the code that was sampled is still loaded. Function names come from the
 * ELF symbol tables (.symtab when present, so static functions resolve; .dynsym
 * otherwise) and from DWARF for inlined functions; files and lines from DWARF. Results
 * are cached per address; returned memory lives until symbolizer_close().
 * Not for signal handlers (allocates, reads files).
 */
#ifndef HZPROF_SYMBOLS_H
#define HZPROF_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symbolizer;

struct symbol_frame {
    const char *function; /* never NULL */
    const char *file;     /* NULL if unknown */
    int line;             /* 0 if unknown */
};

struct symbol {
    /* Innermost first: frames[0] is the inlined callee the address is in (or the function
     * itself), frames[nframes - 1] the function the code belongs to. nframes >= 1. The
     * last frame's function is a symbol-table name, "module+0xOFF" or "0xADDR". */
    struct symbol_frame *frames;
    size_t nframes;
    int known;          /* 1 if the function was found in a symbol table */
    const char *module; /* path of the loaded object, or NULL */
    uintptr_t module_start;
};

struct symbolizer *symbolizer_open(void);
void symbolizer_close(struct symbolizer *s);

/* Looks up `pc`. For return addresses (every frame but the leaf) pass pc - 1, so the call
 * instruction, not the one after it, is looked up. Returns a cached entry, never NULL. */
const struct symbol *symbolizer_lookup(struct symbolizer *s, uintptr_t pc);

/* The GNU build id of the object loaded at `addr`, as lowercase hex, or "" if none. The
 * string lives until symbolizer_close(). */
const char *symbolizer_build_id(struct symbolizer *s, uintptr_t addr);

#endif
