/*
 * paper_data.h — the LaTeX outputs of `hzprof report`. With -o OUT, everything the paper
 * (paper/paper.tex) shows, generated from one results directory, so that no figure in
 * the paper is typed by hand.
 *
 * OUT/numbers.tex defines every number as a key of one macro, \hzv{KEY}; a key that is
 * not defined stops the LaTeX run with an error naming it. The keys (W workload,
 * S sampler or baseline, U unwinder, R rate in Hz):
 *   machine/{host,cpu,cores,kernel,hz}, build/{commit,compiler,version}, created,
 *   build/summarized (commit is the build that ran the trials: trials_build if present),
 *   config/{reps,warmup,rates,trials,workloads}, counters/{count,reason}
 *   ov/W/S/U/R, ovlo/..., ovhi/...   overhead % and its 95% interval (%.2f)
 *   hz/W/S/U/R                       achieved samples per CPU-second (%.0f)
 *   lostus/W/S/U/R                   overhead per sample: ov% x 10^4 / achieved Hz,
 *                                    µs of throughput time lost per sample (%.1f)
 *   thr/W/S/U/R (R 0 and S "off" for profiling off; %.4g), n/W/S/U/R (trials)
 *   terr/W/S/U/R                     truth attribution error, points (%.2f)
 *   cost/W/S/U, costlo/..., costhi/... µs of CPU per sample, 95% interval (%.2f)
 *   costpt/W/S/U, costptlo/..., costpthi/... the same on the process tree's CPU
 *   zeroci/W/R, rows/W/R             of our sampler x unwinder rows at W, R: how many
 *                                    have an overhead interval that includes zero
 *   go/version                       the Go toolchain of the go-pprof twins
 * and from the paired method (bench_pairs.h; texts as summary.md prints them, "<" a bound):
 *   aa/W/{pairs,mde,len}             A/A pairs, minimum detectable effect % (%.1f),
 *                                    median trial length in s (%.2f)
 *   prate/K, phz/K, ppairs/K         (K = W/S/U/R) rate asked, achieved (%.0f), pairs
 *   pov/K, pcost/K                   paired CPU overhead % and µs per sample: "v [lo, hi]"
 *                                    when resolved, "< X" when not
 *   pthr/K, phand/K                  throughput overhead % and handler µs, "v [lo, hi]"
 *   paired/{rows,resolved}           paired rows, and how many resolved
 *   lay/{total,platform,handler,rest}/K  where a sample's µs go, "v [lo, hi]"
 *   linear/W/S/U                     "no" when two achieved rates' costs differ
 *   prec/{target,met,total}          the precision target (%) and how many figures met it
 * and, when DIR/cost.json (`hzprof cost --json`) exists:
 *   sig/H (median ns, %.0f), sigx/H (x floor, %.2f) for H in floor, none, fp, libunwind;
 *   samp/S/U/R (achieved Hz, %.0f), sampns/S/U/R (handler ns per sample, %.0f);
 * and, when DIR/cachegrind/results.json (a run of the cachegrind preset) exists:
 *   cg/reps, cg/trials, cg/D1/W/S/U/R and cg/LL/W/S/U/R (simulated D1 and last-level
 *   misses added per sample, %.0f), with table-cachegrind.tex;
 * and, when DIR/bias/results.json (a run of the bias preset, with summary.bias) exists:
 *   bias/{reps,trials,commit}, and per summary.bias row (K = W/S/U/R, S with its
 *   modifiers, e.g. perf-clock+jitter=uniform): bias/K/err and bias/K/skid (attribution
 *   error and skid, points, "v [lo, hi]" with %.1f), bias/K/pt (period over interval,
 *   %.2f), bias/K/{busy,n,hz} (%.0f), bias/K/site and bias/K/sitetruth (samples and time
 *   at the system-call site, %, %.1f); "--" where not measured; with table-bias.tex.
 * Tables (they cite \hzv keys, never literal numbers): table-signal.tex (from cost.json),
 * table-cost-W.tex (cost per sample), table-rate-W-R.tex (every sampler and baseline
 * at one rate), table-paired-W.tex (paired overhead and cost), table-layers.tex and
 * table-aa.tex (and table-cachegrind.tex, table-bias.tex from the companions). Charts:
 * OUT/plots/ (plot.h), each also as PDF.
 *
 * OUT must be empty, missing, or a directory this command wrote before (it holds the
 * marker file .hzprof-generated): nothing else is ever overwritten.
 */
#ifndef HZPROF_PAPER_DATA_H
#define HZPROF_PAPER_DATA_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* `hzprof report DIR --format latex` without -o: the cost per sample and overhead tables
 * of one run, with their numbers, on out. Returns 0, or -1 when a write to out failed
 * (what is still buffered is the caller's to flush and check). */
int latex_report_write(cJSON *results, FILE *out);

/* results: parsed results.json of the run in results_dir. Returns 0, or -1 with err. */
int paper_data_write(cJSON *results, const char *results_dir, const char *out_dir, char *err,
                     size_t n);

#endif
