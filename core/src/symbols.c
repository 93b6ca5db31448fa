/*
 * symbols.c — symbolization with elfutils libdw (see symbols.h).
 *
 * dwfl_linux_proc_report() reads /proc/self/maps and reports each loaded ELF object;
 * dwfl_module_addrinfo() finds the symbol covering an address in the object's symbol
 * tables; dwfl_module_getsrc() finds the DWARF line entry; dwarf_getscopes() lists the
 * DWARF scopes around the address, innermost first, whose DW_TAG_inlined_subroutine
 * entries are the inlined calls: each one's DW_AT_call_file/call_line is the line in the
 * function it was inlined into. All of that is slow, so results are cached per address.
 */
#define _GNU_SOURCE
#include "symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"

#define MAX_INLINE_DEPTH 32

struct cache_entry {
    struct cache_entry *next; /* every entry, to free them */
    struct symbol sym;
};

struct build_id_entry {
    struct build_id_entry *next;
    Dwfl_Module *mod;
    char *hex;
};

struct symbolizer {
    Dwfl *dwfl;
    struct hash_table cache; /* pc -> struct cache_entry * */
    struct cache_entry *entries;
    struct build_id_entry *build_ids;
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

static void symbol_free(struct symbol *sym)
{
    for (size_t i = 0; i < sym->nframes; i++) {
        free((char *)sym->frames[i].function);
        free((char *)sym->frames[i].file);
    }
    free(sym->frames);
    free((char *)sym->module);
}

void symbolizer_close(struct symbolizer *s)
{
    if (!s)
        return;
    while (s->entries) {
        struct cache_entry *next = s->entries->next;
        symbol_free(&s->entries->sym);
        free(s->entries);
        s->entries = next;
    }
    hash_free(&s->cache);
    while (s->build_ids) {
        struct build_id_entry *next = s->build_ids->next;
        free(s->build_ids->hex);
        free(s->build_ids);
        s->build_ids = next;
    }
    if (s->dwfl)
        dwfl_end(s->dwfl);
    free(s);
}

static char *str_dup_or_null(const char *p)
{
    return p ? strdup(p) : NULL;
}

/* The name of a subprogram or inlined-subroutine DIE, following abstract origins. */
static const char *die_function_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *name = NULL;
    if (dwarf_attr_integrate(die, DW_AT_name, &attr))
        name = dwarf_formstring(&attr);
    return name ? name : "[inlined]";
}

/* The source file named by a DW_AT_call_file index in the DIE's compilation unit. */
static const char *die_call_file(Dwarf_Die *die, Dwarf_Die *cu)
{
    Dwarf_Attribute attr;
    Dwarf_Word index;
    Dwarf_Files *files;
    size_t nfiles;
    if (!dwarf_attr(die, DW_AT_call_file, &attr) || dwarf_formudata(&attr, &index) != 0 ||
        dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || index >= nfiles)
        return NULL;
    return dwarf_filesrc(files, index, NULL, NULL);
}

static int die_call_line(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    Dwarf_Word line;
    if (!dwarf_attr(die, DW_AT_call_line, &attr) || dwarf_formudata(&attr, &line) != 0)
        return 0;
    return (int)line;
}

static int add_frame(struct symbol *sym, const char *function, const char *file, int line)
{
    struct symbol_frame *f = &sym->frames[sym->nframes];
    f->function = strdup(function);
    f->file = str_dup_or_null(file);
    f->line = line;
    if (!f->function)
        return -1;
    sym->nframes++;
    return 0;
}

/* Fills the frames: inlined callees (from DWARF scopes) innermost first, then the
 * function itself named `outer_name`. `file`/`line` are the line-table entry of pc. */
static int resolve_frames(struct symbol *sym, Dwfl_Module *mod, uintptr_t pc,
                          const char *outer_name, const char *file, int line)
{
    sym->frames = calloc(MAX_INLINE_DEPTH + 1, sizeof *sym->frames);
    if (!sym->frames)
        return -1;
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = mod ? dwfl_module_addrdie(mod, (Dwarf_Addr)pc, &bias) : NULL;
    Dwarf_Die *scopes = NULL;
    int nscopes = cu ? dwarf_getscopes(cu, (Dwarf_Addr)pc - bias, &scopes) : 0;
    for (int i = 0; i < nscopes && sym->nframes < MAX_INLINE_DEPTH; i++) {
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
            continue;
        /* This inlined callee runs at (file, line); its call site is the position in the
         * next outer function, used for the next frame. */
        if (add_frame(sym, die_function_name(&scopes[i]), file, line) != 0)
            break;
        file = die_call_file(&scopes[i], cu);
        line = die_call_line(&scopes[i]);
    }
    free(scopes);
    return add_frame(sym, outer_name, file, line);
}

static void resolve(struct symbolizer *s, uintptr_t pc, struct symbol *out)
{
    memset(out, 0, sizeof *out);
    Dwfl_Module *mod = s->dwfl ? dwfl_addrmodule(s->dwfl, (Dwarf_Addr)pc) : NULL;
    char buf[512];
    if (!mod) {
        snprintf(buf, sizeof buf, "0x%lx", (unsigned long)pc);
        resolve_frames(out, NULL, pc, buf, NULL, 0);
        return;
    }
    Dwarf_Addr start = 0;
    const char *modname = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    out->module = str_dup_or_null(modname);
    out->module_start = (uintptr_t)start;

    GElf_Off offset;
    GElf_Sym elfsym;
    const char *name = dwfl_module_addrinfo(mod, (GElf_Addr)pc, &offset, &elfsym, NULL, NULL, NULL);
    if (name) {
        /* Drop an ELF symbol version ("__libc_start_main@@GLIBC_2.34"): C and C++
         * names never contain '@', and tools expect the plain name. */
        size_t n = strcspn(name, "@");
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), name);
        out->known = 1;
    } else {
        const char *base = modname ? strrchr(modname, '/') : NULL;
        snprintf(buf, sizeof buf, "%s+0x%lx", base ? base + 1 : (modname ? modname : "?"),
                 (unsigned long)(pc - start));
    }

    const char *file = NULL;
    int line = 0;
    Dwfl_Line *dl = dwfl_module_getsrc(mod, (Dwarf_Addr)pc);
    if (dl)
        file = dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL);
    resolve_frames(out, mod, pc, buf, file, line);
}

static const struct symbol unknown_symbol = {
    .frames = (struct symbol_frame[]){{.function = "[unknown]"}},
    .nframes = 1,
};

const struct symbol *symbolizer_lookup(struct symbolizer *s, uintptr_t pc)
{
    uint64_t found;
    if (hash_find(&s->cache, pc, &found))
        return &((struct cache_entry *)(uintptr_t)found)->sym;
    struct cache_entry *e = calloc(1, sizeof *e);
    if (!e)
        return &unknown_symbol;
    resolve(s, pc, &e->sym);
    if (e->sym.nframes == 0) {
        symbol_free(&e->sym);
        free(e);
        return &unknown_symbol;
    }
    e->next = s->entries;
    s->entries = e;
    /* Out of memory here leaves pc uncached: the next lookup resolves it again. */
    (void)hash_add(&s->cache, pc, (uintptr_t)e);
    return &e->sym;
}

const char *symbolizer_build_id(struct symbolizer *s, uintptr_t addr)
{
    Dwfl_Module *mod = s->dwfl ? dwfl_addrmodule(s->dwfl, (Dwarf_Addr)addr) : NULL;
    if (!mod)
        return "";
    for (struct build_id_entry *b = s->build_ids; b; b = b->next)
        if (b->mod == mod)
            return b->hex;
    const unsigned char *bits;
    GElf_Addr vaddr;
    Dwarf_Addr bias;
    dwfl_module_getelf(mod, &bias); /* the build id is known once the ELF file is open */
    int n = dwfl_module_build_id(mod, &bits, &vaddr);
    struct build_id_entry *b = calloc(1, sizeof *b);
    if (!b)
        return "";
    b->mod = mod;
    b->hex = calloc(1, n > 0 ? (size_t)n * 2 + 1 : 1);
    if (!b->hex) {
        free(b);
        return "";
    }
    for (int i = 0; i < n; i++)
        sprintf(b->hex + 2 * i, "%02x", bits[i]);
    b->next = s->build_ids;
    s->build_ids = b;
    return b->hex;
}
