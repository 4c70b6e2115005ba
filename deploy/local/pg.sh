#!/usr/bin/env bash
# Project-local PostgreSQL cluster for `make run` and `make test`.
#
#   deploy/local/pg.sh start [DBNAME]         start the cluster (initdb on first use), create DBNAME (default vigil)
#   deploy/local/pg.sh stop                   stop the cluster (fast shutdown); fine if never initialised
#   deploy/local/pg.sh status                 print state; exit 0 when running, 3 when not
#   deploy/local/pg.sh url [--libpq] [DBNAME] print the connection URL (default DBNAME vigil)
#   deploy/local/pg.sh psql [DBNAME] [ARGS..] open psql on DBNAME (default vigil)
#
# The URL is postgres://postgres@127.0.0.1:PORT/DBNAME?sslmode=disable&pool_max_conns=10.
# pool_max_conns is a pgxpool setting that libpq tools (psql, pg_dump) reject as an unknown
# parameter: `url --libpq` prints the same URL without it.
#
# Layout: $ROOT/.data/pg/{data,run,log/postgres.log}, ROOT = repository root.
# Environment:
#   VIGIL_PG_PORT    TCP port on 127.0.0.1 (default 54329)
#   VIGIL_PG_FSYNC   "off" starts the server with fsync, synchronous_commit and
#                    full_page_writes off (tests only; applies when this call starts it)
#   VIGIL_PG_BINDIR  folder with initdb/pg_ctl/postgres (default: found automatically)
#
# Run as root, initdb and pg_ctl run as the `postgres` system user (created if missing),
# since initdb refuses to run as root. Progress goes to stderr; only `url`/`status` write
# to stdout.
set -euo pipefail

# Hermetic: no PGHOST, PGSSLMODE, PGOPTIONS, PGSERVICE... from the caller's environment.
unset "${!PG@}"

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
PORT="${VIGIL_PG_PORT:-54329}"
DEFAULT_DB=vigil
SUPERUSER=postgres # the database superuser initdb creates (-U postgres)
MIN_MAJOR=13
PREFERRED_MAJOR=15

say() { printf 'pg: %s\n' "$*" >&2; }
die() {
	printf 'pg: error: %s\n' "$*" >&2
	exit 1
}

case "$PORT" in
'' | *[!0-9]*) die "VIGIL_PG_PORT must be a port number, got '$PORT'" ;;
esac

is_root() { [ "$(id -u)" -eq 0 ]; }

check_dbname() {
	case "$1" in
	'' | *[!A-Za-z0-9_]*) die "database name must match [A-Za-z0-9_]+, got '$1'" ;;
	esac
}

url() { # url DBNAME [libpq]
	local u="postgres://${SUPERUSER}@127.0.0.1:${PORT}/$1?sslmode=disable"
	if [ "${2:-}" != libpq ]; then
		u="${u}&pool_max_conns=10"
	fi
	printf '%s\n' "$u"
}

# ---------------------------------------------------------------------------
# Where the cluster lives.

# BASE holds data/, run/, log/. It is $ROOT/.data/pg unless we run as root and the
# postgres user cannot reach $ROOT (a parent folder without o+x): then a folder under
# /var/lib/vigil-pg, one per checkout.
FALLBACK_USED=0
resolve_base() {
	BASE="$ROOT/.data/pg"
	if is_root && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
		if id postgres >/dev/null 2>&1; then
			local hash
			hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
			BASE="/var/lib/vigil-pg/$(basename -- "$ROOT")-$hash"
			FALLBACK_USED=1
		fi
	fi
	DATA="$BASE/data"
	SOCKDIR="$BASE/run"
	LOGDIR="$BASE/log"
	LOGFILE="$LOGDIR/postgres.log"
}

# ---------------------------------------------------------------------------
# Binaries.

major_of() { # major_of BINDIR -> prints major version of BINDIR/postgres
	local v
	v="$("$1/postgres" --version 2>/dev/null)" || return 1
	# "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
	v="${v#*) }"
	v="${v%%[!0-9]*}"
	[ -n "$v" ] || return 1
	printf '%s\n' "$v"
}

usable_bindir() { # usable_bindir DIR [WANT_MAJOR]
	local d="$1" m
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] || return 1
	m="$(major_of "$d")" || return 1
	[ "$m" -ge "$MIN_MAJOR" ] || return 1
	if [ -n "${2:-}" ] && [ "$m" != "$2" ]; then return 1; fi
	return 0
}

candidate_bindirs() {
	if [ -n "${VIGIL_PG_BINDIR:-}" ]; then
		printf '%s\n' "$VIGIL_PG_BINDIR"
		return
	fi
	printf '%s\n' "/usr/lib/postgresql/$PREFERRED_MAJOR/bin"
	if command -v pg_config >/dev/null 2>&1; then
		pg_config --bindir 2>/dev/null || true
	fi
	# newest first
	printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn
	if command -v initdb >/dev/null 2>&1; then
		dirname -- "$(readlink -f -- "$(command -v initdb)")"
	fi
}

find_bindir() { # find_bindir [WANT_MAJOR]
	local d
	while IFS= read -r d; do
		if usable_bindir "$d" "${1:-}"; then
			printf '%s\n' "$d"
			return 0
		fi
	done < <(candidate_bindirs)
	return 1
}

install_hint() {
	cat >&2 <<EOF
pg: error: PostgreSQL server binaries (initdb, pg_ctl, postgres; version >= $MIN_MAJOR) not found
    on PATH, via pg_config, or under /usr/lib/postgresql/*/bin.
    Install them, then run the command again:
        Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y postgresql
        Fedora/RHEL:    sudo dnf install -y postgresql-server
        macOS:          brew install postgresql@15
    Or point VIGIL_PG_BINDIR at the folder holding initdb, or set DATABASE_URL to use
    an existing server instead of the project-local one.
EOF
}

ensure_bindir() {
	local want=""
	if [ -f "$DATA/PG_VERSION" ]; then
		want="$(cat "$DATA/PG_VERSION")"
	fi
	if BINDIR="$(find_bindir "$want")"; then
		return 0
	fi
	if [ -n "$want" ] && find_bindir >/dev/null; then
		die "the cluster in $DATA was created by PostgreSQL $want, whose binaries are not installed.
    Install PostgreSQL $want (e.g. apt-get install postgresql-$want), or remove $BASE
    (its data is lost) and run start again."
	fi
	if is_root && command -v apt-get >/dev/null 2>&1; then
		say "PostgreSQL server binaries not found; installing the Debian package 'postgresql' (apt-get)"
		apt-get update >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
		if BINDIR="$(find_bindir "$want")"; then
			return 0
		fi
	fi
	install_hint
	exit 1
}

tool() { # tool NAME -> path of a client tool, from BINDIR or PATH
	if [ -x "$BINDIR/$1" ]; then
		printf '%s\n' "$BINDIR/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	else
		die "$1 not found (looked in $BINDIR and PATH)"
	fi
}

# ---------------------------------------------------------------------------
# Running things as the cluster owner.

# fd 9 is the start lock: the server must not inherit it, or it would hold the lock forever.
as_owner() {
	if is_root; then
		# cd /: the caller's working folder may not be readable by postgres.
		(cd / && runuser -u postgres -- "$@" 9>&-)
	else
		"$@" 9>&-
	fi
}

ensure_postgres_user() {
	is_root || return 0
	if ! id postgres >/dev/null 2>&1; then
		say "creating system user postgres"
		local group=(--user-group)
		if getent group postgres >/dev/null; then group=(-g postgres); fi
		useradd --system "${group[@]}" --home-dir /var/lib/postgresql --no-create-home \
			--shell /usr/sbin/nologin --comment "PostgreSQL administrator" postgres
	fi
}

prepare_dirs() {
	if is_root; then
		if [ "$FALLBACK_USED" = 1 ]; then
			say "note: the postgres user cannot reach $ROOT (a parent folder lacks o+x);"
			say "      keeping the cluster in $BASE instead of $ROOT/.data/pg"
			mkdir -p /var/lib/vigil-pg
			chmod 755 /var/lib/vigil-pg
		else
			mkdir -p "$ROOT/.data"
			# postgres must be able to pass through .data (search only, no listing).
			if ! runuser -u postgres -- test -x "$ROOT/.data"; then
				chmod a+x "$ROOT/.data"
			fi
		fi
		mkdir -p "$BASE" "$SOCKDIR" "$LOGDIR"
		chown postgres:postgres "$BASE" "$SOCKDIR" "$LOGDIR"
		chmod 700 "$BASE"
		if [ -e "$LOGFILE" ]; then chown postgres:postgres "$LOGFILE"; fi
		if [ -d "$DATA" ] && [ "$(stat -c %U "$DATA")" != postgres ]; then
			say "handing $DATA to the postgres user"
			chown -R postgres:postgres "$DATA"
		fi
	else
		mkdir -p "$BASE" "$SOCKDIR" "$LOGDIR"
		chmod 700 "$BASE"
	fi
}

# ---------------------------------------------------------------------------
# State.

pidfile_pid() { # prints the postmaster PID from postmaster.pid, if any
	[ -f "$DATA/postmaster.pid" ] || return 1
	local pid
	pid="$(head -n1 "$DATA/postmaster.pid" 2>/dev/null)" || return 1
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	printf '%s\n' "$pid"
}

pidfile_port() {
	sed -n 4p "$DATA/postmaster.pid" 2>/dev/null
}

# running: postmaster.pid names a live process that is a postgres server.
# (pg_ctl status only checks that the PID is alive, which a reused PID also is.)
# A killed server can linger as a zombie until its parent (often PID 1) reaps it: not running.
live_postgres() { # live_postgres PID
	local pid="$1" comm stat
	stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
	stat="${stat##*) }"
	case "${stat%% *}" in Z | X | x) return 1 ;; esac
	comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
	case "$comm" in postgres | postmaster) return 0 ;; esac
	return 1
}

running() {
	local pid
	pid="$(pidfile_pid)" || return 1
	live_postgres "$pid"
}

# A postmaster.pid left by a crash whose PID still exists -- as an unreaped zombie of the
# killed server, or reused by an unrelated process -- makes postgres refuse to start
# ("Is another postmaster running?"). Remove it then. This is safe: postgres finds the
# old shared memory by the data folder, not by this file, and refuses to start while
# an orphaned backend still uses it. A dead PID is left alone; postgres handles that.
# The socket's lock file (run/.s.PGSQL.PORT.lock) has the same problem.
clear_stale_lockfiles() {
	local f pid
	for f in "$DATA/postmaster.pid" "$SOCKDIR/.s.PGSQL.$PORT.lock"; do
		[ -f "$f" ] || continue
		pid="$(head -n1 "$f" 2>/dev/null)" || continue
		case "$pid" in '' | *[!0-9]*) continue ;; esac
		if [ -d "/proc/$pid" ] && ! live_postgres "$pid"; then
			say "removing stale $(basename -- "$f") (PID $pid is now: $(ps -o stat=,comm= -p "$pid" 2>/dev/null || echo 'another process'))"
			rm -f "$f"
			if [ "$f" != "$DATA/postmaster.pid" ]; then rm -f "${f%.lock}"; fi
		fi
	done
}

# ---------------------------------------------------------------------------
# Commands.

write_conf() {
	# Settings that contain paths go in a file, not in pg_ctl -o (which goes through a
	# shell). Rewritten on every start so that a moved checkout or a new port take effect.
	local sock="$SOCKDIR" q="'"
	# A Unix socket path is limited to 107 bytes; with a deep checkout use TCP only.
	if [ $((${#sock} + 20)) -gt 107 ]; then
		say "note: $sock is too long for a Unix socket; listening on TCP only"
		sock=""
	fi
	local conf
	conf="# Written by deploy/local/pg.sh on each start; edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '${sock//$q/$q$q}'
max_connections = 200
"
	printf '%s' "$conf" | as_owner tee "$DATA/vigil.conf" >/dev/null
	if ! as_owner grep -q "^include_if_exists = 'vigil.conf'" "$DATA/postgresql.conf"; then
		printf "\n# Project settings (deploy/local/pg.sh)\ninclude_if_exists = 'vigil.conf'\n" |
			as_owner tee -a "$DATA/postgresql.conf" >/dev/null
	fi
}

log_tail() {
	if [ -f "$LOGFILE" ]; then
		say "last lines of $LOGFILE:"
		tail -n 20 "$LOGFILE" | sed 's/^/    /' >&2
	fi
}

start_server() {
	local opts=()
	if [ "${VIGIL_PG_FSYNC:-on}" = off ]; then
		opts=(-o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
	fi
	local attempt
	for attempt in 1 2 3 4 5; do
		if as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 -s "${opts[@]}" start >&2; then
			return 0
		fi
		running && return 0
		# After a crash, orphaned backends may hold the old shared memory for a moment.
		if [ "$attempt" -lt 5 ] && tail -n 5 "$LOGFILE" 2>/dev/null | grep -q 'still in use'; then
			say "previous server's processes are still exiting; retrying"
			sleep 2
			continue
		fi
		break
	done
	log_tail
	if tail -n 5 "$LOGFILE" 2>/dev/null | grep -q 'Address already in use'; then
		die "port $PORT on 127.0.0.1 is taken by another program (another checkout's cluster?).
    Set VIGIL_PG_PORT to a free port, e.g. VIGIL_PG_PORT=54330 make run"
	fi
	die "PostgreSQL did not start (log: $LOGFILE)"
}

# wait_ready: 0 once the server accepts connections, 1 if it stops running meanwhile
# (e.g. it was just killed); dies if it runs but does not answer within ~30 s.
wait_ready() {
	local isready
	isready="$(tool pg_isready)"
	for _ in $(seq 1 60); do
		if "$isready" -q -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -t 2; then
			return 0
		fi
		running || return 1
		sleep 0.5
	done
	log_tail
	die "PostgreSQL is running but does not accept connections on 127.0.0.1:$PORT"
}

ensure_db() {
	local db="$1" psql createdb
	[ "$db" = postgres ] && return 0
	psql="$(tool psql)"
	createdb="$(tool createdb)"
	local exists
	exists="$(PGCONNECT_TIMEOUT=10 "$psql" -X -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname='$db'")"
	if [ "$exists" != 1 ]; then
		say "creating database $db"
		if ! "$createdb" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" "$db" 2>/dev/null; then
			# Lost a race with a concurrent start? Then it exists now.
			exists="$("$psql" -X -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -tAc \
				"SELECT 1 FROM pg_database WHERE datname='$db'")"
			[ "$exists" = 1 ] || die "could not create database $db"
		fi
	fi
}

fresh_start() {
	clear_stale_lockfiles
	write_conf
	say "starting on 127.0.0.1:$PORT${VIGIL_PG_FSYNC:+ (fsync ${VIGIL_PG_FSYNC})}"
	start_server
	wait_ready || {
		log_tail
		die "PostgreSQL stopped right after starting (log: $LOGFILE)"
	}
}

cmd_start() {
	local db="${1:-$DEFAULT_DB}"
	check_dbname "$db"
	resolve_base
	ensure_postgres_user
	resolve_base # the fallback decision needs the postgres user to exist
	ensure_bindir
	prepare_dirs

	# One start at a time per cluster (parallel make, two terminals).
	exec 9>>"$BASE/.lock"
	flock 9

	if [ ! -f "$DATA/PG_VERSION" ]; then
		if [ -e "$DATA" ] && [ -n "$(ls -A "$DATA" 2>/dev/null)" ]; then
			die "$DATA exists but is not a PostgreSQL data folder; remove it and run start again"
		fi
		say "initialising cluster in $DATA (PostgreSQL $(major_of "$BINDIR"))"
		if is_root; then
			mkdir -p "$DATA"
			chown postgres:postgres "$DATA"
		fi
		if ! as_owner "$BINDIR/initdb" -D "$DATA" -E UTF8 --locale=C.UTF-8 --auth=trust -U "$SUPERUSER" \
			>"$LOGDIR/initdb.log" 2>&1; then
			sed 's/^/    /' "$LOGDIR/initdb.log" >&2
			die "initdb failed (output above, also in $LOGDIR/initdb.log)"
		fi
	fi

	if running; then
		local p
		p="$(pidfile_port)"
		if [ -n "$p" ] && [ "$p" != "$PORT" ]; then
			die "the cluster is already running on port $p, not $PORT; run '$0 stop' first"
		fi
		if wait_ready; then
			say "already running on 127.0.0.1:$PORT (data $DATA)"
			if [ "${VIGIL_PG_FSYNC:-on}" = off ]; then
				say "note: kept the running server as it is (VIGIL_PG_FSYNC=off applies only when the server starts)"
			fi
		else
			say "the server (PID $(pidfile_pid)) went away; starting it again"
			fresh_start
		fi
	else
		fresh_start
	fi
	ensure_db "$db"
	say "ready: $(url "$db" libpq)"
}

cmd_stop() {
	resolve_base
	if [ ! -f "$DATA/PG_VERSION" ]; then
		say "no cluster in $DATA; nothing to stop"
		return 0
	fi
	if ! running; then
		say "not running"
		return 0
	fi
	ensure_bindir
	say "stopping"
	as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop >&2
	say "stopped"
}

cmd_status() {
	resolve_base
	if [ ! -f "$DATA/PG_VERSION" ]; then
		echo "not initialised (data folder $DATA)"
		return 3
	fi
	if running; then
		echo "running: PID $(pidfile_pid), 127.0.0.1:$(pidfile_port), data $DATA"
		echo "url: $(url "$DEFAULT_DB")"
		return 0
	fi
	echo "stopped (data $DATA)"
	return 3
}

cmd_url() {
	local mode="" db="" a
	for a in "$@"; do
		case "$a" in
		--libpq) mode=libpq ;;
		-*) die "url: unknown option $a" ;;
		*)
			[ -z "$db" ] || die "url: one database name only"
			db="$a"
			;;
		esac
	done
	db="${db:-$DEFAULT_DB}"
	check_dbname "$db"
	url "$db" "$mode"
}

cmd_psql() {
	local db="${1:-$DEFAULT_DB}"
	[ $# -gt 0 ] && shift
	check_dbname "$db"
	resolve_base
	ensure_bindir
	exec "$(tool psql)" "$(url "$db" libpq)" "$@"
}

usage() {
	sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

main() {
	local cmd="${1:-}"
	[ $# -gt 0 ] && shift
	case "$cmd" in
	start) cmd_start "$@" ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	url) cmd_url "$@" ;;
	psql) cmd_psql "$@" ;;
	-h | --help | help)
		usage
		;;
	*)
		usage
		exit 2
		;;
	esac
}

main "$@"
