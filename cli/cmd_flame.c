/*
 * cmd_flame.c — `hzprof flame INPUT -o OUT.svg [options]`: an interactive flame graph
 * from a pprof profile or folded stacks (see viz/flame.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "flame.h"
#include "pprof_decode.h"
#include "profile_input.h"
#include "text_file.h"

#define PREFIX "hzprof flame: "

static void flame_usage(FILE *out)
{
    fprintf(out,
            "usage: hzprof flame INPUT -o OUT.svg [options]\n\n"
            "An interactive flame graph (hover, click to zoom, search with Ctrl-F) from a\n"
            "pprof profile or folded stacks; INPUT '-' reads stdin, '-o -' writes stdout.\n"
            "Values read in the unit of the sample type: time (9.49 s), bytes, or counts\n"
            "(1897 samples); the subtitle names the sample type.\n\n"
            "  --title T, --subtitle S   texts at the top (the sample type follows S)\n"
            "  --width PX                image width (1200)\n"
            "  --height PX               frame height (16)\n"
            "  --minwidth PX             omit frames narrower than this (0.1)\n"
            "  --colors P                hot, mem, io, red, green, blue, aqua, yellow,\n"
            "                            purple, orange (hot)\n"
            "  --hash                    colour by name only: stable across graphs\n"
            "  --inverted                icicle graph, root at the top\n"
            "  --reverse                 merge stacks by leaf (reverse each stack)\n"
            "  --countname NAME          print values as plain numbers followed by NAME\n"
            "                            (default: in the sample type's unit)\n"
            "  --sample-type T           pprof value to weigh by: samples, cpu, wall, ...\n"
            "                            (default: the profile's last sample type:\n"
            "                            cpu/nanoseconds in `hzprof record` profiles,\n"
            "                            wall/nanoseconds with --sampler wall; folded\n"
            "                            input has only samples/count)\n"
            "  --tag KEY=VALUE           only samples with this pprof label\n"
            "  --max-depth N             cut stacks at N frames from the root\n"
            "  --diff BASE               differential: red grew, blue shrank vs BASE (normalised)\n"
            "  -f, --force               overwrite OUT if it exists\n");
}

static int parse_num(const char *flag, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v >= lo && v <= hi)) {
        fprintf(stderr, PREFIX "%s: '%s' is not a number in %g..%g\n", flag, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* An input file as the graph reads it: a decoded profile, or folded text as it is. */
struct input {
    bool is_profile;
    struct pp_profile profile;
    const char *text;
    size_t len;
    void *map; /* mmap'ed file (map_len bytes), or NULL */
    size_t map_len;
    char *buf; /* read from a pipe, or NULL */
};

/* Frees the input's text: a profile's once it is decoded (the profile holds copies of
 * everything), folded text once the graph has taken its stacks (it keeps nothing of it).
 * Idempotent. */
static void input_drop_text(struct input *in)
{
    if (in->map)
        munmap(in->map, in->map_len);
    free(in->buf);
    in->map = NULL;
    in->buf = NULL;
    in->text = NULL;
}

/* Reads PATH ('-': stdin). A regular file is mapped, not read: reading copies every byte
 * through the kernel into fresh heap pages, and those page faults were a third of the
 * time of a large graph. MAP_POPULATE maps it in one go instead of a fault per page.
 * Returns 0, or -1 with the reason in err (as profile_load words it). */
static int input_load(const char *path, struct input *in, char *err, size_t n)
{
    memset(in, 0, sizeof *in);
    const bool std_in = strcmp(path, "-") == 0;
    int fd = std_in ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    if (!std_in && fd < 0) {
        snprintf(err, n, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((unsigned long long)st.st_size > TEXT_FILE_MAX_BYTES) {
            snprintf(err, n, "cannot read '%s': %s", path, strerror(EFBIG));
            close(fd);
            return -1;
        }
        in->map_len = (size_t)st.st_size;
        in->map = mmap(NULL, in->map_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (in->map == MAP_FAILED) {
            in->map = NULL;
            snprintf(err, n, "cannot read '%s': %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        close(fd);
        in->text = in->map;
        in->len = in->map_len;
    } else {
        FILE *f = std_in ? stdin : fdopen(fd, "rb");
        if (!f) {
            snprintf(err, n, "cannot read '%s': %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        in->buf = read_stream(f, &in->len);
        int e = errno;
        if (!std_in)
            fclose(f);
        if (!in->buf) {
            snprintf(err, n, "cannot read '%s': %s", path, strerror(e));
            return -1;
        }
        in->text = in->buf;
    }
    if (pprof_is_gzip((const uint8_t *)in->text, in->len)) {
        char why[256];
        int rc = pprof_decode((const uint8_t *)in->text, in->len, &in->profile, why, sizeof why);
        input_drop_text(in);
        if (rc != 0) {
            snprintf(err, n, "'%s': %s", path, why);
            return -1;
        }
        in->is_profile = true;
    }
    return 0;
}

static void input_free(struct input *in)
{
    if (in->is_profile)
        profile_free(&in->profile);
    input_drop_text(in);
}

/* The index of the sample value to weigh by: sample type `type`, or the last one when
 * NULL (-1 for folded input, whose only value is samples). Returns it, or -2 after printing
 * one line that names what was looked for and what `path` has (also for a profile without
 * sample types, which would otherwise be drawn as an empty graph). `what` prefixes the
 * message for the --diff base. */
static int value_index(const struct input *in, const char *type, const char *path, const char *what)
{
    if (!in->is_profile) {
        if (!type || strcmp(type, "samples") == 0)
            return type ? 0 : -1;
        fprintf(stderr, PREFIX "%sno sample type '%s' in '%s' (it has: samples)\n", what, type,
                path);
        return -2;
    }
    char err[512];
    int i = profile_value_index(&in->profile, type, path, err, sizeof err);
    if (i < 0) {
        fprintf(stderr, PREFIX "%s%s\n", what, err);
        return -2;
    }
    return i;
}

/* Adds in to g. Returns 0, or -1 after printing why (what: how to name the input). */
static int add_input(struct flame_graph *g, const struct input *in, int vi, bool base,
                     const char *path, const char *what)
{
    char err[256];
    int rc = in->is_profile ? flame_graph_add_profile(g, &in->profile, vi, base)
                            : flame_graph_add_folded(g, in->text, in->len, base, err, sizeof err);
    if (rc == 0)
        return 0;
    if (in->is_profile || errno == ENOMEM)
        fprintf(stderr, PREFIX "%s%s\n", what, strerror(ENOMEM));
    else
        fprintf(stderr, PREFIX "%s'%s': %s\n", what, path, err);
    return -1;
}

int cmd_flame(int argc, char **argv)
{
    static const struct option longopts[] = {{"title", required_argument, 0, 'T'},
                                             {"subtitle", required_argument, 0, 'S'},
                                             {"width", required_argument, 0, 'W'},
                                             {"height", required_argument, 0, 'H'},
                                             {"minwidth", required_argument, 0, 'm'},
                                             {"colors", required_argument, 0, 'c'},
                                             {"hash", no_argument, 0, 'h' + 256},
                                             {"inverted", no_argument, 0, 'i'},
                                             {"reverse", no_argument, 0, 'r'},
                                             {"countname", required_argument, 0, 'n'},
                                             {"sample-type", required_argument, 0, 't'},
                                             {"tag", required_argument, 0, 'g'},
                                             {"max-depth", required_argument, 0, 'd'},
                                             {"diff", required_argument, 0, 'D'},
                                             {"force", no_argument, 0, 'f'},
                                             {"output", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    struct flame_options o;
    flame_options_init(&o);
    const char *out_path = NULL, *type = NULL, *diff = NULL;
    char *tag = NULL;
    bool force = false;
    double v;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:fh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': out_path = optarg; break;
        case 'T': o.title = optarg; break;
        case 'S': o.subtitle = optarg; break;
        case 'W':
            if (parse_num("--width", optarg, 100, 100000, &v))
                return 2;
            o.width = (unsigned)v;
            break;
        case 'H':
            if (parse_num("--height", optarg, 4, 200, &v))
                return 2;
            o.frame_height = (unsigned)v;
            break;
        case 'm':
            if (parse_num("--minwidth", optarg, 0, 1000, &o.min_width))
                return 2;
            break;
        case 'c': {
            bool ok = false;
            for (const char *const *p = flame_palettes; *p; p++)
                ok |= strcmp(*p, optarg) == 0;
            if (!ok) {
                fprintf(stderr,
                        PREFIX "--colors: unknown palette '%s' (hot, mem, io, red, green, "
                               "blue, aqua, yellow, purple, orange)\n",
                        optarg);
                return 2;
            }
            o.colors = optarg;
            break;
        }
        case 'h' + 256: o.hash = true; break;
        case 'i': o.inverted = true; break;
        case 'r': o.reverse = true; break;
        case 'n': o.count_name = optarg; break;
        case 't': type = optarg; break;
        case 'g':
            tag = optarg;
            if (!strchr(tag, '=') || tag[0] == '=') {
                fprintf(stderr, PREFIX "--tag: expected KEY=VALUE, got '%s'\n", tag);
                return 2;
            }
            break;
        case 'd':
            if (parse_num("--max-depth", optarg, 1, 100000, &v))
                return 2;
            o.max_depth = (unsigned)v;
            break;
        case 'D': diff = optarg; break;
        case 'f': force = true; break;
        case 'h': flame_usage(stdout); return 0;
        default:
            fprintf(stderr, PREFIX "unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, PREFIX "expected one INPUT profile; see --help\n");
        return 2;
    }
    if (!out_path) {
        fprintf(stderr, PREFIX "no output: give -o OUT.svg (or -o - for stdout)\n");
        return 2;
    }
    if (strcmp(out_path, "-") != 0 && !force && access(out_path, F_OK) == 0) {
        fprintf(stderr, PREFIX "'%s' exists; use -f to overwrite it\n", out_path);
        return 1;
    }
    char tag_key[256] = "";
    if (tag) {
        snprintf(tag_key, sizeof tag_key, "%.*s", (int)(strchr(tag, '=') - tag), tag);
        o.tag_key = tag_key;
        o.tag_value = strchr(tag, '=') + 1;
    }
    struct input in, base;
    char err[512];
    if (input_load(argv[optind], &in, err, sizeof err) != 0) {
        fprintf(stderr, PREFIX "%s\n", err);
        return 1;
    }
    int rc = 1, vi, bvi = -1;
    bool have_base = false;
    struct flame_graph *g = flame_graph_new(&o);
    if (!g) {
        fprintf(stderr, PREFIX "%s\n", strerror(ENOMEM));
        goto out;
    }
    if ((vi = value_index(&in, type, argv[optind], "")) == -2)
        goto out;
    if (diff) {
        if (input_load(diff, &base, err, sizeof err) != 0) {
            fprintf(stderr, PREFIX "--diff: %s\n", err);
            goto out;
        }
        have_base = true;
        if ((bvi = value_index(&base, type, diff, "--diff: ")) == -2)
            goto out;
    }
    if (add_input(g, &in, vi, false, argv[optind], "") != 0)
        goto out;
    input_drop_text(&in);
    if (have_base && add_input(g, &base, bvi, true, diff, "--diff: ") != 0)
        goto out;
    if (have_base)
        input_drop_text(&base);
    /* A file output appears whole or not at all: with -f the old one stays until the
     * new one is complete (issue 14 #7). */
    const bool to_stdout = strcmp(out_path, "-") == 0;
    struct atomic_file af;
    if (!to_stdout && atomic_file_open(&af, out_path) != 0) {
        fprintf(stderr, PREFIX "cannot write '%s': %s\n", out_path, strerror(errno));
        goto out;
    }
    FILE *f = to_stdout ? stdout : af.f;
    int werr = flame_graph_write(g, f);
    int e = errno;
    if (werr && !to_stdout) {
        atomic_file_abort(&af);
    } else if (to_stdout ? fflush(f) != 0 : atomic_file_commit(&af) != 0) {
        werr = -1;
        e = errno;
    }
    if (werr) {
        fprintf(stderr, PREFIX "cannot write '%s': %s\n", out_path, strerror(e));
        goto out;
    }
    rc = 0;
out:
    flame_graph_free(g);
    input_free(&in);
    if (have_base)
        input_free(&base);
    return rc;
}
