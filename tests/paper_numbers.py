#!/usr/bin/env python3
"""paper_numbers.py — every number in the paper comes from the results.

  paper_numbers.py HZPROF REPO
  paper_numbers.py HZPROF REPO --bias FIXTURE

1. paper/generated/*.tex is exactly what `hzprof report results/reference --format latex
   -o` writes today (the committed tables and numbers are the reference run's).
2. Every \\hzv definition in paper/generated/numbers.tex is recomputed here, independently
   of the C code, from results/reference/results.json and cost.json, and must match; and
   every key this script derives must be there.
3. The tables cite numbers only through \\hzv{...}, and paper/paper.tex has no digit in its
   text outside \\hzv{...}, file paths and a short whitelist (below), so no figure is typed
   by hand; every key paper.tex cites is defined.
With --bias FIXTURE (a results.json of the bias preset), the reference run is copied without
its bias companion, reported, then reported with FIXTURE as DIR/bias/results.json: no bias
keys or table without it, every bias key recomputed and table-bias.tex citing them with it,
and a damaged companion refused with one line naming the file and the fault.
"""
import copy
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Digits allowed in paper.tex's text, each with its reason.
WHITELIST = [
    r"95\\%",  # the interval level hzprof bench always uses (BENCH_RESAMPLES, 0.95)
    r"x86-64",  # the architecture's name
    r"\\approx 0",  # the mark of an interval that includes zero
    r"Go~1\.18",  # the Go release that moved to per-thread timers (history, not a result)
    r"\b(L[12]|D1)\b",  # cache levels
]


def fail(msg):
    print("FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def tex_escape(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\textbackslash{}")
        elif ch == "~":
            out.append("\\textasciitilde{}")
        elif ch == "^":
            out.append("\\textasciicircum{}")
        elif ch == "<":
            out.append("$<$")
        elif ch == ">":
            out.append("$>$")
        elif ch in "&%$#_{}":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def fmt(spec, v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "--"
    return spec % v


def ci_text(spec, est):
    """"v [lo, hi]" of an estimate, each printed with spec, or "--"."""
    est = est or {}
    v, lo, hi = est.get("value"), est.get("lo"), est.get("hi")
    if v is None or not math.isfinite(v):
        return "--"
    text = spec % v
    if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
        text += " [%s, %s]" % (spec % lo, spec % hi)
    return text


def paired_numbers(e, summary):
    """The paired method's keys: A/A floors, paired rows, layers, dose, precision."""
    for a in summary.get("aa") or []:
        w = a["workload"]
        e["aa/%s/pairs" % w] = fmt("%.0f", a.get("pairs"))
        e["aa/%s/mde" % w] = fmt("%.1f", a.get("mde_pct"))
        e["aa/%s/len" % w] = fmt("%.2f", a.get("trial_seconds_median"))
    rows = resolved = 0
    for c in summary["configs"]:
        p = c.get("paired")
        if not p:
            continue
        s = c["sampler"]
        k = "%s/%s/%s/%.0f" % (c["workload"], s or "off", c["unwinder"] if s else "-", c["rate"])
        rows += 1
        resolved += 1 if p.get("resolved") else 0
        e["prate/" + k] = fmt("%.0f", c["rate"])
        e["phz/" + k] = fmt("%.0f", p.get("achieved_hz"))
        e["ppairs/" + k] = fmt("%.0f", p.get("pairs"))
        e["pov/" + k] = p.get("text") or "--"
        e["pcost/" + k] = p.get("cost_text") or "--"
        e["pthr/" + k] = ci_text("%.2f", p.get("throughput_overhead"))
        e["phand/" + k] = ci_text("%.2f", p.get("handler_us_per_sample"))
    e["paired/rows"] = "%.0f" % rows
    e["paired/resolved"] = "%.0f" % resolved
    for l in summary.get("layers") or []:
        k = "%s/%s/%s/%.0f" % (l["workload"], l["sampler"], l["unwinder"], l["rate"])
        for part in ("total", "platform", "handler", "rest"):
            e["lay/%s/%s" % (part, k)] = ci_text("%.2f" if part == "handler" else "%.1f",
                                                 l.get(part + "_us"))
    for d in summary.get("dose") or []:
        e["linear/%s/%s/%s" % (d["workload"], d["sampler"], d["unwinder"])] = (
            "no" if d.get("nonlinear") else "not refuted")
    prec = summary.get("precision") or {}
    e["prec/target"] = fmt("%.0f", prec.get("target_pct"))
    e["prec/met"] = fmt("%.0f", prec.get("met"))
    e["prec/total"] = fmt("%.0f", prec.get("total"))


def bias_numbers(e, bias):
    """The bias companion's keys (DIR/bias/results.json, a run of the bias preset)."""
    e["bias/reps"] = fmt("%.0f", bias["config"]["repetitions"])
    e["bias/trials"] = fmt("%.0f", len(bias["trials"]))
    e["bias/commit"] = bias.get("trials_build", bias["build"])["git_commit"]
    for r in bias["summary"]["bias"]:
        k = "bias/%s/%s/%s/%.0f/" % (r["workload"], r["sampler"], r["unwinder"], r["rate"])
        e[k + "err"] = ci_text("%.1f", r.get("attribution_error_pts"))
        e[k + "skid"] = ci_text("%.1f", r.get("skid_pts"))
        e[k + "pt"] = fmt("%.2f", r.get("period_over_interval"))
        e[k + "busy"] = fmt("%.0f", r["busy"])
        e[k + "n"] = fmt("%.0f", r["n"])
        e[k + "hz"] = fmt("%.0f", r.get("achieved_hz_median"))
        e[k + "site"] = fmt("%.1f", r.get("syscall_site_pct_median"))
        e[k + "sitetruth"] = fmt("%.1f", r.get("syscall_site_truth_pct_median"))


def expected_numbers(results, cost, cg=None, bias=None):
    """The key -> text map numbers.tex must hold, derived from the results alone."""
    e = {}
    m, b, cfg = results["machine"], results["build"], results["config"]
    e["machine/host"] = m.get("host") or "--"
    e["machine/cpu"] = m.get("cpu_model") or "--"
    e["machine/cores"] = fmt("%.0f", m.get("cores_online"))
    e["machine/kernel"] = m.get("kernel") or "--"
    e["machine/hz"] = fmt("%.0f", m.get("config_hz"))
    e["build/commit"] = results.get("trials_build", b)["git_commit"]
    e["build/summarized"] = b["git_commit"]
    e["build/compiler"] = b["compiler_version"]
    e["build/version"] = b["hzprof_version"]
    e["created"] = results["created"]
    e["config/reps"] = fmt("%.0f", cfg["repetitions"])
    e["config/warmup"] = fmt("%.0f", cfg["warmup"])
    e["config/workloads"] = fmt("%.0f", len(cfg["workloads"]))
    e["config/rates"] = ", ".join("%.0f" % r for r in cfg["rates"])
    e["config/trials"] = fmt("%.0f", len(results["trials"]))
    un = results.get("counters_unavailable") or {}
    e["counters/count"] = fmt("%.0f", len(un))
    e["counters/reason"] = next(iter(un.values())) if un else "--"
    go = [t["output"]["go_version"] for t in results["trials"]
          if isinstance(t.get("output"), dict) and "go_version" in t["output"]]
    e["go/version"] = go[0] if go else "--"
    ours = set(cfg["samplers"])
    configs = results["summary"]["configs"]
    for c in configs:
        s = c["sampler"]
        k = "%s/%s/%s/%.0f" % (c["workload"], s or "off", c["unwinder"] if s else "-", c["rate"])
        e["thr/" + k] = fmt("%.4g", (c.get("throughput") or {}).get("value"))
        e["n/" + k] = fmt("%.0f", c["n"])
        if not s or c["rate"] == 0:
            continue
        ov = c.get("overhead") or {}
        hz = c.get("achieved_hz_median")
        e["ov/" + k] = fmt("%.2f", ov.get("value"))
        e["ovlo/" + k] = fmt("%.2f", ov.get("lo"))
        e["ovhi/" + k] = fmt("%.2f", ov.get("hi"))
        e["hz/" + k] = fmt("%.0f", hz)
        lost = None
        if hz is not None and hz > 0 and ov.get("value") is not None:
            lost = ov["value"] * 1e4 / hz
        e["lostus/" + k] = fmt("%.1f", lost)
        e["terr/" + k] = fmt("%.2f", c.get("attribution_error_pts_median"))
    for w in cfg["workloads"]:
        for r in cfg["rates"]:
            rows = [c for c in configs if c.get("overhead") and c["workload"] == w["name"]
                    and c["rate"] == r and c["sampler"] in ours]
            zero = sum(1 for c in rows if c["overhead"].get("ci_includes_zero"))
            e["zeroci/%s/%.0f" % (w["name"], r)] = "%.0f" % zero
            e["rows/%s/%.0f" % (w["name"], r)] = "%.0f" % len(rows)
    for c in results["summary"]["cost_per_sample"]:
        k = "%s/%s/%s" % (c["workload"], c["sampler"], c["unwinder"])
        est = c["cost_per_sample"]
        e["cost/" + k] = fmt("%.2f", est.get("value"))
        e["costlo/" + k] = fmt("%.2f", est.get("lo"))
        e["costhi/" + k] = fmt("%.2f", est.get("hi"))
        tree = c.get("cost_per_sample_process_tree")
        if tree:
            e["costpt/" + k] = fmt("%.2f", tree.get("value"))
            e["costptlo/" + k] = fmt("%.2f", tree.get("lo"))
            e["costpthi/" + k] = fmt("%.2f", tree.get("hi"))
    paired_numbers(e, results["summary"])
    if cost:
        for r in cost["signal_path"]:
            e["sig/" + r["handler"]] = fmt("%.0f", r["median_ns"])
            e["sigx/" + r["handler"]] = fmt("%.2f", r["x_floor"])
        for r in cost["samplers"]:
            if "unwinder" not in r:
                continue
            k = "%s/%s/%.0f" % (r["sampler"], r["unwinder"], r["rate"])
            e["samp/" + k] = fmt("%.0f", r["achieved_hz"])
            e["sampns/" + k] = fmt("%.0f", r.get("handler_ns_mean"))
    if cg:
        e["cg/reps"] = fmt("%.0f", cg["config"]["repetitions"])
        e["cg/trials"] = fmt("%.0f", len(cg["trials"]))
        for c in cg["summary"]["configs"]:
            if not c["sampler"] or c["rate"] == 0:
                continue
            k = "%s/%s/%s/%.0f" % (c["workload"], c["sampler"], c["unwinder"], c["rate"])
            m = (c.get("per_sample") or {}).get("cachegrind") or {}
            e["cg/D1/" + k] = fmt("%.0f", m.get("D1_misses"))
            e["cg/LL/" + k] = fmt("%.0f", m.get("LL_misses"))
    if bias:
        bias_numbers(e, bias)
    return {k: tex_escape(v) for k, v in e.items()}


def strip_hzv(text):
    """Removes \\hzv{...}, \\ovci{...}, \\pov{...} and \\pcost{...} (balanced braces)."""
    out, i = [], 0
    pattern = re.compile(r"\\(hzv|ovci|pov|pcost)\{")
    while True:
        mt = pattern.search(text, i)
        if not mt:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:mt.start()])
        depth, j = 1, mt.end()
        while depth and j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j


def stray_digits(text, names=()):
    """Lines of text that still hold a digit once the allowed places are removed (names:
    identifiers from the results, such as workload names, which may hold digits)."""
    text = re.sub(r"(?<!\\)%.*", "", text)  # comments
    text = strip_hzv(text)
    text = re.sub(r"\\(input|includegraphics|ref|label)(\[[^]]*\])?\{[^}]*\}", "", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    text = re.sub(r"\\multicolumn\{\d+\}", "", text)
    for w in WHITELIST:
        text = re.sub(w, "", text)
    return [line for line in text.splitlines() if re.search(r"\d", line)]


def load_run(run):
    """results.json of a run and its optional inputs: cost.json and the cachegrind and bias
    companions (None where absent)."""
    def optional(*parts):
        path = os.path.join(run, *parts)
        return json.load(open(path)) if os.path.exists(path) else None
    return (json.load(open(os.path.join(run, "results.json"))), optional("cost.json"),
            optional("cachegrind", "results.json"), optional("bias", "results.json"))


def report(hzprof, run, out):
    subprocess.run([hzprof, "report", run, "--format", "latex", "-o", out], check=True,
                   stdout=subprocess.DEVNULL)


def read_numbers(gen):
    defined = {}
    for line in open(os.path.join(gen, "numbers.tex")):
        mt = re.match(r"\\expandafter\\def\\csname hz@(.*)\\endcsname\{(.*)\}$", line.rstrip("\n"))
        if mt:
            defined[mt.group(1)] = mt.group(2)
        elif line.startswith("\\expandafter"):
            fail("unparsed line in numbers.tex: " + line)
    return defined


def check_numbers(defined, want):
    for k, v in defined.items():
        if k not in want:
            fail("numbers.tex defines %s, which the results do not give" % k)
        if want[k] != v:
            fail("numbers.tex: %s = %r, the results give %r" % (k, v, want[k]))
    missing = sorted(set(want) - set(defined))
    if missing:
        fail("numbers.tex lacks %d keys, e.g. %s" % (len(missing), missing[:5]))


def run_names(results, bias):
    """Workload names of the run and of its bias companion (they may hold digits)."""
    runs = [results] + ([bias] if bias else [])
    return [w["name"] for r in runs for w in r["config"]["workloads"]]


def check_tables(gen, names, defined):
    """No literal figure in a table; every key a table cites is defined."""
    for f in sorted(os.listdir(gen)):
        if f.startswith("table-") and f.endswith(".tex"):
            text = open(os.path.join(gen, f)).read()
            lines = stray_digits(text, names)
            if lines:
                fail("%s has a number outside \\hzv: %s" % (f, lines[0]))
            for key in re.findall(r"\\hzv\{([^}]*)\}", text):
                if key not in defined:
                    fail("%s cites \\hzv{%s}, which numbers.tex does not define" % (f, key))


def check_reference(hzprof, repo):
    ref = os.path.join(repo, "results", "reference")
    gen = os.path.join(repo, "paper", "generated")
    results, cost, cg, bias = load_run(ref)

    # 1. The committed generated files are today's output for the reference run.
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "generated")
        report(hzprof, ref, out)
        made = sorted(f for f in os.listdir(out) if f.endswith(".tex"))
        kept = sorted(f for f in os.listdir(gen) if f.endswith(".tex"))
        if made != kept:
            fail("paper/generated differs from a fresh run: %s vs %s" % (kept, made))
        for f in made:
            if open(os.path.join(out, f)).read() != open(os.path.join(gen, f)).read():
                fail("paper/generated/%s is not what hzprof report writes for "
                     "results/reference: run make paper" % f)

    # 2. numbers.tex, recomputed from the results.
    defined = read_numbers(gen)
    check_numbers(defined, expected_numbers(results, cost, cg, bias))

    # 3. No literal figure in the tables or the paper's text.
    names = run_names(results, bias)
    check_tables(gen, names, defined)
    paper = open(os.path.join(repo, "paper", "paper.tex")).read()
    body = paper[paper.index("\\begin{document}"):]
    lines = stray_digits(body, names)
    if lines:
        fail("paper.tex has a hand-typed number: %s" % lines[0].strip())
    body = re.sub(r"(?<!\\)%.*", "", body)  # comments cite nothing
    if not bias:  # what \ifhzbias guards is not typeset without a bias companion
        body = re.sub(r"\\ifhzbias\b.*?\\(else|fi)\b", "", body, flags=re.S)
    for key in re.findall(r"\\hzv\{([^}]*)\}", body):
        if key not in defined:
            fail("paper.tex cites \\hzv{%s}, which numbers.tex does not define" % key)
    for arg in re.findall(r"\\ovci\{([^}]*)\}", body):
        for part in ("ov/", "ovlo/", "ovhi/"):
            if part + arg not in defined:
                fail("paper.tex cites \\ovci{%s}, but %s%s is not defined" % (arg, part, arg))
    for macro in ("pov", "pcost"):
        for arg in re.findall(r"\\%s\{([^}]*)\}" % macro, body):
            if macro + "/" + arg not in defined:
                fail("paper.tex cites \\%s{%s}, but %s/%s is not defined" % (macro, arg, macro, arg))
    print("PASS: %d numbers, all from the results; no hand-typed figure" % len(defined))


def check_bias_companion(hzprof, repo, fixture):
    """The reference run in a temporary copy, without a bias companion and then with
    FIXTURE as one (whatever results/reference holds), and with damaged companions."""
    ref = os.path.join(repo, "results", "reference")
    companion = json.load(open(fixture))
    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "run")
        os.makedirs(os.path.join(run, "cachegrind"))
        for part in ("results.json", "cost.json", os.path.join("cachegrind", "results.json")):
            if os.path.exists(os.path.join(ref, part)):
                shutil.copy(os.path.join(ref, part), os.path.join(run, part))
        results, cost, cg, _ = load_run(run)

        # Without a companion: no bias keys, no bias table.
        out = os.path.join(tmp, "without")
        report(hzprof, run, out)
        defined = read_numbers(out)
        check_numbers(defined, expected_numbers(results, cost, cg))
        if any(k.startswith("bias/") for k in defined) or os.path.exists(
                os.path.join(out, "table-bias.tex")):
            fail("bias keys or table-bias.tex written without a bias companion")

        # With one: every key recomputed, the table cites them, one row per summary row.
        os.makedirs(os.path.join(run, "bias"))
        path = os.path.join(run, "bias", "results.json")
        shutil.copy(fixture, path)
        out = os.path.join(tmp, "with")
        report(hzprof, run, out)
        defined = read_numbers(out)
        check_numbers(defined, expected_numbers(results, cost, cg, companion))
        table = os.path.join(out, "table-bias.tex")
        if not os.path.exists(table):
            fail("no table-bias.tex with a bias companion")
        rows = [l for l in open(table) if "\\hzv{bias/" in l]
        if len(rows) != len(companion["summary"]["bias"]):
            fail("table-bias.tex has %d rows, summary.bias %d"
                 % (len(rows), len(companion["summary"]["bias"])))
        check_tables(out, run_names(results, companion), defined)

        # Damaged companions: one line naming the file and the fault, exit 1, nothing written.
        def damaged(what, text, want):
            with open(path, "w") as f:
                f.write(text)
            out = os.path.join(tmp, "damaged")
            p = subprocess.run([hzprof, "report", run, "--format", "latex", "-o", out],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            err = p.stderr.strip()
            if p.returncode == 0 or os.path.exists(out):
                fail("a bias companion with %s was accepted" % what)
            if "bias/results.json" not in err or want not in err or "\n" in err:
                fail("a bias companion with %s: %r, expected one line with %r" % (what, err, want))

        def mutated(change):
            doc = copy.deepcopy(companion)
            change(doc)
            return json.dumps(doc)

        damaged("truncated JSON", '{"summary": ', "is not a results.json of hzprof bench")
        damaged("a string for a number",
                mutated(lambda d: d["summary"]["bias"][0]["attribution_error_pts"].update(
                    value="3.2")),
                "summary.bias[0].attribution_error_pts.value: expected a number or null")
        damaged("a row without n", mutated(lambda d: d["summary"]["bias"][1].pop("n")),
                "summary.bias[1].n: missing")
        damaged("no summary.bias", mutated(lambda d: d["summary"].pop("bias")),
                "no summary.bias rows")
    print("PASS: bias companion: %d numbers recomputed, %d table rows; absent and damaged "
          "companions handled" % (len([k for k in defined if k.startswith("bias/")]), len(rows)))


def main():
    args = sys.argv[1:]
    if len(args) == 2:
        check_reference(*args)
    elif len(args) == 4 and args[2] == "--bias":
        check_bias_companion(args[0], args[1], args[3])
    else:
        fail("usage: paper_numbers.py HZPROF REPO [--bias FIXTURE]")


if __name__ == "__main__":
    main()
