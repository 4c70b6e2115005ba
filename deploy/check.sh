#!/usr/bin/env bash
# Checks the deployment files with what this machine has, and says what it could not check.
#
#   deploy/check.sh
#
# 1. YAML: compose.yaml and k8s/*.yaml parse (python3 + PyYAML); the compose services
#    that run Vigil are non-root, read-only, with a tmpfs /tmp.
# 2. Kubernetes: `kubectl kustomize deploy/k8s` renders, and every manifest decodes
#    strictly into the API's Go types (deploy/k8s/validate), with probes, runAsNonRoot and
#    readOnlyRootFilesystem where they belong.
# 3. systemd: `systemd-analyze verify` on the unit (any warning fails) and its offline
#    security score.
# 4. The binary, built as deploy/Dockerfile builds it (CGO_ENABLED=0, static), runs as
#    user 65532 (the image's) on a read-only root filesystem with only a tmpfs /tmp (a
#    private mount namespace: needs root), with the image's environment: migrate up, seed,
#    and two `serve` instances on the local PostgreSQL (deploy/local/pg.sh, database
#    vigil_deploycheck, dropped at the end).
# 5. Caddy (deploy/proxy/Caddyfile) in front of the two: HTTPS with its local CA, the live
#    board's event stream arriving unbuffered, and no failed request while one instance is
#    stopped with SIGTERM (which must exit 0).
# 6. nginx -t on deploy/proxy/nginx.conf (with throwaway certificates).
# 7. Docker: builds the image only if a Docker daemon answers.
#
# caddy and nginx are taken from PATH, from $CADDY / $NGINX, or (as root with apt-get)
# unpacked from Debian's packages into .data/deploy-check/tools without installing them.
# Work files go to .data/deploy-check (not /tmp: the sandbox mounts its own /tmp).
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
WORK="$ROOT/.data/deploy-check"
DB=vigil_deploycheck
PG="$ROOT/deploy/local/pg.sh"
GO="${GO:-go}"
failures=0
skipped=()
pids=()

say() { printf '\ncheck: %s\n' "$*" >&2; }
ok() { printf '  ok    %s\n' "$*" >&2; }
bad() {
	printf '  FAIL  %s\n' "$*" >&2
	failures=$((failures + 1))
}
skip() {
	printf '  SKIP  %s\n' "$*" >&2
	skipped+=("$*")
}

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ -n "${DB_MADE:-}" ]; then
		"$PG" psql postgres -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

rm -rf "$WORK/run"
mkdir -p "$WORK/run" "$WORK/tools"
chmod 755 "$ROOT/.data" "$WORK" "$WORK/run"

# 1. YAML ---------------------------------------------------------------------------
say "YAML"
if python3 -c 'import yaml' 2>/dev/null; then
	if python3 - "$ROOT/deploy" <<'EOF'; then ok "compose.yaml and k8s/*.yaml parse; Vigil services are non-root, read-only, tmpfs /tmp"; else bad "YAML"; fi
import glob, sys, yaml
d = sys.argv[1]
for f in [d + "/compose.yaml"] + sorted(glob.glob(d + "/k8s/*.yaml")):
    list(yaml.safe_load_all(open(f)))
c = yaml.safe_load(open(d + "/compose.yaml"))
for name, s in c["services"].items():
    if "vigil" not in str(s.get("image", "")):
        continue
    assert s.get("read_only") is True, name + ": read_only"
    assert s.get("user") == "65532:65532", name + ": user"
    assert any(t.startswith("/tmp") for t in s.get("tmpfs", [])), name + ": tmpfs /tmp"
    assert "ALL" in s.get("cap_drop", []), name + ": cap_drop"
for want in ("postgres", "mailpit", "vigil-1", "vigil-2", "caddy", "migrate"):
    assert want in c["services"], "compose: no service " + want
assert c["services"]["postgres"]["image"].startswith("postgres:15")
EOF
else
	skip "python3 with PyYAML not found: YAML not parsed"
fi

# 2. Kubernetes ---------------------------------------------------------------------
say "Kubernetes manifests"
if command -v kubectl >/dev/null; then
	if kubectl kustomize "$ROOT/deploy/k8s" >"$WORK/run/k8s.yaml"; then
		ok "kubectl kustomize renders $(grep -c '^kind:' "$WORK/run/k8s.yaml") objects"
		if (cd "$ROOT/deploy/k8s/validate" && "$GO" run . "$WORK/run/k8s.yaml" ../secret.example.yaml) >"$WORK/run/validate.log" 2>&1; then
			ok "strict decoding into k8s.io/api types + Vigil's rules ($(grep -c '^ok' "$WORK/run/validate.log") objects)"
		else
			bad "k8s validation: $(cat "$WORK/run/validate.log")"
		fi
	else
		bad "kubectl kustomize"
	fi
else
	skip "kubectl not found"
fi

# 3. systemd ------------------------------------------------------------------------
say "systemd unit"
BIN="$WORK/run/vigil"
(cd "$ROOT" && CGO_ENABLED=0 GOOS=linux "$GO" build -trimpath -tags timetzdata -ldflags='-s -w' -o "$BIN" ./cmd/vigil)
chmod 755 "$BIN"
if command -v systemd-analyze >/dev/null; then
	sed -e "s#/usr/local/bin/vigil#$BIN#g" -e "s#EnvironmentFile=/etc/vigil/vigil.env#EnvironmentFile=$ROOT/deploy/systemd/vigil.env.example#" \
		"$ROOT/deploy/systemd/vigil.service" >"$WORK/run/vigil.service"
	out="$(systemd-analyze verify "$WORK/run/vigil.service" 2>&1)" || true
	if [ -z "$out" ]; then ok "systemd-analyze verify: no warnings"; else bad "systemd-analyze verify: $out"; fi
	score="$(systemd-analyze security --offline=true "$WORK/run/vigil.service" 2>&1 | grep 'Overall exposure' || true)"
	if [ -n "$score" ]; then ok "systemd-analyze security --offline: ${score#→ }"; fi
else
	skip "systemd-analyze not found"
fi

# 4. The binary as the image runs it -----------------------------------------------
say "binary: static, user 65532, read-only root, tmpfs /tmp"
if ldd "$BIN" >/dev/null 2>&1; then bad "the binary is dynamically linked"; else ok "static binary ($(du -h "$BIN" | cut -f1))"; fi

if [ "$(id -u)" -eq 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	SANDBOX=1
else
	SANDBOX=0
	skip "not root (or no mount namespaces): the binary runs as the current user, root filesystem writable"
fi
# sandboxed ENV... -- CMD: the image's environment and user, read-only root, tmpfs /tmp.
sandboxed() {
	local envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	# In a background subshell, SANDBOX_EXEC=1 makes the subshell become vigil (unshare,
	# sh, setpriv and env each exec the next), so that $! is vigil's PID for signals.
	local run=()
	if [ "${SANDBOX_EXEC:-0}" = 1 ]; then run=(exec); fi
	if [ "$SANDBOX" = 1 ]; then
		"${run[@]}" unshare --mount --propagation private -- sh -c '
			mount -o remount,bind,ro / && mount -t tmpfs -o mode=1777,size=64m tmpfs /tmp && exec "$@"' sh \
			setpriv --reuid=65532 --regid=65532 --clear-groups --no-new-privs -- \
			env -i VIGIL_LOG_FORMAT=json TMPDIR=/tmp "${envs[@]}" "$@"
	else
		"${run[@]}" env -i VIGIL_LOG_FORMAT=json TMPDIR=/tmp "${envs[@]}" "$@"
	fi
}

"$PG" start "$DB" >/dev/null 2>&1
DB_MADE=1
DBURL="$("$PG" url "$DB")"
SECRET="deploy-check-secret-deploy-check-secret-0123456789"
ADMIN=organizer@deploy-check.example
ADMINPW="deploy check password 1234"
if sandboxed DATABASE_URL="$DBURL" -- "$BIN" migrate up >"$WORK/run/migrate.log" 2>&1; then
	ok "vigil migrate up as 65532: $(tail -n1 "$WORK/run/migrate.log")"
else
	bad "migrate up: $(cat "$WORK/run/migrate.log")"
fi
if [ "$SANDBOX" = 1 ]; then
	# Even root cannot write outside /tmp in the sandbox (so neither could vigil).
	if unshare --mount --propagation private -- sh -c 'mount -o remount,bind,ro / && ! touch /.vigil-check 2>/dev/null'; then
		ok "in the sandbox the root filesystem is read-only (even for root)"
	else
		rm -f /.vigil-check
		bad "the sandbox's root filesystem is writable"
	fi
fi
if sandboxed DATABASE_URL="$DBURL" VIGIL_SECRET="$SECRET" VIGIL_ADMIN_EMAIL="$ADMIN" VIGIL_ADMIN_PASSWORD="$ADMINPW" -- \
	"$BIN" seed --demo >"$WORK/run/seed.log" 2>&1; then
	ok "vigil seed --demo as 65532"
else
	bad "seed: $(cat "$WORK/run/seed.log")"
fi

P1="$(free_port)"
P2="$(free_port)"
HTTPS="$(free_port)"
HTTP="$(free_port)"
BASE="https://vigil.localhost:$HTTPS"
serve() { # serve PORT LOG
	(
		SANDBOX_EXEC=1
		sandboxed DATABASE_URL="$DBURL" VIGIL_SECRET="$SECRET" VIGIL_ADDR="127.0.0.1:$1" VIGIL_BASE_URL="$BASE" VIGIL_TRUST_PROXY=true -- \
			"$BIN" serve >"$2" 2>&1
	) &
	pids+=($!)
}
serve "$P1" "$WORK/run/vigil-1.log"
PID1=$!
serve "$P2" "$WORK/run/vigil-2.log"
ready() {
	for _ in $(seq 1 100); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$1/readyz" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}
if ready "$P1" && ready "$P2"; then
	ok "two vigil serve instances ready (/readyz) on :$P1 and :$P2"
else
	bad "vigil serve not ready: $(tail -n 5 "$WORK/run/vigil-1.log")"
fi

# 5. Caddy in front ----------------------------------------------------------------
find_tool() { # find_tool NAME DEBIAN_PACKAGES... -> path or ""
	local name="$1" p
	shift
	local var
	var="$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')"
	if [ -n "${!var:-}" ]; then
		printf '%s\n' "${!var}"
		return
	fi
	if p="$(command -v "$name")"; then
		printf '%s\n' "$p"
		return
	fi
	for p in "$WORK/tools/root/usr/bin/$name" "$WORK/tools/root/usr/sbin/$name"; do
		if [ -x "$p" ]; then
			printf '%s\n' "$p"
			return
		fi
	done
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		(cd "$WORK/tools" && apt-get download "$@" >/dev/null 2>&1 && for f in *.deb; do dpkg -x "$f" root; done) || true
		for p in "$WORK/tools/root/usr/bin/$name" "$WORK/tools/root/usr/sbin/$name"; do
			if [ -x "$p" ]; then
				printf '%s\n' "$p"
				return
			fi
		done
	fi
}

say "Caddy in front of the two instances"
CADDY_BIN="$(find_tool caddy caddy)"
if [ -n "$CADDY_BIN" ]; then
	export XDG_DATA_HOME="$WORK/run/caddy-data" XDG_CONFIG_HOME="$WORK/run/caddy-config"
	CADDY_ENV=(CADDY_ADMIN=off CADDY_HTTP_PORT="$HTTP" CADDY_HTTPS_PORT="$HTTPS" VIGIL_HOST=vigil.localhost
		VIGIL_UPSTREAMS="127.0.0.1:$P1 127.0.0.1:$P2")
	if env "${CADDY_ENV[@]}" "$CADDY_BIN" validate --config "$ROOT/deploy/proxy/Caddyfile" --adapter caddyfile >"$WORK/run/caddy-validate.log" 2>&1; then
		ok "caddy validate ($("$CADDY_BIN" version | cut -d' ' -f1))"
	else
		bad "caddy validate: $(tail -n 3 "$WORK/run/caddy-validate.log")"
	fi
	env "${CADDY_ENV[@]}" "$CADDY_BIN" run --config "$ROOT/deploy/proxy/Caddyfile" --adapter caddyfile >"$WORK/run/caddy.log" 2>&1 &
	pids+=($!)
	CA="$XDG_DATA_HOME/caddy/pki/authorities/local/root.crt"
	CURL=(curl -sS --resolve "vigil.localhost:$HTTPS:127.0.0.1" --cacert "$CA")
	up=0
	for _ in $(seq 1 100); do
		if [ -f "$CA" ] && "${CURL[@]}" -fo /dev/null "$BASE/readyz" 2>/dev/null; then
			up=1
			break
		fi
		sleep 0.2
	done
	if [ "$up" = 1 ]; then
		ok "HTTPS through Caddy, certificate from its local CA: $BASE/readyz"
		jar="$WORK/run/cookies"
		token="$("${CURL[@]}" -c "$jar" "$BASE/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)"
		code="$("${CURL[@]}" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "_csrf=$token" \
			--data-urlencode "email=$ADMIN" --data-urlencode "password=$ADMINPW" "$BASE/login")"
		if [ "$code" = 303 ]; then ok "sign-in through the proxy (secure cookie over HTTPS)"; else bad "sign-in through the proxy: $code"; fi
		cer="$("$PG" psql "$DB" -X -tAc 'SELECT id FROM ceremonies ORDER BY id LIMIT 1' 2>/dev/null | tr -d '[:space:]')"
		if [ -n "$cer" ]; then
			# Unbuffered: the first event must arrive while the stream is still open.
			"${CURL[@]}" -N -b "$jar" -H 'Accept: text/event-stream' --max-time 3 "$BASE/checkin/$cer/board/events" >"$WORK/run/sse.txt" 2>/dev/null || true
			if grep -q '^event: board' "$WORK/run/sse.txt"; then
				ok "live board events stream through Caddy, unbuffered (first event within 3 s)"
			else
				bad "no board event through Caddy within 3 s: $(head -c 300 "$WORK/run/sse.txt")"
			fi
		else
			skip "no ceremony in the demo data: event stream not checked"
		fi
		# One instance stopped under requests: none fails.
		(
			fails=0
			for _ in $(seq 1 60); do
				c="$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$BASE/login")" || c=000
				[ "$c" = 200 ] || fails=$((fails + 1))
				sleep 0.05
			done
			echo "$fails" >"$WORK/run/fails"
		) &
		loader=$!
		sleep 0.5
		kill -TERM "$PID1"
		rc=0
		wait "$PID1" || rc=$?
		wait "$loader"
		if [ "$rc" = 0 ]; then ok "vigil-1 exited 0 on SIGTERM"; else bad "vigil-1 exited $rc on SIGTERM"; fi
		f="$(cat "$WORK/run/fails")"
		if [ "$f" = 0 ]; then ok "60 requests through Caddy while vigil-1 stopped: 0 failed"; else bad "$f of 60 requests failed while vigil-1 stopped"; fi
	else
		bad "Caddy did not serve $BASE/readyz: $(tail -n 5 "$WORK/run/caddy.log")"
	fi
else
	skip "caddy not found: Caddyfile not validated or run"
fi

# 6. nginx --------------------------------------------------------------------------
say "nginx example"
NGINX_BIN="$(find_tool nginx nginx nginx-common)"
if [ -n "$NGINX_BIN" ]; then
	n="$WORK/run/nginx"
	mkdir -p "$n/logs"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=vigil.example.org \
		-keyout "$n/privkey.pem" -out "$n/fullchain.pem" >/dev/null 2>&1
	sed "s#/etc/ssl/vigil/#$n/#" "$ROOT/deploy/proxy/nginx.conf" >"$n/vigil.conf"
	{
		printf 'pid %s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n' "$n"
		for t in client_body proxy fastcgi uwsgi scgi; do printf '  %s_temp_path %s/%s;\n' "$t" "$n" "$t"; done
		printf '  include %s/vigil.conf;\n}\n' "$n"
	} >"$n/nginx.conf"
	if "$NGINX_BIN" -t -q -e stderr -p "$n" -c "$n/nginx.conf" >"$n/t.log" 2>&1; then
		ok "nginx -t ($("$NGINX_BIN" -v 2>&1 | cut -d/ -f2))"
	else
		bad "nginx -t: $(cat "$n/t.log")"
	fi
else
	skip "nginx not found: nginx.conf not checked"
fi

# 7. Docker -------------------------------------------------------------------------
say "container image"
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	if docker build -f "$ROOT/deploy/Dockerfile" -t vigil:check "$ROOT" >"$WORK/run/docker.log" 2>&1; then
		ok "docker build"
	else
		bad "docker build: $(tail -n 5 "$WORK/run/docker.log")"
	fi
else
	skip "no Docker daemon: the image is not built here (the binary was built and run as the Dockerfile does, above)"
fi

echo >&2
if [ "${#skipped[@]}" -gt 0 ]; then
	printf 'check: not exercised here:\n' >&2
	printf '  - %s\n' "${skipped[@]}" >&2
fi
if [ "$failures" -gt 0 ]; then
	echo "check: $failures FAILED" >&2
	exit 1
fi
echo "check: all checks that could run passed" >&2
