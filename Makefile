# Thin wrapper around CMake. The real build description is CMakeLists.txt.
#
#   make                 build everything into build/ (lib/, bin/)
#   make test            build and run every test with ctest
#   make test SANITIZE=address,undefined
#                        the same in build-san/ with ASan+UBSan
#   make bench           the quick overhead benchmark into results/<date>-<host>/
#                        (BENCH_PRESET=full for the reference configuration)
#   make paper           paper/paper.pdf from results/reference (PAPER_RESULTS=DIR
#                        for another run): paper/generated/ is regenerated first
#   make tsan            the ring's tests and the API's (profiler, reader thread, map, the
#                        wall sampler's helper) under ThreadSanitizer, in build-tsan/
#   make format          clang-format every C source in place
#   make format-check    fail if any C source is not clang-formatted
#   make clean

SANITIZE ?=
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

ifeq ($(SANITIZE),)
BUILD_DIR := build
else
BUILD_DIR := build-san
endif

.PHONY: all deps bench-deps configure build test tsan bench paper format format-check clean

all: build

deps:
	@scripts/deps.sh $(HZPROF_EXTRA_PACKAGES)

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DHZPROF_SANITIZE=$(SANITIZE) >/dev/null

# --no-print-directory: CMake's own progress lines, not gmake's "Entering directory".
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) -- --no-print-directory

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

BENCH_PRESET ?= quick
BENCH_STAMP := $(shell date -u +%Y-%m-%dT%H%M%SZ)-$(shell hostname)
BENCH_DIR ?= results/$(BENCH_STAMP)

# The baselines (Go twins, gperftools, perf): installed where we can, else skipped by
# the benchmark with the reason recorded.
bench-deps:
	@scripts/deps.sh --optional golang-go libgoogle-perftools4 linux-perf

bench: bench-deps build
	@scripts/bench.sh $(BUILD_DIR) $(BENCH_PRESET) $(BENCH_DIR)

PAPER_RESULTS ?= results/reference
paper: build
	@scripts/deps.sh texlive-latex-base texlive-latex-recommended latexmk
	@# generated/ holds only what this run gives: files of an earlier run's workloads go.
	@if [ -f paper/generated/.hzprof-generated ]; then rm -rf paper/generated; fi
	@$(BUILD_DIR)/bin/hzprof report $(PAPER_RESULTS) --format latex -o paper/generated >/dev/null
	@cd paper && latexmk -pdf -interaction=nonstopmode -halt-on-error paper.tex >/dev/null 2>&1 || \
	  { tail -40 paper/paper.log; echo "hzprof: paper: LaTeX failed (paper/paper.log)"; exit 1; }
	@if grep -E "undefined|Rerun to get" paper/paper.log; then \
	  echo "hzprof: paper: unresolved references (paper/paper.log)"; exit 1; fi
	@echo "hzprof: paper/paper.pdf, from $(PAPER_RESULTS)"

# ThreadSanitizer on the lock-free ring (its writers run in signal handlers and threads
# at once) and on the API tests (the profiler's start and stop with its reader thread, the
# map, the wall sampler's helper thread). The end-to-end tests do not run under TSan yet:
# it defers asynchronous signals to its own safe points, and a profiled run crashes inside
# its runtime (see issue 14's notes).
tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHZPROF_SANITIZE=thread >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target test_ring test_api -- --no-print-directory
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -R '^test_(ring|api)$$'

# Tracked and new (untracked, not ignored) sources alike.
SOURCES = $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')

format:
	@clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run --Werror $(SOURCES) && echo "format: clean"

clean:
	rm -rf build build-san build-tsan
