# The two commands a new machine needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all deps build test lint format demo bench fuzz check clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build

test: deps lint
	$(SWIFT) build --build-tests
	@# One test at a time: some suites restart or freeze the shared broker on purpose.
	scripts/with-broker.sh $(SWIFT) test --skip-build --no-parallel

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
