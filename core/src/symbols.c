/*
 * symbols.c — symbolization with elfutils libdw (see symbols.h).
 *
 * dwfl_linux_proc_report() reads /proc/self/maps and reports each loaded ELF object;
 * dwfl_module_addrinfo() finds the symbol covering an address in the object's symbol
 * tables; dwfl_module_getsrc() finds the DWARF line entry. Both are far too slow to call
 * per sample, so results are cached in a hash table keyed by address.
 */
#define _GNU_SOURCE
#include "symbols.h"

#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cache_entry {
    struct cache_entry *next;
    uintptr_t pc;
    struct symbol sym;
};

struct symbolizer {
    Dwfl *dwfl;
    struct cache_entry **buckets;
    size_t nbuckets;
    size_t count;
};

static const Dwfl_Callbacks proc_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

struct symbolizer *symbolizer_open(void)
{
    struct symbolizer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->nbuckets = 4096;
    s->buckets = calloc(s->nbuckets, sizeof *s->buckets);
    if (!s->buckets) {
        free(s);
        return NULL;
    }
    s->dwfl = dwfl_begin(&proc_callbacks);
    if (s->dwfl) {
        if (dwfl_linux_proc_report(s->dwfl, getpid()) != 0 ||
            dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
            dwfl_end(s->dwfl);
            s->dwfl = NULL; /* addresses will print as hex */
        }
    }
    return s;
}

void symbolizer_close(struct symbolizer *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nbuckets; i++) {
        struct cache_entry *e = s->buckets[i];
        while (e) {
            struct cache_entry *next = e->next;
            free((char *)e->sym.function);
            free((char *)e->sym.file);
            free((char *)e->sym.module);
            free(e);
            e = next;
        }
    }
    free(s->buckets);
    if (s->dwfl)
        dwfl_end(s->dwfl);
    free(s);
}

static char *str_dup_or_null(const char *p)
{
    return p ? strdup(p) : NULL;
}

static void resolve(struct symbolizer *s, uintptr_t pc, struct symbol *out)
{
    memset(out, 0, sizeof *out);
    Dwfl_Module *mod = s->dwfl ? dwfl_addrmodule(s->dwfl, (Dwarf_Addr)pc) : NULL;
    char buf[512];
    if (!mod) {
        snprintf(buf, sizeof buf, "0x%lx", (unsigned long)pc);
        out->function = strdup(buf);
        return;
    }
    Dwarf_Addr start = 0;
    const char *modname = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    out->module = str_dup_or_null(modname);
    out->module_start = (uintptr_t)start;

    GElf_Off offset;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(mod, (GElf_Addr)pc, &offset, &sym, NULL, NULL, NULL);
    if (name) {
        /* Drop an ELF symbol version ("__libc_start_main@@GLIBC_2.34"): C and C++
         * names never contain '@', and tools expect the plain name. */
        out->function = strndup(name, strcspn(name, "@"));
        out->known = 1;
    } else {
        const char *base = modname ? strrchr(modname, '/') : NULL;
        snprintf(buf, sizeof buf, "%s+0x%lx", base ? base + 1 : (modname ? modname : "?"),
                 (unsigned long)(pc - start));
        out->function = strdup(buf);
    }

    Dwfl_Line *line = dwfl_module_getsrc(mod, (Dwarf_Addr)pc);
    if (line) {
        int lineno = 0;
        const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
        out->file = str_dup_or_null(file);
        out->line = lineno;
    }
}

const struct symbol *symbolizer_lookup(struct symbolizer *s, uintptr_t pc)
{
    size_t i = (pc * 0x9e3779b97f4a7c15ull >> 20) & (s->nbuckets - 1);
    for (struct cache_entry *e = s->buckets[i]; e; e = e->next)
        if (e->pc == pc)
            return &e->sym;
    struct cache_entry *e = calloc(1, sizeof *e);
    if (!e) {
        static const struct symbol unknown = {.function = "[unknown]"};
        return &unknown;
    }
    e->pc = pc;
    resolve(s, pc, &e->sym);
    if (!e->sym.function) {
        free(e);
        static const struct symbol unknown = {.function = "[unknown]"};
        return &unknown;
    }
    e->next = s->buckets[i];
    s->buckets[i] = e;
    s->count++;
    return &e->sym;
}
