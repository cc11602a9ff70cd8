# The two commands a new machine needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all deps build test lint format demo bench fuzz check deb clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build

# make test also builds the .deb (scripts/deb.sh --test: the package's files from a release build
# with the static Swift runtime, in its own build folder) and a test installs it into this machine's
# /usr and /etc (root); a package that does not build or passes no lintian stops the run.
# MIMAMORI_DEB=0 leaves it out: the test is skipped then, except with CI=true, where it fails.
test: deps lint
	$(SWIFT) build --build-tests
	@# One test at a time: some suites restart or freeze the shared broker on purpose.
	$(if $(filter 0,$(MIMAMORI_DEB)),,deb=$$(scripts/deb.sh --test) && MIMAMORI_TEST_DEB=$$PWD/$$deb) scripts/with-broker.sh $(SWIFT) test --skip-build --no-parallel

# mimamori_<version>_amd64.deb in .build/deb/ (release build, static Swift runtime), checked by lintian.
deb: deps
	@scripts/deb.sh

# The code's one style (.swift-format); `make format` rewrites the files to it.
lint:
	$(SWIFT) format lint --strict --parallel --recursive Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --parallel --recursive Sources Tests Package.swift

demo: deps
	@scripts/demo.sh

bench:
	@scripts/deps.sh bench
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh

check: deps
	@scripts/check.sh

clean:
	scripts/rabbitmq-node.sh stop || true
	scripts/postgres-node.sh stop || true
	rm -rf .build .run
