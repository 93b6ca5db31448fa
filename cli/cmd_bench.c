/*
 * cmd_bench.c — `hzprof bench`: measures what profiling costs (see harness/bench.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench_summary.h"
#include "bench_config.h"
#include "commands.h"
#include "results_load.h"
#include "summary_md.h"
#include "text_file.h"

#define PREFIX "hzprof bench: "

static void bench_usage(FILE *out)
{
    fprintf(out,
            "usage: hzprof bench [quick|full|cachegrind|bias|budget|CONFIG.json] [-o DIR] "
            "[--resume DIR]\n"
            "                    [--workloads LIST] [--samplers LIST] [--unwinders LIST]\n"
            "                    [--rates LIST] [--reps N] [--warmup N] [--seed N]\n"
            "                    [--cachegrind] [--dry-run]\n\n"
            "Runs every workload with profiling off and with each sampler x unwinder x rate,\n"
            "each trial a fresh process, in shuffled blocks; appends each trial to\n"
            "DIR/trials.jsonl at once and ends with DIR/results.json and DIR/summary.md.\n\n"
            "  PRESET|FILE       preset (quick, full, cachegrind, bias, budget) or JSON (default "
            "quick;\n"
            "                    see results/README.md)\n"
            "  -o DIR            output directory (default results/<UTC date>-<host>)\n"
            "  --resume DIR      finish an interrupted run: only the missing trials run\n"
            "  --workloads LIST  keep only these workloads of the config (comma-separated)\n"
            "  --samplers LIST, --unwinders LIST, --rates LIST   replace the config's lists\n"
            "  --baselines LIST  also measure other profilers (where installed): gperftools,\n"
            "                    gperftools-thread, perf-record, go-pprof (Go twins)\n"
            "  --reps N, --warmup N, --seed N                    replace those settings\n"
            "  --cachegrind      run the trials under valgrind --tool=cachegrind and record\n"
            "                    simulated D1/LL misses (slow: use small configs)\n"
            "  --dry-run         print the plan and exit\n");
}

/* The run's progress on stderr: a bar redrawn in place on a terminal, a line per trial
 * otherwise (a log). */
static void print_trial(void *ctx, const struct bench_trial_done *t)
{
    const bool tty = *(const bool *)ctx;
    const size_t done = t->done, total = t->total;
    const double elapsed = t->elapsed_s, eta = t->eta_s;
    if (tty) {
        int width = 30, fill = total ? (int)(width * done / total) : width;
        fprintf(stderr, "\r[%.*s%*s] %zu/%zu trials  %02d:%02d elapsed  ETA %02d:%02d  %-40.40s",
                fill, "##############################", width - fill, "", done, total,
                (int)elapsed / 60, (int)elapsed % 60, (int)eta / 60, (int)eta % 60, t->what);
        if (done == total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "bench: %zu/%zu %s (%.0fs elapsed, ETA %.0fs)\n", done, total, t->what,
                elapsed, eta);
    }
}

static void print_note(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, PREFIX "%s\n", line);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) >= 0 ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

static void print_failed(const char *line, void *ctx)
{
    (void)ctx;
    fprintf(stderr, PREFIX "%s\n", line);
}

/* DIR/summary.md from the DIR/results.json the run just wrote: the tables of `hzprof
 * report DIR`, rendered from the same file. Returns 0, or -1 with a message printed. */
static int write_summary(const char *dir)
{
    char path[PATH_MAX + 32], err[1024];
    cJSON *results = results_load(dir, path, sizeof path, err, sizeof err);
    if (!results) {
        fprintf(stderr, PREFIX "%s\n", err);
        return -1;
    }
    /* A line per configuration whose trials all failed (BENCH_SOME_FAILED). */
    bench_failed_configs(cJSON_GetObjectItem(results, "summary"), print_failed, NULL);
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *f = fopen(path, "w");
    int rc = f ? summary_md_write(f, results) : -1;
    int e = errno;
    if (f && file_close_checked(f) != 0)
        rc = -1, e = errno;
    cJSON_Delete(results);
    if (rc != 0)
        fprintf(stderr, PREFIX "cannot write '%s': %s\n", path, strerror(e));
    return rc;
}

/* Everything after the configuration is known: checks, the plan, the run. */
static int bench_with_config(const struct bench_config *cfg, const char *out_dir, bool resume,
                             bool dry_run)
{
    char path[PATH_MAX + 32];
    if (cfg->cachegrind && access("/usr/bin/valgrind", X_OK) != 0) {
        fprintf(stderr, PREFIX "--cachegrind needs valgrind (apt-get install valgrind)\n");
        return 1;
    }
    /* The workload binaries sit beside this one. */
    char bin_dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", bin_dir, sizeof bin_dir - 1);
    if (n <= 0)
        return 1;
    bin_dir[n] = '\0';
    dirname(bin_dir);
    for (size_t i = 0; i < cfg->nworkloads; i++) {
        snprintf(path, sizeof path, "%s/%s", bin_dir, cfg->workloads[i].program);
        if (access(path, X_OK) != 0) {
            fprintf(stderr, PREFIX "workload program '%s' not found (build with make)\n", path);
            return 1;
        }
    }
    struct bench_plan plan;
    if (bench_plan_make(cfg, &plan) != 0) {
        fprintf(stderr, PREFIX "out of memory\n");
        return 1;
    }
    if (dry_run) {
        printf("%zu configurations in %zu pairs x %zu blocks (%u warm-up) = %zu trials\n",
               plan.nconfigs, plan.pairs_per_block, plan.nblocks, cfg->warmup, plan.ntrials);
        bench_plan_free(&plan);
        return 0;
    }
    bench_plan_free(&plan);

    char default_dir[PATH_MAX];
    if (!out_dir) {
        char host[128] = "host", date[32];
        gethostname(host, sizeof host - 1);
        time_t now = time(NULL);
        strftime(date, sizeof date, "%Y-%m-%dT%H%M%SZ", gmtime(&now));
        mkdir("results", 0777);
        snprintf(default_dir, sizeof default_dir, "results/%s-%s", date, host);
        out_dir = default_dir;
    }
    if (!resume) {
        snprintf(path, sizeof path, "%s/trials.jsonl", out_dir);
        if (access(path, F_OK) == 0) {
            fprintf(stderr, PREFIX "'%s' already holds a run; use --resume %s or another -o\n",
                    out_dir, out_dir);
            return 1;
        }
        if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, PREFIX "cannot create '%s': %s\n", out_dir, strerror(errno));
            return 1;
        }
        cJSON *j = bench_config_to_json(cfg);
        char *text = cJSON_Print(j);
        snprintf(path, sizeof path, "%s/config.json", out_dir);
        int rc = write_text(path, text);
        free(text);
        cJSON_Delete(j);
        if (rc) {
            fprintf(stderr, PREFIX "cannot write '%s': %s\n", path, strerror(errno));
            return 1;
        }
    }
    bool tty = isatty(STDERR_FILENO);
    const struct bench_progress print = {
        .trial_done = print_trial, .note = print_note, .ctx = &tty};
    char err[3 * PATH_MAX];
    int rc = bench_run(cfg, out_dir, bin_dir, resume, &print, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, PREFIX "%s\n", err);
        return 1;
    }
    if ((rc == 0 || rc == BENCH_SOME_FAILED) && write_summary(out_dir) != 0)
        rc = 1;
    if (rc == 0 || rc == BENCH_SOME_FAILED)
        fprintf(stderr, PREFIX "wrote %s/results.json and %s/summary.md\n", out_dir, out_dir);
    if (rc == BENCH_SOME_FAILED) {
        fprintf(stderr, PREFIX "some configurations had no successful trial (above; "
                               "summary.md); exit status 1\n");
        rc = 1;
    }
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option longopts[] = {{"resume", required_argument, 0, 'R'},
                                             {"workloads", required_argument, 0, 'W'},
                                             {"samplers", required_argument, 0, 'S'},
                                             {"unwinders", required_argument, 0, 'U'},
                                             {"rates", required_argument, 0, 'F'},
                                             {"baselines", required_argument, 0, 'B'},
                                             {"reps", required_argument, 0, 'n'},
                                             {"warmup", required_argument, 0, 'w'},
                                             {"seed", required_argument, 0, 's'},
                                             {"cachegrind", no_argument, 0, 'c'},
                                             {"dry-run", no_argument, 0, 'd'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *out_dir = NULL, *resume = NULL;
    const char *overrides[16][2];
    size_t noverrides = 0;
    bool cachegrind = false, dry_run = false;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        const char *key = NULL;
        switch (ch) {
        case 'o': out_dir = optarg; break;
        case 'R': resume = optarg; break;
        case 'W': key = "workloads"; break;
        case 'S': key = "samplers"; break;
        case 'U': key = "unwinders"; break;
        case 'F': key = "rates"; break;
        case 'B': key = "baselines"; break;
        case 'n': key = "repetitions"; break;
        case 'w': key = "warmup"; break;
        case 's': key = "seed"; break;
        case 'c': cachegrind = true; break;
        case 'd': dry_run = true; break;
        case 'h': bench_usage(stdout); return 0;
        default:
            fprintf(stderr, PREFIX "unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
        if (key && noverrides < 16) {
            overrides[noverrides][0] = key;
            overrides[noverrides++][1] = optarg;
        }
    }
    if (optind < argc - 1) {
        fprintf(stderr, PREFIX "unexpected argument '%s'\n", argv[optind + 1]);
        return 2;
    }
    struct bench_config cfg;
    char err[512], path[PATH_MAX + 32];
    if (resume) {
        if (optind < argc || noverrides || out_dir) {
            fprintf(stderr, PREFIX "--resume takes the settings stored in DIR/config.json; "
                                   "give no config, overrides or -o with it\n");
            return 2;
        }
        snprintf(path, sizeof path, "%s/config.json", resume);
        char *text = read_file(path, NULL);
        if (!text) {
            fprintf(stderr, PREFIX "cannot read '%s': %s\n", path, strerror(errno));
            return 1;
        }
        int rc = bench_config_parse(text, &cfg, err, sizeof err);
        free(text);
        if (rc) {
            fprintf(stderr, PREFIX "'%s': %s\n", path, err);
            return 1;
        }
        out_dir = resume;
    } else {
        if (bench_config_load(optind < argc ? argv[optind] : "quick", &cfg, err, sizeof err)) {
            fprintf(stderr, PREFIX "%s\n", err);
            return 2;
        }
        for (size_t i = 0; i < noverrides; i++)
            if (bench_config_override(&cfg, overrides[i][0], overrides[i][1], err, sizeof err)) {
                fprintf(stderr, PREFIX "--%s: %s\n",
                        strcmp(overrides[i][0], "repetitions") == 0 ? "reps" : overrides[i][0],
                        err);
                bench_config_free(&cfg);
                return 2;
            }
        cfg.cachegrind = cfg.cachegrind || cachegrind;
    }
    int rc = bench_with_config(&cfg, out_dir, resume != NULL, dry_run);
    bench_config_free(&cfg);
    return rc;
}
