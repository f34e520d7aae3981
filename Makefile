# Kallad — the two commands of the README are `make demo` and `make test`.
SWIFT ?= swift
CONFIG ?= Config
THIS_YEAR := $(shell date +%Y)
NEXT_YEAR := $(shell expr $(THIS_YEAR) + 1)
TODAY := $(shell date +%F)
IN_120_DAYS := $(shell date -d '+120 days' +%F)

.PHONY: demo test setup oracles build release check bench chaos clean install link-order
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= /etc/systemd/system
DESTDIR ?=

## demo: set up, build, check the bundled Config/, then run the service's whole line — planner tick, SQLite outbox,
## dispatcher — over the next 120 days on a virtual clock, delivering into out/demo/ (.eml and .json; nothing
## leaves the machine). The outbox stays in out/demo.sqlite for `kallad deliveries --database out/demo.sqlite`.
demo: setup build
	.build/debug/kallad check --config $(CONFIG) --years $(THIS_YEAR)-$(NEXT_YEAR)
	rm -rf out/demo out/demo.sqlite out/demo.sqlite-wal out/demo.sqlite-shm
	.build/debug/kallad simulate --config $(CONFIG) --from $(TODAY) --to $(IN_120_DAYS) --out out/demo \
		--database out/demo.sqlite
	.build/debug/kallad deliveries --config $(CONFIG) --database out/demo.sqlite --limit 5
	@echo "Every message, exactly as it would be sent, is in out/demo/; the real service is \`kallad run\`."

## test: set up (packages, Python oracles), build, run every test, and check Config/ for 2026–2035.
test: setup oracles
	$(SWIFT) build
	$(SWIFT) test
	Tests/cli/run.sh
	Tests/cli/daemon.sh
	scripts/chaos.sh 2000 20 debug

setup:
	@scripts/setup.sh

oracles:
	@scripts/setup-oracles.sh

build:
	$(SWIFT) build

## release: Package.swift links the release kallad small for an idle daemon (README, "Memory"); link-order remakes
## the list of startup functions it lays out first (scripts/link/kallad.order; needs valgrind), to commit.
release:
	scripts/release-build.sh kallad

link-order:
	scripts/link/refresh-order.sh

check: build
	.build/debug/kallad check --config $(CONFIG) --years 2026-2035

## bench: release build, generated national registry, figures into BENCHMARKS.md.
bench: setup oracles
	scripts/bench/run.sh

## install: release build; binary into $(PREFIX)/bin, the unit into $(UNITDIR), the sample configuration into
## $(SYSCONFDIR)/kallad (never over an existing one), the OpenAPI file into $(PREFIX)/share/kallad.
install: release
	install -D -m 755 .build/release/kallad $(DESTDIR)$(PREFIX)/bin/kallad
	install -d -m 755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/kallad $(DESTDIR)$(PREFIX)/share/kallad
	sed -e 's|/usr/local/bin/kallad|$(PREFIX)/bin/kallad|' -e 's|/etc/kallad|$(SYSCONFDIR)/kallad|g' \
		systemd/kallad.service > $(DESTDIR)$(UNITDIR)/kallad.service
	chmod 644 $(DESTDIR)$(UNITDIR)/kallad.service
	cp -rn Config/. $(DESTDIR)$(SYSCONFDIR)/kallad/
	install -d -m 700 $(DESTDIR)$(SYSCONFDIR)/kallad/credentials
	install -m 644 openapi/kallad.openapi.yaml $(DESTDIR)$(PREFIX)/share/kallad/openapi.yaml
	@echo "Installed. Put secrets in $(SYSCONFDIR)/kallad/credentials/, then: systemctl daemon-reload; systemctl enable --now kallad"

## chaos: kill -9 the sender 100 times during 10,000 summonses to smtp-sink; nothing lost, duplicates ≤ kills.
chaos: setup
	scripts/chaos.sh 10000 100 release

clean:
	rm -rf .build out bench-out
