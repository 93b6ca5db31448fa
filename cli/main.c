/*
 * main.c — the hzprof command: a table of subcommands, as git and perf do.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "hzprof.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"record", cmd_record, "run a program with every thread profiled; write pprof/folded"},
    {"flame", cmd_flame, "interactive flame graph SVG from a pprof or folded profile"},
    {"top", cmd_top, "the functions with the most samples in a profile (pprof or folded)"},
    {"bench", cmd_bench, "measure profiling overhead: interleaved trials, CIs, results/"},
    {"plot", cmd_plot, "gnuplot charts of bench results (SVG, PNG, .gp, .dat)"},
    {"report", cmd_report, "bench results as md, html or latex; runs side by side"},
    {"score", cmd_score, "attribution error of a truth-workload profile against its truth"},
    {"cost", cmd_cost, "measure what one sample costs, per sampler and unwinder"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: hzprof [--help] [--version] <command> [<args>]\n\n"
                 "A sampling CPU profiler and a harness that measures its overhead.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nSamplers:");
    for (const char *const *n = hzprof_sampler_names(); *n; n++)
        fprintf(out, " %s", *n);
    fprintf(out, "\nUnwinders:");
    for (const char *const *n = hzprof_unwinder_names(); *n; n++)
        fprintf(out, " %s", *n);
    fprintf(out, "\n\nRun 'hzprof <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("hzprof %s\n", HZPROF_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "hzprof: '%s' is not a command; see 'hzprof --help'\n", cmd);
    return 2;
}
