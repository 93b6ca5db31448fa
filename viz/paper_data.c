/* paper_data.c — the paper's numbers, tables and charts from one run (see paper_data.h). */
#define _GNU_SOURCE
#include "paper_data.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_path.h"
#include "markup_escape.h"
#include "plot.h"
#include "results_load.h"
#include "text_file.h"

#define MARKER ".hzprof-generated"

/* LaTeX's special characters, as text. */
static const char *const tex_special[256] = {
    ['\\'] = "\\textbackslash{}",
    ['~'] = "\\textasciitilde{}",
    ['<'] = "$<$",
    ['>'] = "$>$",
    ['^'] = "\\textasciicircum{}",
    ['&'] = "\\&",
    ['%'] = "\\%",
    ['$'] = "\\$",
    ['#'] = "\\#",
    ['_'] = "\\_",
    ['{'] = "\\{",
    ['}'] = "\\}",
};

static void tex_escape(FILE *f, const char *s)
{
    markup_escape(f, s, tex_special);
}

/* The rest of a table's row: " & \\hzv{KEY}" for each of key_fmts (NULL-terminated), KEY
 * the format with the row's name for its %s, then the row's end. */
static void hzv_cells(FILE *f, const char *name, const char *const *key_fmts)
{
    for (size_t i = 0; key_fmts[i]; i++) {
        fputs(" & \\hzv{", f);
        fprintf(f, key_fmts[i], name);
        fputs("}", f);
    }
    fputs(" \\\\\n", f);
}

/* Table cells: the fields `keys` (NULL-terminated) of o, escaped, joined by " & ". */
static void tex_cells(FILE *f, cJSON *o, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        if (i)
            fputs(" & ", f);
        tex_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(o, keys[i])));
    }
}

/* A configuration's names; &config_names[1]: without the workload. */
static const char *const config_names[] = {"workload", "sampler", "unwinder", NULL};

/* \hzv{KEY} -> text (escaped). */
static void def_text(FILE *f, const char *key, const char *text)
{
    fprintf(f, "\\expandafter\\def\\csname hz@%s\\endcsname{", key);
    tex_escape(f, text ? text : "--");
    fputs("}\n", f);
}

/* \hzv{KEY} -> v printed with fmt, or "--" when v is missing (null in the results). */
static void def_num(FILE *f, const char *key, const char *fmt, double v)
{
    char buf[64] = "--";
    if (isfinite(v))
        snprintf(buf, sizeof buf, fmt, v);
    def_text(f, key, buf);
}

/* "v [lo, hi]" of an estimate {value, lo, hi} with fmt for each, or "--". */
static void def_ci(FILE *f, const char *key, const char *fmt, cJSON *e)
{
    char buf[200];
    estimate_text(buf, sizeof buf, e, fmt, "--");
    def_text(f, key, buf);
}

/* One figure of an object as \hzv{KEY}: KEY is key_fmt with the object's name for its %s;
 * the value its field, as a number printed with fmt, as text, or as an estimate (def_ci). */
struct figure {
    const char *key_fmt, *field, *fmt;
    enum { NUMBER, TEXT, ESTIMATE } kind;
};

/* The figures fig[0..n-1] of o, named name, in their order. */
static void def_figures(FILE *f, cJSON *o, const char *name, const struct figure *fig, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char key[600];
        snprintf(key, sizeof key, fig[i].key_fmt, name);
        cJSON *v = cJSON_GetObjectItem(o, fig[i].field);
        if (fig[i].kind == NUMBER)
            def_num(f, key, fig[i].fmt, num(v));
        else if (fig[i].kind == TEXT)
            def_text(f, key, cJSON_GetStringValue(v));
        else
            def_ci(f, key, fig[i].fmt, v);
    }
}

#define FIGURES(f, o, name, list) def_figures(f, o, name, list, sizeof list / sizeof list[0])

/* "W/S/U/R" of a summary row; S "off" and U "-" when profiling is off. */
static void row_key(char *buf, size_t n, cJSON *c)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler"));
    snprintf(buf, n, "%s/%s/%s/%.0f", cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload")),
             s ? s : "off", s ? cJSON_GetStringValue(cJSON_GetObjectItem(c, "unwinder")) : "-",
             num(cJSON_GetObjectItem(c, "rate")));
}

static bool is_our_sampler(cJSON *config, const char *sampler)
{
    cJSON *list = cJSON_GetObjectItem(config, "samplers");
    for (cJSON *e = list ? list->child : NULL; e; e = e->next) {
        const char *name = cJSON_GetStringValue(e);
        if (name && sampler && strcmp(name, sampler) == 0)
            return true;
    }
    return false;
}

static void write_row_numbers(FILE *f, cJSON *c)
{
    char k[512], key[600];
    row_key(k, sizeof k, c);
    snprintf(key, sizeof key, "thr/%s", k);
    def_num(f, key, "%.4g",
            num(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "throughput"), "value")));
    snprintf(key, sizeof key, "n/%s", k);
    def_num(f, key, "%.0f", num(cJSON_GetObjectItem(c, "n")));
    if (!cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")) ||
        num(cJSON_GetObjectItem(c, "rate")) == 0)
        return;
    cJSON *ov = cJSON_GetObjectItem(c, "overhead");
    const double hz = num(cJSON_GetObjectItem(c, "achieved_hz_median")),
                 v = num(cJSON_GetObjectItem(ov, "value"));
    static const struct figure overhead[] = {
        {"ov/%s", "value", "%.2f", NUMBER},
        {"ovlo/%s", "lo", "%.2f", NUMBER},
        {"ovhi/%s", "hi", "%.2f", NUMBER},
    };
    FIGURES(f, ov, k, overhead);
    snprintf(key, sizeof key, "hz/%s", k);
    def_num(f, key, "%.0f", hz);
    snprintf(key, sizeof key, "lostus/%s", k);
    def_num(f, key, "%.1f", hz > 0 ? v * 1e4 / hz : NAN);
    snprintf(key, sizeof key, "terr/%s", k);
    def_num(f, key, "%.2f", num(cJSON_GetObjectItem(c, "attribution_error_pts_median")));
}

static void write_cost_numbers(FILE *f, cJSON *cost)
{
    static const struct figure signal_path[] = {
        {"sig/%s", "median_ns", "%.0f", NUMBER},
        {"sigx/%s", "x_floor", "%.2f", NUMBER},
    };
    static const struct figure samplers[] = {
        {"samp/%s", "achieved_hz", "%.0f", NUMBER},
        {"sampns/%s", "handler_ns_mean", "%.0f", NUMBER},
    };
    for (cJSON *r = cJSON_GetObjectItem(cost, "signal_path")->child; r; r = r->next)
        FIGURES(f, r, cJSON_GetStringValue(cJSON_GetObjectItem(r, "handler")), signal_path);
    for (cJSON *r = cJSON_GetObjectItem(cost, "samplers")->child; r; r = r->next) {
        const char *u = cJSON_GetStringValue(cJSON_GetObjectItem(r, "unwinder"));
        if (!u)
            continue; /* unavailable here */
        char name[400];
        snprintf(name, sizeof name, "%s/%s/%.0f",
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "sampler")), u,
                 num(cJSON_GetObjectItem(r, "rate")));
        FIGURES(f, r, name, samplers);
    }
}

/* The cachegrind companion run (DIR/cachegrind/results.json): simulated misses per
 * sample. */
static void write_cachegrind_numbers(FILE *f, cJSON *cg)
{
    cJSON *config = cJSON_GetObjectItem(cg, "config");
    def_num(f, "cg/reps", "%.0f", num(cJSON_GetObjectItem(config, "repetitions")));
    def_num(f, "cg/trials", "%.0f", (double)cJSON_GetArraySize(cJSON_GetObjectItem(cg, "trials")));
    cJSON *configs = cJSON_GetObjectItem(cJSON_GetObjectItem(cg, "summary"), "configs");
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        if (!cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")) ||
            num(cJSON_GetObjectItem(c, "rate")) == 0)
            continue;
        cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "per_sample"), "cachegrind");
        static const struct figure misses[] = {
            {"cg/D1/%s", "D1_misses", "%.0f", NUMBER},
            {"cg/LL/%s", "LL_misses", "%.0f", NUMBER},
        };
        char k[512];
        row_key(k, sizeof k, c);
        FIGURES(f, m, k, misses);
    }
}

/* The paired method's figures (bench_pairs.h): A/A floors, each configuration's paired
 * overhead and cost per sample, the layers of a sample's cost, the precision targets. */
static void write_paired_numbers(FILE *f, cJSON *summary)
{
    static const struct figure floor[] = {
        {"aa/%s/pairs", "pairs", "%.0f", NUMBER},
        {"aa/%s/mde", "mde_pct", "%.1f", NUMBER},
        {"aa/%s/len", "trial_seconds_median", "%.2f", NUMBER},
    };
    static const struct figure paired[] = {
        {"phz/%s", "achieved_hz", "%.0f", NUMBER},
        {"ppairs/%s", "pairs", "%.0f", NUMBER},
        {"pov/%s", "text", NULL, TEXT},
        {"pcost/%s", "cost_text", NULL, TEXT},
        {"pthr/%s", "throughput_overhead", "%.2f", ESTIMATE},
        {"phand/%s", "handler_us_per_sample", "%.2f", ESTIMATE},
    };
    char key[600], k[512];
    cJSON *aa = cJSON_GetObjectItem(summary, "aa");
    for (cJSON *a = aa ? aa->child : NULL; a; a = a->next)
        FIGURES(f, a, cJSON_GetStringValue(cJSON_GetObjectItem(a, "workload")), floor);
    double rows = 0, resolved = 0;
    cJSON *configs = cJSON_GetObjectItem(summary, "configs");
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        cJSON *p = cJSON_GetObjectItem(c, "paired");
        if (!p)
            continue;
        row_key(k, sizeof k, c);
        rows++;
        resolved += cJSON_IsTrue(cJSON_GetObjectItem(p, "resolved"));
        snprintf(key, sizeof key, "prate/%s", k);
        def_num(f, key, "%.0f", num(cJSON_GetObjectItem(c, "rate")));
        FIGURES(f, p, k, paired);
    }
    def_num(f, "paired/rows", "%.0f", rows);
    def_num(f, "paired/resolved", "%.0f", resolved);
    cJSON *layers = cJSON_GetObjectItem(summary, "layers");
    for (cJSON *l = layers ? layers->child : NULL; l; l = l->next) {
        row_key(k, sizeof k, l);
        const char *parts[] = {"total", "platform", "handler", "rest"};
        for (size_t i = 0; i < 4; i++) {
            char field[32];
            snprintf(field, sizeof field, "%s_us", parts[i]);
            snprintf(key, sizeof key, "lay/%s/%s", parts[i], k);
            def_ci(f, key, i == 2 ? "%.2f" : "%.1f", cJSON_GetObjectItem(l, field));
        }
    }
    cJSON *dose = cJSON_GetObjectItem(summary, "dose");
    for (cJSON *d = dose ? dose->child : NULL; d; d = d->next) {
        snprintf(key, sizeof key, "linear/%s/%s/%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(d, "workload")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(d, "sampler")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(d, "unwinder")));
        def_text(f, key, cJSON_IsTrue(cJSON_GetObjectItem(d, "nonlinear")) ? "no" : "not refuted");
    }
    cJSON *prec = cJSON_GetObjectItem(summary, "precision");
    def_num(f, "prec/target", "%.0f", num(cJSON_GetObjectItem(prec, "target_pct")));
    def_num(f, "prec/met", "%.0f", num(cJSON_GetObjectItem(prec, "met")));
    def_num(f, "prec/total", "%.0f", num(cJSON_GetObjectItem(prec, "total")));
}

/* The bias companion run (DIR/bias/results.json, a run of the bias preset): where samples
 * land, per row of its summary.bias (bench_bias.h). */
static void write_bias_numbers(FILE *f, cJSON *bias)
{
    cJSON *tb = cJSON_GetObjectItem(bias, "trials_build"); /* who ran the trials */
    def_num(f, "bias/reps", "%.0f",
            num(cJSON_GetObjectItem(cJSON_GetObjectItem(bias, "config"), "repetitions")));
    def_num(f, "bias/trials", "%.0f",
            (double)cJSON_GetArraySize(cJSON_GetObjectItem(bias, "trials")));
    def_text(f, "bias/commit",
             cJSON_GetStringValue(
                 cJSON_GetObjectItem(tb ? tb : cJSON_GetObjectItem(bias, "build"), "git_commit")));
    static const struct figure figures[] = {
        {"bias/%s/err", "attribution_error_pts", "%.1f", ESTIMATE},
        {"bias/%s/skid", "skid_pts", "%.1f", ESTIMATE},
        {"bias/%s/pt", "period_over_interval", "%.2f", NUMBER},
        {"bias/%s/busy", "busy", "%.0f", NUMBER},
        {"bias/%s/n", "n", "%.0f", NUMBER},
        {"bias/%s/hz", "achieved_hz_median", "%.0f", NUMBER},
        {"bias/%s/site", "syscall_site_pct_median", "%.1f", NUMBER},
        {"bias/%s/sitetruth", "syscall_site_truth_pct_median", "%.1f", NUMBER},
    };
    cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(bias, "summary"), "bias");
    for (cJSON *r = rows ? rows->child : NULL; r; r = r->next) {
        char k[512];
        row_key(k, sizeof k, r);
        FIGURES(f, r, k, figures);
    }
}

/* Every output is written whole or not at all (issue 14 #7): a full disk leaves the
 * previous numbers.tex and tables, never a truncated one. At most a few are open at once
 * (numbers.tex and one table). */
static struct atomic_file open_files[4];

static FILE *open_atomic(const char *path)
{
    for (size_t i = 0; i < sizeof open_files / sizeof open_files[0]; i++)
        if (!open_files[i].f)
            return atomic_file_open(&open_files[i], path) == 0 ? open_files[i].f : NULL;
    return NULL;
}

static struct atomic_file *atomic_of(FILE *f)
{
    for (size_t i = 0; i < sizeof open_files / sizeof open_files[0]; i++)
        if (open_files[i].f == f)
            return &open_files[i];
    return NULL;
}

static int close_atomic(FILE *f)
{
    struct atomic_file *a = atomic_of(f);
    return a ? atomic_file_commit(a) : -1;
}

static void abort_atomic(FILE *f)
{
    struct atomic_file *a = atomic_of(f);
    if (a)
        atomic_file_abort(a);
}

static FILE *open_table(const char *dir, const char *name, const char *spec, const char *head)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = open_atomic(path);
    if (f)
        fprintf(f,
                "%% generated by hzprof report --format latex -o; do not edit\n"
                "\\begin{tabular}{%s}\n\\hline\n%s \\\\\n\\hline\n",
                spec, head);
    return f;
}

static int close_table(FILE *f)
{
    fputs("\\hline\n\\end{tabular}\n", f);
    return close_atomic(f);
}

/* table-rate-W-R.tex for every workload and rate, and into numbers, zeroci/W/R and
 * rows/W/R: how many of our samplers' rows there have an overhead interval that includes
 * zero. */
static int write_rate_tables(FILE *numbers, const char *dir, cJSON *results)
{
    cJSON *config = cJSON_GetObjectItem(results, "config");
    cJSON *configs = cJSON_GetObjectItem(cJSON_GetObjectItem(results, "summary"), "configs");
    for (cJSON *w = cJSON_GetObjectItem(config, "workloads")->child; w; w = w->next)
        for (cJSON *r = cJSON_GetObjectItem(config, "rates")->child; r; r = r->next) {
            const char *wn = cJSON_GetStringValue(cJSON_GetObjectItem(w, "name"));
            if (!wn)
                continue;
            char name[512];
            snprintf(name, sizeof name, "table-rate-%s-%.0f.tex", wn, num(r));
            FILE *f = open_table(dir, name, "llrlr",
                                 "sampler & unwinder & achieved Hz & overhead \\% [95\\% CI] & "
                                 "$\\mu$s lost per sample");
            if (!f)
                return -1;
            int rows = 0, zero = 0;
            for (cJSON *c = configs->child; c; c = c->next) {
                if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload")), wn) != 0 ||
                    !cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")) ||
                    num(cJSON_GetObjectItem(c, "rate")) != num(r))
                    continue;
                char k[512];
                row_key(k, sizeof k, c);
                tex_cells(f, c, &config_names[1]);
                cJSON *ov = cJSON_GetObjectItem(c, "overhead");
                if (!ov) {
                    fputs(" & \\multicolumn{3}{l}{unavailable} \\\\\n", f);
                    continue;
                }
                if (is_our_sampler(config,
                                   cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")))) {
                    rows++;
                    zero += cJSON_IsTrue(cJSON_GetObjectItem(ov, "ci_includes_zero"));
                }
                fprintf(f,
                        " & \\hzv{hz/%s} & \\hzv{ov/%s} [\\hzv{ovlo/%s}, \\hzv{ovhi/%s}]%s & "
                        "\\hzv{lostus/%s} \\\\\n",
                        k, k, k, k,
                        cJSON_IsTrue(cJSON_GetObjectItem(ov, "ci_includes_zero"))
                            ? "$^{\\approx 0}$"
                            : "",
                        k);
            }
            char key[400];
            snprintf(key, sizeof key, "zeroci/%s/%.0f", wn, num(r));
            def_num(numbers, key, "%.0f", zero);
            snprintf(key, sizeof key, "rows/%s/%.0f", wn, num(r));
            def_num(numbers, key, "%.0f", rows);
            if (close_table(f) != 0)
                return -1;
        }
    return 0;
}

static int write_numbers(const char *path, const char *dir, cJSON *results, cJSON *cost, cJSON *cg,
                         cJSON *bias)
{
    FILE *f = open_atomic(path);
    if (!f)
        return -1;
    cJSON *m = cJSON_GetObjectItem(results, "machine"), *b = cJSON_GetObjectItem(results, "build");
    cJSON *tb = cJSON_GetObjectItem(results, "trials_build"); /* who ran the trials */
    cJSON *config = cJSON_GetObjectItem(results, "config");
    fputs("% generated by hzprof report --format latex -o; do not edit.\n"
          "% \\hzv{KEY}: a number (or fact) of the results; an unknown KEY is an error.\n"
          "\\makeatletter\n"
          "\\newcommand{\\hzv}[1]{\\@ifundefined{hz@#1}{\\PackageError{hzprof}{no value "
          "for key #1 in generated/numbers.tex}{}}{\\@nameuse{hz@#1}}}\n",
          f);
    def_text(f, "machine/host", cJSON_GetStringValue(cJSON_GetObjectItem(m, "host")));
    def_text(f, "machine/cpu", cJSON_GetStringValue(cJSON_GetObjectItem(m, "cpu_model")));
    def_num(f, "machine/cores", "%.0f", num(cJSON_GetObjectItem(m, "cores_online")));
    def_text(f, "machine/kernel", cJSON_GetStringValue(cJSON_GetObjectItem(m, "kernel")));
    def_num(f, "machine/hz", "%.0f", num(cJSON_GetObjectItem(m, "config_hz")));
    def_text(f, "build/commit",
             cJSON_GetStringValue(cJSON_GetObjectItem(tb ? tb : b, "git_commit")));
    def_text(f, "build/summarized", cJSON_GetStringValue(cJSON_GetObjectItem(b, "git_commit")));
    def_text(f, "build/compiler", cJSON_GetStringValue(cJSON_GetObjectItem(b, "compiler_version")));
    def_text(f, "build/version", cJSON_GetStringValue(cJSON_GetObjectItem(b, "hzprof_version")));
    def_text(f, "created", cJSON_GetStringValue(cJSON_GetObjectItem(results, "created")));
    def_num(f, "config/reps", "%.0f", num(cJSON_GetObjectItem(config, "repetitions")));
    def_num(f, "config/warmup", "%.0f", num(cJSON_GetObjectItem(config, "warmup")));
    def_num(f, "config/workloads", "%.0f",
            (double)cJSON_GetArraySize(cJSON_GetObjectItem(config, "workloads")));
    char rates[256] = "";
    for (cJSON *r = cJSON_GetObjectItem(config, "rates")->child; r; r = r->next)
        snprintf(rates + strlen(rates), sizeof rates - strlen(rates), "%s%.0f",
                 rates[0] ? ", " : "", num(r));
    def_text(f, "config/rates", rates);
    cJSON *trials = cJSON_GetObjectItem(results, "trials");
    def_num(f, "config/trials", "%.0f", (double)cJSON_GetArraySize(trials));
    cJSON *un = cJSON_GetObjectItem(results, "counters_unavailable");
    def_num(f, "counters/count", "%.0f", (double)cJSON_GetArraySize(un));
    def_text(f, "counters/reason", cJSON_GetStringValue(un ? un->child : NULL));
    const char *go = NULL;
    for (cJSON *t = trials ? trials->child : NULL; t && !go; t = t->next)
        go = cJSON_GetStringValue(
            cJSON_GetObjectItem(cJSON_GetObjectItem(t, "output"), "go_version"));
    def_text(f, "go/version", go);
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    for (cJSON *c = cJSON_GetObjectItem(summary, "configs")->child; c; c = c->next)
        write_row_numbers(f, c);
    write_paired_numbers(f, summary);
    if (write_rate_tables(f, dir, results) != 0) {
        abort_atomic(f);
        return -1;
    }
    for (cJSON *c = cJSON_GetObjectItem(summary, "cost_per_sample")->child; c; c = c->next) {
        char key[512];
        cJSON *e = cJSON_GetObjectItem(c, "cost_per_sample");
        cJSON *tree = cJSON_GetObjectItem(c, "cost_per_sample_process_tree");
        const char *parts[] = {"cost", "costlo", "costhi", "costpt", "costptlo", "costpthi"};
        const char *fields[] = {"value", "lo", "hi"};
        for (int i = 0; i < (tree ? 6 : 3); i++) {
            snprintf(key, sizeof key, "%s/%s/%s/%s", parts[i],
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload")),
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")),
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "unwinder")));
            def_num(f, key, "%.2f", num(cJSON_GetObjectItem(i < 3 ? e : tree, fields[i % 3])));
        }
    }
    if (cost)
        write_cost_numbers(f, cost);
    if (cg)
        write_cachegrind_numbers(f, cg);
    if (bias)
        write_bias_numbers(f, bias);
    fputs("\\makeatother\n", f);
    return close_atomic(f);
}

static int write_cachegrind_table(const char *dir, cJSON *cg)
{
    FILE *f = open_table(dir, "table-cachegrind.tex", "lllrr",
                         "workload & sampler & unwinder & D1 misses & LL misses");
    if (!f)
        return -1;
    cJSON *configs = cJSON_GetObjectItem(cJSON_GetObjectItem(cg, "summary"), "configs");
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        if (!cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")) ||
            num(cJSON_GetObjectItem(c, "rate")) == 0)
            continue;
        char k[512];
        row_key(k, sizeof k, c);
        tex_cells(f, c, config_names);
        hzv_cells(f, k, (const char *const[]){"cg/D1/%s", "cg/LL/%s", NULL});
    }
    return close_table(f);
}

/* table-bias.tex: where samples land, a row per configuration of the bias companion. No
 * unwinder or rate column: the bias preset has one of each (fp, 1 kHz). */
static int write_bias_table(const char *dir, cJSON *bias)
{
    static const char *const names[] = {"workload", "sampler", NULL};
    FILE *f =
        open_table(dir, "table-bias.tex", "llrrllrr",
                   "workload & sampler & P/T & busy & error pts & skid pts & achieved Hz & n");
    if (!f)
        return -1;
    cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(bias, "summary"), "bias");
    for (cJSON *r = rows ? rows->child : NULL; r; r = r->next) {
        char k[512];
        row_key(k, sizeof k, r);
        tex_cells(f, r, names);
        hzv_cells(f, k,
                  (const char *const[]){"bias/%s/pt", "bias/%s/busy", "bias/%s/err", "bias/%s/skid",
                                        "bias/%s/hz", "bias/%s/n", NULL});
    }
    return close_table(f);
}

static int write_signal_table(const char *dir, cJSON *cost)
{
    FILE *f = open_table(dir, "table-signal.tex", "lrr", "handler & median ns & $\\times$ floor");
    if (!f)
        return -1;
    for (cJSON *r = cJSON_GetObjectItem(cost, "signal_path")->child; r; r = r->next) {
        const char *h = cJSON_GetStringValue(cJSON_GetObjectItem(r, "handler"));
        fprintf(f, "%s & \\hzv{sig/%s} & \\hzv{sigx/%s} \\\\\n",
                strcmp(h, "floor") == 0 ? "empty handler (floor)" : h, h, h);
    }
    return close_table(f);
}

/* Whether row c (of the array whose first element is first) is the first row of its
 * workload, among the rows that have the field `need` (NULL: all rows): the tables with one
 * file per workload start there. */
static bool first_of_workload(cJSON *first, cJSON *c, const char *need)
{
    if (need && !cJSON_GetObjectItem(c, need))
        return false;
    for (cJSON *p = first; p != c; p = p->next)
        if ((!need || cJSON_GetObjectItem(p, need)) &&
            strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "workload")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload"))) == 0)
            return false;
    return true;
}

static int write_cost_tables(const char *dir, cJSON *costs)
{
    for (cJSON *c = costs->child; c; c = c->next) {
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload"));
        if (!first_of_workload(costs->child, c, NULL))
            continue;
        char name[512];
        snprintf(name, sizeof name, "table-cost-%s.tex", w);
        FILE *f =
            open_table(dir, name, "llr", "sampler & unwinder & $\\mu$s per sample [95\\% CI]");
        if (!f)
            return -1;
        for (cJSON *r = c; r; r = r->next) {
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "workload")), w) != 0)
                continue;
            const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(r, "sampler")),
                       *u = cJSON_GetStringValue(cJSON_GetObjectItem(r, "unwinder"));
            tex_cells(f, r, &config_names[1]);
            fprintf(
                f,
                " & \\hzv{cost/%s/%s/%s} [\\hzv{costlo/%s/%s/%s}, \\hzv{costhi/%s/%s/%s}]%s \\\\\n",
                w, s, u, w, s, u, w, s, u,
                cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "cost_per_sample"),
                                                 "ci_includes_zero"))
                    ? "$^{\\approx 0}$"
                    : "");
        }
        if (close_table(f) != 0)
            return -1;
    }
    return 0;
}

/* table-paired-W.tex per workload: every paired configuration (ours and baselines),
 * table-layers.tex (where a sample's time goes) and table-aa.tex (the noise floors). */
static int write_paired_tables(const char *dir, cJSON *summary)
{
    cJSON *configs = cJSON_GetObjectItem(summary, "configs");
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload"));
        if (!first_of_workload(configs->child, c, "paired"))
            continue;
        char name[512];
        snprintf(name, sizeof name, "table-paired-%s.tex", w);
        FILE *f = open_table(dir, name, "llrrrll",
                             "sampler & unwinder & Hz & achieved & pairs & CPU overhead \\% & "
                             "$\\mu$s per sample");
        if (!f)
            return -1;
        for (cJSON *r = c; r; r = r->next) {
            if (!cJSON_GetObjectItem(r, "paired") ||
                strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "workload")), w) != 0)
                continue;
            char k[512];
            row_key(k, sizeof k, r);
            tex_cells(f, r, &config_names[1]);
            hzv_cells(f, k,
                      (const char *const[]){"prate/%s", "phz/%s", "ppairs/%s", "pov/%s", "pcost/%s",
                                            NULL});
        }
        if (close_table(f) != 0)
            return -1;
    }
    FILE *f = open_table(dir, "table-layers.tex", "llllllll",
                         "workload & sampler & unwinder & Hz & total & platform & handler & rest");
    if (!f)
        return -1;
    cJSON *layers = cJSON_GetObjectItem(summary, "layers");
    for (cJSON *l = layers ? layers->child : NULL; l; l = l->next) {
        char k[512];
        row_key(k, sizeof k, l);
        tex_cells(f, l, config_names);
        hzv_cells(f, k,
                  (const char *const[]){"prate/%s", "lay/total/%s", "lay/platform/%s",
                                        "lay/handler/%s", "lay/rest/%s", NULL});
    }
    if (close_table(f) != 0)
        return -1;
    f = open_table(dir, "table-aa.tex", "lrrr",
                   "workload & A/A pairs & detectable effect \\% & trial s");
    if (!f)
        return -1;
    cJSON *aa = cJSON_GetObjectItem(summary, "aa");
    for (cJSON *a = aa ? aa->child : NULL; a; a = a->next) {
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(a, "workload"));
        tex_escape(f, w);
        hzv_cells(f, w, (const char *const[]){"aa/%s/pairs", "aa/%s/mde", "aa/%s/len", NULL});
    }
    return close_table(f);
}

/* OUT: created if missing; otherwise empty or marked as ours. */
static int prepare_dir(const char *dir, char *err, size_t n)
{
    if (mkdir(dir, 0777) == 0)
        goto mark;
    if (errno != EEXIST) {
        snprintf(err, n, "cannot create '%s': %s", dir, strerror(errno));
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, n, "cannot open '%s': %s", dir, strerror(errno));
        return -1;
    }
    bool empty = true, marked = false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        empty = false;
        marked |= strcmp(e->d_name, MARKER) == 0;
    }
    closedir(d);
    if (!empty && !marked) {
        snprintf(err, n,
                 "'%s' holds files this command did not write (no %s); choose an empty or new "
                 "directory",
                 dir, MARKER);
        return -1;
    }
mark:;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, MARKER);
    FILE *f = fopen(path, "w");
    if (!f ||
        fputs("written by hzprof report --format latex -o; its files are regenerated\n", f) < 0 ||
        fclose(f) != 0) {
        snprintf(err, n, "cannot write '%s'", path);
        return -1;
    }
    return 0;
}

/* The cachegrind companion run is a results.json like any other. */
static int check_cachegrind(const char *dir, cJSON *cg, char *err, size_t n)
{
    char why[512];
    if (results_check(cg, why, sizeof why) == 0)
        return 0;
    snprintf(err, n, "'%s/cachegrind/results.json': %s", dir, why);
    return -1;
}

/* The bias companion run is a results.json of the bias preset: one with rows in
 * summary.bias (a run without truth workloads has none, and nothing to show). */
static int check_bias(const char *dir, cJSON *bias, char *err, size_t n)
{
    char why[512];
    if (results_check(bias, why, sizeof why) != 0) {
        snprintf(err, n, "'%s/bias/results.json': %s", dir, why);
        return -1;
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(bias, "summary"), "bias")) ==
        0) {
        snprintf(err, n,
                 "'%s/bias/results.json': no summary.bias rows: not a run of the bias preset "
                 "(hzprof bench bias -o %s/bias)",
                 dir, dir);
        return -1;
    }
    return 0;
}

/* An optional input of the run, DIR/NAME: *doc is NULL when the file is absent. Returns -1
 * with err when it is there but its field `key` fails `is` (not the file we expect). */
static int load_optional(const char *dir, const char *name, const char *key,
                         cJSON_bool (*is)(const cJSON *const), const char *what, cJSON **doc,
                         char *err, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_file(path, NULL);
    *doc = text ? cJSON_Parse(text) : NULL;
    const bool present = text != NULL;
    free(text);
    if (present && !is(cJSON_GetObjectItem(*doc, key))) {
        snprintf(err, n, "'%s' is not %s", path, what);
        cJSON_Delete(*doc);
        *doc = NULL;
        return -1;
    }
    return 0;
}

int paper_data_write(cJSON *results, const char *results_dir, const char *out_dir, char *err,
                     size_t n)
{
    cJSON *cost = NULL, *cg = NULL, *bias = NULL;
    if (load_optional(results_dir, "cost.json", "signal_path", cJSON_IsArray,
                      "the output of hzprof cost --json", &cost, err, n) != 0 ||
        load_optional(results_dir, "cachegrind/results.json", "summary", cJSON_IsObject,
                      "a results.json of hzprof bench", &cg, err, n) != 0 ||
        (cg && check_cachegrind(results_dir, cg, err, n) != 0) ||
        load_optional(results_dir, "bias/results.json", "summary", cJSON_IsObject,
                      "a results.json of hzprof bench", &bias, err, n) != 0 ||
        (bias && check_bias(results_dir, bias, err, n) != 0) || prepare_dir(out_dir, err, n) != 0) {
        cJSON_Delete(cost);
        cJSON_Delete(cg);
        cJSON_Delete(bias);
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/numbers.tex", out_dir);
    int rc = write_numbers(path, out_dir, results, cost, cg, bias);
    if (rc == 0 && cost)
        rc = write_signal_table(out_dir, cost);
    if (rc == 0 && cg)
        rc = write_cachegrind_table(out_dir, cg);
    if (rc == 0 && bias)
        rc = write_bias_table(out_dir, bias);
    cJSON_Delete(cg);
    cJSON_Delete(bias);
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    if (rc == 0)
        rc = write_cost_tables(out_dir, cJSON_GetObjectItem(summary, "cost_per_sample"));
    if (rc == 0)
        rc = write_paired_tables(out_dir, summary);
    cJSON_Delete(cost);
    if (rc != 0) {
        snprintf(err, n, "cannot write in '%s': %s", out_dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/plots", out_dir);
    mkdir(path, 0777);
    return plot_results(results, path, NULL, err, n);
}

static void latex_ci(FILE *f, cJSON *e)
{
    if (!e) {
        fputs("--", f);
        return;
    }
    char text[128];
    estimate_text(text, sizeof text, e, "%.2f", NULL);
    fputs(text, f);
    if (cJSON_IsTrue(cJSON_GetObjectItem(e, "ci_includes_zero")))
        fputs("$^{\\approx 0}$", f);
}

int latex_report_write(cJSON *results, FILE *out)
{
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    fputs("% generated by hzprof report --format latex; do not edit\n"
          "\\begin{tabular}{lllr}\n\\hline\nworkload & sampler & unwinder & $\\mu$s per sample "
          "[95\\% CI] \\\\\n\\hline\n",
          out);
    cJSON *costs = cJSON_GetObjectItem(summary, "cost_per_sample");
    for (cJSON *c = costs ? costs->child : NULL; c; c = c->next) {
        tex_cells(out, c, config_names);
        fputs(" & ", out);
        latex_ci(out, cJSON_GetObjectItem(c, "cost_per_sample"));
        fputs(" \\\\\n", out);
    }
    fputs("\\hline\n\\end{tabular}\n\n\\begin{tabular}{lllrrr}\n\\hline\nworkload & sampler & "
          "unwinder & Hz & achieved & overhead \\% [95\\% CI] \\\\\n\\hline\n",
          out);
    cJSON *configs = cJSON_GetObjectItem(summary, "configs");
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        if (!cJSON_GetObjectItem(c, "overhead"))
            continue;
        tex_cells(out, c, config_names);
        fprintf(out, " & %.0f & %.0f & ", num(cJSON_GetObjectItem(c, "rate")),
                num(cJSON_GetObjectItem(c, "achieved_hz_median")));
        latex_ci(out, cJSON_GetObjectItem(c, "overhead"));
        fputs(" \\\\\n", out);
    }
    fputs("\\hline\n\\end{tabular}\n", out);
    return ferror(out) ? -1 : 0;
}
