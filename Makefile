# capfix: a thin wrapper around CMake (like neovim's).
#   make run    install what is missing, build, show the fix capfix would apply to examples/
#   make test   install what is missing, build plain and with ASan+UBSan, run every test
#   make bench  run the benchmark (bench/run.sh)

BUILD_TYPE ?= RelWithDebInfo
CAPFIX_WERROR ?= OFF
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian 12 packages the build and the tests need.
DEB_PACKAGES = gcc make cmake pkg-config libfyaml-dev libjansson-dev libgit2-dev libcmocka-dev \
	git patch diffutils python3 python3-yaml python3-jsonschema python3-rfc3987

.PHONY: all deps build build-asan run test test-plain test-asan bench format check-format clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "capfix: installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCAPFIX_WERROR=$(CAPFIX_WERROR)

$(ASAN_DIR)/CMakeCache.txt:
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DCAPFIX_WERROR=$(CAPFIX_WERROR) \
		-DCAPFIX_SANITIZE=address,undefined

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake -S . -B $(BUILD_DIR) -DCAPFIX_WERROR=$(CAPFIX_WERROR) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps $(ASAN_DIR)/CMakeCache.txt
	cmake -S . -B $(ASAN_DIR) -DCAPFIX_WERROR=$(CAPFIX_WERROR) >/dev/null
	cmake --build $(ASAN_DIR) -j $(JOBS)

run: build
	@echo "== capfix fix --diff examples/ (nothing is written)"
	./$(BUILD_DIR)/capfix fix --diff examples/; rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: test-plain test-asan

test-plain: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run.sh $(BUILD_DIR)/capfix

format:
	clang-format -i src/*.c include/capfix/*.h tests/unit/*.c

check-format:
	clang-format --dry-run -Werror src/*.c include/capfix/*.h tests/unit/*.c

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
