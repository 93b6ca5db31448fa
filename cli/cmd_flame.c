/*
 * cmd_flame.c — `hzprof flame INPUT -o OUT.svg [options]`: an interactive flame graph
 * from a pprof profile or folded stacks (see viz/flame.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "flame.h"
#include "profile_input.h"

#define PREFIX "hzprof flame: "

static void flame_usage(FILE *out)
{
    fprintf(out,
            "usage: hzprof flame INPUT -o OUT.svg [options]\n\n"
            "An interactive flame graph (hover, click to zoom, search with Ctrl-F) from a\n"
            "pprof profile or folded stacks; INPUT '-' reads stdin, '-o -' writes stdout.\n\n"
            "  --title T, --subtitle S   texts at the top\n"
            "  --width PX                image width (1200)\n"
            "  --height PX               frame height (16)\n"
            "  --minwidth PX             omit frames narrower than this (0.1)\n"
            "  --colors P                hot, mem, io, red, green, blue, aqua, yellow,\n"
            "                            purple, orange (hot)\n"
            "  --hash                    colour by name only: stable across graphs\n"
            "  --inverted                icicle graph, root at the top\n"
            "  --reverse                 merge stacks by leaf (reverse each stack)\n"
            "  --countname NAME          what a sample counts (samples)\n"
            "  --sample-type T           pprof value to weigh by: samples, cpu, wall (last type)\n"
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

static int value_index(const struct pp_profile *p, const char *type, const char *what)
{
    if (!type)
        return (int)p->nsample_types - 1;
    int i = profile_sample_type_index(p, type);
    if (i < 0)
        fprintf(stderr, PREFIX "%s has no sample type '%s'\n", what, type);
    return i;
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
    struct pp_profile p, base;
    char err[512];
    if (profile_load(argv[optind], &p, err, sizeof err) != 0) {
        fprintf(stderr, PREFIX "%s\n", err);
        return 1;
    }
    int rc = 1;
    bool have_base = false;
    if ((o.value_index = value_index(&p, type, argv[optind])) < 0)
        goto out;
    if (diff) {
        if (profile_load(diff, &base, err, sizeof err) != 0) {
            fprintf(stderr, PREFIX "--diff: %s\n", err);
            goto out;
        }
        have_base = true;
        if ((o.base_value_index = value_index(&base, type, diff)) < 0)
            goto out;
        o.base = &base;
    }
    FILE *f = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "w");
    if (!f) {
        fprintf(stderr, PREFIX "cannot write '%s': %s\n", out_path, strerror(errno));
        goto out;
    }
    int werr = flame_write(&p, &o, f);
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
        werr = -1;
    if (werr) {
        fprintf(stderr, PREFIX "cannot write '%s': %s\n", out_path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    profile_free(&p);
    if (have_base)
        profile_free(&base);
    return rc;
}
