#!/usr/bin/env bash
# A throwaway Mailpit (SMTP server with an HTTP API) for the e-mail tests of `make test`.
#
#   deploy/local/mailpit.sh start   start a new Mailpit on two free loopback ports and print,
#                                   on stdout, shell assignments for the tests:
#                                     VIGIL_TEST_SMTP_ADDR=127.0.0.1:PORT
#                                     VIGIL_TEST_MAILPIT_URL=http://127.0.0.1:PORT
#                                     VIGIL_MAILPIT_DIR=<run folder, for stop>
#   deploy/local/mailpit.sh stop DIR stop the Mailpit started with run folder DIR, remove DIR
#
# Each start is its own instance (own ports, own database under .data/mailpit/run.*), so
# several `make test` runs at once do not share mail. The binary is Mailpit $VERSION,
# installed with `go install` into .data/bin when missing (about 45 s the first time;
# VIGIL_MAILPIT may point at another mailpit executable).
#
# Mailpit missing and not installable: a loud warning, nothing printed, exit 0 -- the
# e-mail tests then skip with a message; but exit 1 when CI is set (non-empty), so CI
# never skips them silently. Progress goes to stderr.
set -euo pipefail

VERSION=v1.33.1
ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BIN="$ROOT/.data/bin/mailpit"
STAMP="$ROOT/.data/bin/mailpit.version"
RUNS="$ROOT/.data/mailpit"
GO="${GO:-go}"

say() { printf 'mailpit: %s\n' "$*" >&2; }
die() {
	printf 'mailpit: error: %s\n' "$*" >&2
	exit 1
}

# binary: prints the mailpit to run, installing it when needed; 1 if there is none.
binary() {
	if [ -n "${VIGIL_MAILPIT:-}" ]; then
		[ -x "$VIGIL_MAILPIT" ] || die "VIGIL_MAILPIT=$VIGIL_MAILPIT is not an executable"
		printf '%s\n' "$VIGIL_MAILPIT"
		return 0
	fi
	# `go install` builds report version "dev": the stamp file says which one it is.
	if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
		printf '%s\n' "$BIN"
		return 0
	fi
	if ! command -v "$GO" >/dev/null 2>&1; then
		say "go not found; cannot install Mailpit"
		return 1
	fi
	say "installing Mailpit $VERSION into .data/bin (go install; about 45 s the first time)"
	mkdir -p "$(dirname -- "$BIN")"
	if ! GOBIN="$(dirname -- "$BIN")" "$GO" install "github.com/axllent/mailpit@$VERSION" >&2; then
		say "go install github.com/axllent/mailpit@$VERSION failed"
		return 1
	fi
	printf '%s\n' "$VERSION" >"$STAMP"
	printf '%s\n' "$BIN"
}

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: a port in 20000-59999 that nothing listens on now. Mailpit may still lose a
# race for it to another program; start then tries again with new ports.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! listening "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	die "no free port found on 127.0.0.1"
}

skip_loudly() {
	cat >&2 <<'EOF'

  ********************************************************************************
  *  Mailpit not available: the E-MAIL TESTS WILL BE SKIPPED.                    *
  *  Install it and run the tests again:                                         *
  *      go install github.com/axllent/mailpit@v1.33.1                           *
  *  and point VIGIL_MAILPIT at the binary (or let make test install it into     *
  *  .data/bin, which needs the Go module proxy).                                *
  ********************************************************************************

EOF
	if [ -n "${CI:-}" ]; then
		say "CI is set: a missing Mailpit is an error here"
		exit 1
	fi
	exit 0
}

cmd_start() {
	local bin dir smtp http pid
	bin="$(binary)" || skip_loudly
	mkdir -p "$RUNS"
	dir="$(mktemp -d "$RUNS/run.XXXXXX")"
	for attempt in 1 2 3; do
		smtp="$(free_port)"
		http="$(free_port)"
		[ "$smtp" != "$http" ] || continue
		# setsid: Ctrl-C in the terminal running make must not kill Mailpit before the
		# tests' own clean-up has run; stop ends it.
		setsid "$bin" --smtp "127.0.0.1:$smtp" --listen "127.0.0.1:$http" --disable-version-check \
			--database "$dir/mailpit.db" --max 0 --quiet --log-file "$dir/mailpit.log" \
			</dev/null >>"$dir/mailpit.log" 2>&1 &
		pid=$!
		printf '%s\n' "$pid" >"$dir/pid"
		for _ in $(seq 1 100); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if listening "$smtp" && listening "$http"; then
				say "running on smtp 127.0.0.1:$smtp, http 127.0.0.1:$http (PID $pid)"
				printf 'VIGIL_TEST_SMTP_ADDR=127.0.0.1:%s\n' "$smtp"
				printf 'VIGIL_TEST_MAILPIT_URL=http://127.0.0.1:%s\n' "$http"
				printf 'VIGIL_MAILPIT_DIR=%q\n' "$dir"
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		say "Mailpit did not come up on ports $smtp/$http (attempt $attempt); log:"
		tail -n 5 "$dir/mailpit.log" | sed 's/^/    /' >&2 || true
	done
	rm -rf -- "$dir"
	die "Mailpit did not start"
}

cmd_stop() {
	local dir="${1:-}" pid
	[ -n "$dir" ] || die "stop needs the run folder that start printed (VIGIL_MAILPIT_DIR)"
	case "$dir" in
	"$RUNS"/run.*) ;;
	*) die "stop: $dir is not a Mailpit run folder under $RUNS" ;;
	esac
	[ -d "$dir" ] || return 0
	pid="$(cat "$dir/pid" 2>/dev/null || true)"
	case "$pid" in
	'' | *[!0-9]*) ;;
	*)
		if kill "$pid" 2>/dev/null; then
			for _ in $(seq 1 50); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -9 "$pid" 2>/dev/null || true
		fi
		;;
	esac
	rm -rf -- "$dir"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop "${2:-}" ;;
*)
	sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
