# capfix: a thin wrapper around CMake (like neovim's).
#   make run    install what is missing, build, show the fix capfix would apply to examples/
#   make test   install what is missing, build plain and with ASan+UBSan, run every test
#   make bench  run the benchmark (bench/run.sh; it also runs capfix-bench-parse, which CMake
#               builds beside capfix only with BUILD_TESTING=ON, the default here)
#   make fuzz   install clang, build the libFuzzer harnesses, fuzz each for FUZZ_SECONDS

BUILD_TYPE ?= RelWithDebInfo
CAPFIX_WERROR ?= OFF
# ON: also build the tests and capfix-bench-parse (needs cmocka); `make test` and `make bench`
# need it. OFF (`make build BUILD_TESTING=OFF`) builds only capfix.
BUILD_TESTING ?= ON
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 1800
FUZZ_SHORT_SECONDS ?= 20

# Debian 12 packages the build and the tests need.
DEB_PACKAGES = gcc make cmake pkg-config libfyaml-dev libjansson-dev libgit2-dev zlib1g-dev libcmocka-dev \
	git patch diffutils python3 python3-yaml python3-jsonschema python3-rfc3987 acl attr \
	pre-commit zsh groff-base

# Debian 12 packages `make fuzz` needs (clang and its libFuzzer runtime); `make test` runs a
# short fuzz run only when they are already installed.
FUZZ_DEB_PACKAGES = clang libclang-rt-14-dev

# What those packages are, for systems without apt-get (`make deps` prints it there).
DEPS_NEEDED = a C17 compiler, CMake >= 3.25, pkg-config, libfyaml >= 0.7.12, jansson >= 2.14, zlib, \
	libgit2 >= 1.5, cmocka for tests (BUILD_TESTING), python3 with PyYAML/jsonschema/rfc3987 \
	for some tests, git, patch and diff for the tests
FUZZ_DEPS_NEEDED = clang with its libFuzzer runtime (-fsanitize=fuzzer)

.PHONY: install all deps fuzz-deps build build-asan build-fuzz run test test-plain test-asan test-fuzz \
	test-fuzz-short fuzz bench format check-format clean

all: build

# On Debian (apt-get and dpkg-query present) the missing packages are installed. Elsewhere the
# list is printed and the build goes on: CMake's configure step then says what is really missing.
deps:
	@if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then \
		echo "capfix: no apt-get/dpkg-query here: install these (Debian 12 names) or their equivalents:"; \
		echo "  $(DEB_PACKAGES)"; \
		echo "  that is: $(DEPS_NEEDED)"; \
		exit 0; \
	fi; \
	missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "capfix: installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_DEB_PACKAGES)" \
		DEPS_NEEDED="$(FUZZ_DEPS_NEEDED)"

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCAPFIX_WERROR=$(CAPFIX_WERROR) \
		-DBUILD_TESTING=$(BUILD_TESTING)

$(ASAN_DIR)/CMakeCache.txt:
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DCAPFIX_WERROR=$(CAPFIX_WERROR) \
		-DBUILD_TESTING=$(BUILD_TESTING) -DCAPFIX_SANITIZE=address,undefined

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake -S . -B $(BUILD_DIR) -DCAPFIX_WERROR=$(CAPFIX_WERROR) -DBUILD_TESTING=$(BUILD_TESTING) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps $(ASAN_DIR)/CMakeCache.txt
	cmake -S . -B $(ASAN_DIR) -DCAPFIX_WERROR=$(CAPFIX_WERROR) -DBUILD_TESTING=$(BUILD_TESTING) >/dev/null
	cmake --build $(ASAN_DIR) -j $(JOBS)

$(FUZZ_DIR)/CMakeCache.txt:
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCAPFIX_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPFIX_WERROR=$(CAPFIX_WERROR) -DBUILD_TESTING=ON

build-fuzz: deps fuzz-deps $(FUZZ_DIR)/CMakeCache.txt
	cmake -S . -B $(FUZZ_DIR) -DCAPFIX_WERROR=$(CAPFIX_WERROR) -DBUILD_TESTING=ON >/dev/null
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fix_fuzz scan_fuzz cfg_fuzz policy_fuzz

# Replays tests/fuzz/regressions, then fuzzes each harness for FUZZ_SECONDS (see tests/fuzz/README.md).
fuzz: build-fuzz
	tests/fuzz/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

run: build
	@echo "== capfix fix --diff examples/ (nothing is written)"
	./$(BUILD_DIR)/capfix fix --diff examples/; rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: test-plain test-asan test-fuzz

test-plain: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# A short fuzz run, when clang and libFuzzer are installed (`make fuzz` installs them).
test-fuzz: deps
	@if printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' | \
		clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-fuzz-short; \
	else \
		echo "capfix: clang with libFuzzer not installed: short fuzz run skipped (make fuzz installs it)"; \
	fi

# (its own target, so that `make -n test` only prints the fuzz run: a recipe line holding
# $(MAKE) is run even under -n)
test-fuzz-short: build-fuzz
	tests/fuzz/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SHORT_SECONDS)

# cmake --install with a prefix: make install PREFIX=/usr/local (DESTDIR=... honoured)
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	bench/run.sh $(BUILD_DIR)/capfix

format:
	clang-format -i src/*.c include/capfix/*.h tests/unit/*.c

check-format:
	clang-format --dry-run -Werror src/*.c include/capfix/*.h tests/unit/*.c

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
