#!/usr/bin/env python3
"""e2e_layers_build.py — the build enforces the layer rule (ARCHITECTURE.md).

For a file of each layer, compiles a one-line probe `#include "HEADER"` with exactly the
flags the build uses for that file (build/compile_commands.json): a header of a layer
above (or beside) must not be found — the compile fails with "HEADER: No such file" — and
a header of the same layer or one below must compile, so the failures are the layering's,
not a broken probe.

    e2e_layers_build.py BUILD_DIR
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# (a file whose flags the probe takes, the header it includes, whether it may)
CASES = [
    ("harness/score.c", "commands.h", False),      # cli above harness
    ("harness/score.c", "plot.h", False),          # viz above harness
    ("viz/plot.c", "commands.h", False),           # cli above viz
    ("profile/text_file.c", "results_load.h", False),  # harness above profile
    ("profile/text_file.c", "commands.h", False),
    ("core/src/ring.c", "profile_input.h", False),  # profile above core
    ("workloads/matmul.c", "profile_input.h", False),  # profile beside workloads
    ("harness/score.c", "profile_input.h", True),   # down
    ("harness/score.c", "cacheinfo.h", True),
    ("viz/plot.c", "results_load.h", True),
    ("cli/main.c", "plot.h", True),
    ("profile/folded_parse.c", "pprof/profile.h", True),
]


def main():
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for src, header, allowed in CASES:
            entry = next((e for e in entries if e["file"].endswith("/" + src)), None)
            if entry is None:
                failures.append(f"{src}: not in compile_commands.json")
                continue
            args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
            out = []
            skip = False
            for a in args:
                if skip:
                    skip = False
                    continue
                if a in ("-o", "-c"):
                    skip = True
                    continue
                if a == entry["file"] or a.endswith("/" + src):
                    continue
                out.append(a)
            probe = os.path.join(tmp, "probe.c")
            with open(probe, "w") as f:
                f.write(f'#include "{header}"\nint layers_build_probe;\n')
            r = subprocess.run(out + ["-fsyntax-only", probe], cwd=entry["directory"],
                               capture_output=True, text=True)
            if allowed and r.returncode != 0:
                failures.append(f"{src} + {header}: should compile, failed:\n{r.stderr}")
            elif not allowed and r.returncode == 0:
                failures.append(f"{src} + {header}: compiled, the layer rule is not enforced")
            elif not allowed and f"{header}: No such file" not in r.stderr:
                failures.append(f"{src} + {header}: failed for another reason:\n{r.stderr}")
            else:
                print(f"ok: {src} + {header}: {'compiles' if allowed else 'not found'}")
    if failures:
        for f in failures:
            print("FAILED:", f, file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
