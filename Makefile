# Thin wrapper over CMake.  `make` builds into build/ (binaries in
# build/bin); `make check` is the whole test suite (see README).
BUILD ?= build
CMAKE ?= cmake
JOBS ?= $(shell nproc)

.PHONY: all build check test demo deps clean lint fuzz

all: build

build:
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE) --build $(BUILD) -j $(JOBS)

deps:
	scripts/deps.sh

check:
	scripts/test.sh

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo:
	scripts/demo.sh

lint:
	scripts/lint.sh

fuzz:
	scripts/fuzz.sh

clean:
	rm -rf $(BUILD)
