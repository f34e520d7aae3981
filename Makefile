# Kallad — the two commands of the README are `make demo` and `make test`.
SWIFT ?= swift
CONFIG ?= Config
THIS_YEAR := $(shell date +%Y)
NEXT_YEAR := $(shell expr $(THIS_YEAR) + 1)
TODAY := $(shell date +%F)
IN_120_DAYS := $(shell date -d '+120 days' +%F)

.PHONY: demo test setup oracles build release check bench chaos clean

## demo: set up, build, check the bundled Config/, preview the next 120 days and write every message as .eml
## into out/demo/ (a dry run: nothing is sent).
demo: setup build
	.build/debug/kallad check --config $(CONFIG) --years $(THIS_YEAR)-$(NEXT_YEAR)
	.build/debug/kallad preview --config $(CONFIG) --from $(TODAY) --to $(IN_120_DAYS) --eml out/demo
	@echo "The messages, exactly as they would be sent, are in out/demo/ (nothing left this machine)."

## test: set up (packages, Python oracles), build, run every test, and check Config/ for 2026–2035.
test: setup oracles
	$(SWIFT) build
	$(SWIFT) test
	Tests/cli/run.sh
	scripts/chaos.sh 2000 20 debug

setup:
	@scripts/setup.sh

oracles:
	@scripts/setup-oracles.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

check: build
	.build/debug/kallad check --config $(CONFIG) --years 2026-2035

## bench: release build, generated national registry, figures into BENCHMARKS.md.
bench: setup oracles
	scripts/bench/run.sh

## chaos: kill -9 the sender 100 times during 10,000 summonses to smtp-sink; nothing lost, duplicates ≤ kills.
chaos: setup
	scripts/chaos.sh 10000 100 release

clean:
	rm -rf .build out bench-out
