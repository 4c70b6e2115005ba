# Vigil. A new user needs two commands: `make run` and `make test`.
#
# Without DATABASE_URL in the environment, both use a project-local PostgreSQL cluster
# under .data/pg on 127.0.0.1:$(VIGIL_PG_PORT), default 54329 (see deploy/local/pg.sh).
# With DATABASE_URL set, they use that server and leave the local cluster alone.
#
# Needs GNU make >= 3.82 (.ONESHELL) and bash.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PG       := deploy/local/pg.sh
CHROMIUM := deploy/local/chromium.sh
MAILPIT  := deploy/local/mailpit.sh
GO       ?= go
GOFMT     = $(shell $(GO) env GOROOT)/bin/gofmt

# What `make test` / `make bench` run; e.g. make test PKG=./internal/auth/... TESTFLAGS='-run Login -v'
PKG       ?= ./...
TESTFLAGS ?=

# `make run` settings (taken from the environment when set there).
VIGIL_ADDR     ?= 127.0.0.1:8080
VIGIL_BASE_URL ?= http://$(patsubst :%,127.0.0.1:%,$(VIGIL_ADDR))

# VIGIL_SECRET: from the environment, else made once into .data/secret (mode 0600).
SECRET_FILE := .data/secret
ifeq ($(strip $(VIGIL_SECRET)),)
SECRET_DEP := $(SECRET_FILE)
endif

# Go files for gofmt: everything but data, build output, dependencies and fixtures.
GO_FILES_FIND := find . -type f -name '*.go' -not -path './.git/*' -not -path './.data/*' \
	-not -path './bin/*' -not -path '*/node_modules/*' -not -path '*/testdata/*' -print0

# Shell lines (used inside recipes) -------------------------------------------------

# Exports VIGIL_SECRET unless the environment has one.
define export_secret
export VIGIL_SECRET="$${VIGIL_SECRET:-$$(cat $(SECRET_FILE))}"
endef

# Test environment: VIGIL_TEST_DATABASE_URL is an admin connection on which the tests
# CREATE DATABASE their own databases: the local cluster's `postgres` database (started
# with fsync off; a cluster already running, e.g. from `make run`, is kept as it is), or
# $DATABASE_URL. pool_* parameters are dropped from it: the tests connect with
# pgx.Connect, and PostgreSQL rejects those as unknown settings (only pgxpool knows them).
# DATABASE_URL itself is unset for the tests so that no test reaches the dev database.
# VIGIL_CHROMIUM is the browser deploy/local/chromium.sh found (empty: none, tests skip).
define test_env
if [ -z "$${DATABASE_URL:-}" ]; then
	VIGIL_PG_FSYNC=off $(PG) start postgres
	VIGIL_TEST_DATABASE_URL="$$($(PG) url --libpq postgres)"
else
	VIGIL_TEST_DATABASE_URL="$$(printf '%s' "$$DATABASE_URL" | sed -E ':a; s/([?&])pool_[a-z_]+=[^&]*(&|$$)/\1/; ta; s/[?&]$$//')"
fi
unset DATABASE_URL
export VIGIL_TEST_DATABASE_URL
VIGIL_CHROMIUM="$$($(CHROMIUM))"
export VIGIL_CHROMIUM
$(export_secret)
endef

# Mail for the tests: a Mailpit of its own for this run (deploy/local/mailpit.sh; installed
# into .data/bin on first use), stopped when the recipe ends. The e-mail tests send to
# VIGIL_TEST_SMTP_ADDR and read back through VIGIL_TEST_MAILPIT_URL; with both already set
# (a Mailpit you run), they are used as they are. No Mailpit: the script warns loudly and
# the e-mail tests skip (under CI it fails instead).
define mailpit_env
if [ -z "$${VIGIL_TEST_SMTP_ADDR:-}" ] || [ -z "$${VIGIL_TEST_MAILPIT_URL:-}" ]; then
	mailpit_vars="$$(GO='$(GO)' $(MAILPIT) start)"
	eval "$$mailpit_vars"
	if [ -n "$${VIGIL_MAILPIT_DIR:-}" ]; then
		trap '$(MAILPIT) stop "$$VIGIL_MAILPIT_DIR"' EXIT
	fi
fi
export VIGIL_TEST_SMTP_ADDR VIGIL_TEST_MAILPIT_URL
endef

# go test -race needs cgo and a C compiler. As root with apt-get, install gcc.
define need_cc
cc="$$($(GO) env CC)"; cc="$${cc%% *}"
if ! command -v "$${cc:-gcc}" >/dev/null 2>&1; then
	if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "make: no C compiler for 'go test -race'; installing gcc with apt-get" >&2
		apt-get update >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y gcc libc6-dev >&2
	else
		echo "make: 'go test -race' needs a C compiler: sudo apt-get install gcc" >&2
		exit 1
	fi
fi
endef

# Targets ---------------------------------------------------------------------------

.PHONY: help run test bench build lint fmt clean db-start db-stop db-status db-url db-psql

help: ## list the targets
	@echo "Vigil: make run (serve with demo data) and make test are all you need."
	echo
	echo "Targets:"
	awk -F':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	echo
	echo "Environment: DATABASE_URL (use this server instead of the local cluster),"
	echo "  VIGIL_PG_PORT (local cluster port, default 54329), VIGIL_SECRET (default: .data/secret),"
	echo "  VIGIL_ADDR (default 127.0.0.1:8080), VIGIL_BASE_URL (default http://\$$VIGIL_ADDR),"
	echo "  PKG and TESTFLAGS for test/bench (default PKG=./...). The db-* targets always act on"
	echo "  the local cluster. make test starts its own Mailpit unless VIGIL_TEST_SMTP_ADDR and"
	echo "  VIGIL_TEST_MAILPIT_URL are set. make run sends no e-mail unless VIGIL_SMTP_ADDR is set"
	echo "  (messages are queued and logged, and fail with \"SMTP not configured\")."

run: $(SECRET_DEP) ## start the local DB, migrate, seed demo data, serve on VIGIL_ADDR (Ctrl-C stops)
	@if [ -z "$${DATABASE_URL:-}" ]; then
		$(PG) start vigil
		DATABASE_URL="$$($(PG) url vigil)"
	fi
	export DATABASE_URL
	$(export_secret)
	export VIGIL_ADDR='$(VIGIL_ADDR)' VIGIL_BASE_URL='$(VIGIL_BASE_URL)'
	mkdir -p .data/bin
	$(GO) build -o .data/bin/vigil ./cmd/vigil
	.data/bin/vigil migrate up
	.data/bin/vigil seed --demo
	echo "make: serving $$VIGIL_BASE_URL (listening on $$VIGIL_ADDR); Ctrl-C stops" >&2
	# exec: make's shell becomes the server, so Ctrl-C reaches it directly.
	exec .data/bin/vigil serve

test: $(SECRET_DEP) ## run every test (-race; local DB with fsync off; Mailpit; browser tests with Chromium)
	@$(need_cc)
	$(test_env)
	$(mailpit_env)
	$(GO) test -race -count=1 -timeout 20m $(TESTFLAGS) $(PKG)

# `make bench` is the load benchmark of issue 7 (cmd/vigil-load): a fresh database with
# 5,000 guests, Vigil and the bare Echo + pgx baseline as child processes, vegeta at fixed
# rates and in a closed loop; the table goes to .data/bench/results-<UTC time>.md and stdout.
# It uses the local cluster (started with fsync on, as targets.md asks; one already running
# is kept as it is, and the results say whether fsync is on), or $DATABASE_URL's server, on
# which it creates and drops its own database. BENCHFLAGS go to the driver
# (go run ./cmd/vigil-load -h), e.g. BENCHFLAGS='-duration 5s -scan-rate 100'.
# With PKG given (make bench PKG=./internal/checkin/ TESTFLAGS='-bench Scan -benchtime 300x'),
# it runs the go test benchmarks instead, as `make bench-go` does.
BENCHFLAGS ?=

bench: $(SECRET_DEP) ## load benchmark: 5,000 guests, Vigil vs a baseline; writes .data/bench/results-*.md
ifneq ($(origin PKG),file)
	@$(MAKE) bench-go PKG='$(PKG)' TESTFLAGS='$(TESTFLAGS)'
else
	@if [ -z "$${DATABASE_URL:-}" ]; then
		$(PG) start postgres
		admin="$$($(PG) url --libpq postgres)"
	else
		admin="$$(printf '%s' "$$DATABASE_URL" | sed -E ':a; s/([?&])pool_[a-z_]+=[^&]*(&|$$)/\1/; ta; s/[?&]$$//')"
	fi
	unset DATABASE_URL VIGIL_TEST_DATABASE_URL
	mkdir -p .data/bin
	$(GO) build -o .data/bin/vigil-load ./cmd/vigil-load
	.data/bin/vigil-load -admin-url "$$admin" -out-dir .data/bench $(BENCHFLAGS)
endif

.PHONY: bench-go
bench-go: $(SECRET_DEP) ## run the go test benchmarks in PKG (same database set-up as test)
	@$(test_env)
	$(GO) test -run '^$$' -bench . -benchmem $(TESTFLAGS) $(PKG)

build: ## build bin/vigil
	@$(GO) build -o bin/vigil ./cmd/vigil

lint: ## gofmt check, go vet, staticcheck
	@unformatted="$$($(GO_FILES_FIND) | xargs -0 -r $(GOFMT) -l)"
	if [ -n "$$unformatted" ]; then
		echo "gofmt: these files are not formatted (run make fmt):" >&2
		printf '  %s\n' $$unformatted >&2
		exit 1
	fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

fmt: ## gofmt -w every Go file
	@$(GO_FILES_FIND) | xargs -0 -r $(GOFMT) -l -w

clean: ## remove bin/ (keeps .data: database, secret)
	@rm -rf bin/

db-start: ## start the local PostgreSQL (database vigil)
	@$(PG) start vigil

db-stop: ## stop the local PostgreSQL
	@$(PG) stop

db-status: ## show whether the local PostgreSQL runs
	@$(PG) status || [ $$? -eq 3 ] # 3: not running

db-url: ## print the local database URL (pgx form, with pool_max_conns)
	@$(PG) url vigil

db-psql: ## open psql on the local database vigil
	@$(PG) psql vigil

$(SECRET_FILE):
	@mkdir -p $(@D)
	(umask 077 && head -c 32 /dev/urandom | base64 > $@.tmp)
	mv -f $@.tmp $@
	echo "make: created $@ (VIGIL_SECRET for local runs; keep it, sessions and tokens depend on it)" >&2

# Backups -----------------------------------------------------------------------------
# `vigil backup` / `vigil restore` (pg_dump -Fc / pg_restore, found as deploy/local/pg.sh
# finds PostgreSQL) on DATABASE_URL, or on the local cluster's database vigil without it.

.PHONY: backup restore

backup: ## write the database to FILE (default .data/backups/vigil-<UTC time>.dump)
	@if [ -z "$${DATABASE_URL:-}" ]; then DATABASE_URL="$$($(PG) url vigil)"; fi
	export DATABASE_URL
	file='$(FILE)'
	if [ -z "$$file" ]; then mkdir -p .data/backups; file=".data/backups/vigil-$$(date -u +%Y%m%dT%H%M%SZ).dump"; fi
	$(GO) run ./cmd/vigil backup "$$file"

restore: ## load FILE=… into the (empty) database: DATABASE_URL, or a new local database vigil_restored
	@if [ -z '$(FILE)' ]; then echo "make: say which backup: make restore FILE=.data/backups/….dump" >&2; exit 2; fi
	if [ -z "$${DATABASE_URL:-}" ]; then
		$(PG) start vigil_restored
		DATABASE_URL="$$($(PG) url vigil_restored)"
	fi
	export DATABASE_URL
	$(GO) run ./cmd/vigil restore '$(FILE)'
