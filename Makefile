# Thin wrapper around CMake. The real build description is CMakeLists.txt.
#
#   make                 build everything into build/ (lib/, bin/)
#   make test            build and run every test with ctest
#   make test SANITIZE=address,undefined
#                        the same in build-san/ with ASan+UBSan
#   make bench           the quick overhead benchmark (filled in by the harness issue)
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

.PHONY: all deps configure build test bench format format-check clean

all: build

deps:
	@scripts/deps.sh $(HZPROF_EXTRA_PACKAGES)

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DHZPROF_SANITIZE=$(SANITIZE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@echo "hzprof: 'make bench' arrives with the harness (issue 6); for now: build/bin/hzprof cost"
	@$(BUILD_DIR)/bin/hzprof cost

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h') && echo "format: clean"

clean:
	rm -rf build build-san
