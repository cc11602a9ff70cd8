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

# MIMAMORI_DEB=1 make test also builds the .deb first (a release build: minutes) and a test installs
# it into this machine's /usr and /etc (root); a package that does not build stops the run.
test: deps lint
	$(SWIFT) build --build-tests
	@# One test at a time: some suites restart or freeze the shared broker on purpose.
	$(if $(MIMAMORI_DEB),deb=$$(scripts/deb.sh) && MIMAMORI_TEST_DEB=$$PWD/$$deb) scripts/with-broker.sh $(SWIFT) test --skip-build --no-parallel

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
	rm -rf .build .run
