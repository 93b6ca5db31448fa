/*
 * symbols.h — address to function/file/line, for this process, with elfutils libdw.
 *
 * Contract: symbolizer_open() snapshots the process's mappings (/proc/self/maps), so
 * call it while the code that was sampled is still loaded. Names come from the ELF
 * symbol tables (.symtab when present, so static functions resolve; .dynsym otherwise)
 * and from separate debug info when installed; file and line from DWARF. Results are
 * cached per address; returned strings live until symbolizer_close().
 * Not for signal handlers (allocates, reads files).
 */
#ifndef HZPROF_SYMBOLS_H
#define HZPROF_SYMBOLS_H

#include <stdint.h>

struct symbolizer;

struct symbol {
    const char *function;   /* never NULL: a name, "module+0xOFF", or "0xADDR" */
    const char *file;       /* source file, or NULL */
    int line;               /* 0 if unknown */
    const char *module;     /* path of the loaded object, or NULL */
    uintptr_t module_start; /* load address of the module (for pprof mappings) */
    int known;              /* 1 if function is a real symbol name */
};

struct symbolizer *symbolizer_open(void);
void symbolizer_close(struct symbolizer *s);

/* Looks up `pc`. For return addresses (every frame but the leaf) pass pc - 1, so the call
 * instruction, not the one after it, is looked up. Returns a cached entry. */
const struct symbol *symbolizer_lookup(struct symbolizer *s, uintptr_t pc);

#endif
