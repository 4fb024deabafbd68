# Thin wrapper over CMake.  `make` builds into build/ (binaries in
# build/bin); `make check` is the whole test suite (see README).
# `make install [PREFIX=/usr] [DESTDIR=DIR]` installs (cmake/install.cmake);
# `make deb` builds the Debian package into out/deb/ (scripts/deb.sh).
BUILD ?= build
CMAKE ?= cmake
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local

.PHONY: all build check test demo deps clean lint fuzz install deb

all: build

build:
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@$(CMAKE) --build $(BUILD) -j $(JOBS)

# DESTDIR comes from the environment or the command line; cmake --install
# honours it.
install: build
	DESTDIR=$(DESTDIR) $(CMAKE) --install $(BUILD)

deb:
	scripts/deb.sh

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
