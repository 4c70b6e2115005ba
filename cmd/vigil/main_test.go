package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"vigil/internal/testdb"
)

type result struct {
	code           int
	stdout, stderr string
}

func vigil(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestHelpAndUsage(t *testing.T) {
	if r := vigil(t, nil, "", "help"); r.code != 0 || !strings.Contains(r.stdout, "vigil migrate up|down|status") {
		t.Fatalf("help: %+v", r)
	}
	if r := vigil(t, nil, "", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %+v", r)
	}
	for _, args := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"seed", "--help"}, {"user", "--help"}, {"user", "add", "--help"}, {"user", "passwd", "--help"}, {"backup", "--help"}, {"restore", "--help"}} {
		if r := vigil(t, nil, "", args...); r.code != 0 || !strings.Contains(r.stdout, "Usage: vigil") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	// Passwords are never taken from the command line.
	if r := vigil(t, nil, "", "user", "add", "--email", "a@b.org", "--password", "secret"); r.code != 2 {
		t.Errorf("--password accepted: %+v", r)
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	r := vigil(t, map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/y", "VIGIL_SECRET": "short", "VIGIL_ADDR": "nonsense"}, "", "serve")
	if r.code != 1 || !strings.Contains(r.stderr, "VIGIL_SECRET: is 5 characters long") || !strings.Contains(r.stderr, "VIGIL_ADDR") {
		t.Fatalf("bad config: %+v", r)
	}
}

func TestLifecycle(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL": testdb.Empty(t),
		"VIGIL_SECRET": strings.Repeat("x", 40),
		"VIGIL_ADDR":   "127.0.0.1:0",
	}
	// serve refuses while migrations are pending, and says what to run.
	r := vigil(t, env, "", "serve")
	if r.code != 1 || !strings.Contains(r.stderr, "migration(s) pending; run `vigil migrate up` first") {
		t.Fatalf("serve on an empty database: %+v", r)
	}
	if r := vigil(t, env, "", "migrate", "status"); r.code != 0 || !strings.Contains(r.stdout, "pending") {
		t.Fatalf("status: %+v", r)
	}
	if r := vigil(t, env, "", "migrate", "up"); r.code != 0 || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("migrate up: %+v", r)
	}
	if r := vigil(t, env, "", "migrate", "up"); r.code != 0 || !strings.Contains(r.stdout, "up to date") {
		t.Fatalf("migrate up again: %+v", r)
	}

	env["VIGIL_ADMIN_EMAIL"] = "Chief@Protocol.example"
	r = vigil(t, env, "", "seed", "--demo")
	if r.code != 0 || !strings.Contains(r.stdout, "e-mail:   chief@protocol.example") || !strings.Contains(r.stdout, "password: ") {
		t.Fatalf("first seed: %+v", r)
	}
	r = vigil(t, env, "", "seed", "--demo")
	if r.code != 0 || !strings.Contains(r.stdout, "already exists") || strings.Contains(r.stdout, "password: ") {
		t.Fatalf("second seed changed something or printed a password: %+v", r)
	}

	// user add reads the password from standard input.
	r = vigil(t, env, "too short\n", "user", "add", "--email", "gate@example.org", "--name", "Gate Staff", "--role", "staff")
	if r.code != 1 || !strings.Contains(r.stderr, "at least 12 characters") {
		t.Fatalf("short password: %+v", r)
	}
	r = vigil(t, env, "a good long password\n", "user", "add", "--email", "gate@example.org", "--name", "Gate Staff", "--role", "staff")
	if r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r = vigil(t, env, "a good long password\n", "user", "add", "--email", "GATE@example.org", "--name", "Again", "--role", "staff")
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("duplicate user add: %+v", r)
	}
	r = vigil(t, env, "", "user", "add", "--email", "bad", "--name", "", "--role", "king")
	if r.code != 2 || !strings.Contains(r.stderr, "--email") || !strings.Contains(r.stderr, "--name") || !strings.Contains(r.stderr, "--role") {
		t.Fatalf("bad user add: %+v", r)
	}
	r = vigil(t, env, "", "user", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "gate@example.org") || !strings.Contains(r.stdout, "chief@protocol.example") || !strings.Contains(r.stdout, "staff@vigil.local") {
		t.Fatalf("user list: %+v", r)
	}
	if r := vigil(t, env, "another long password\n", "user", "passwd", "--email", "gate@example.org"); r.code != 0 {
		t.Fatalf("passwd: %+v", r)
	}
	if r := vigil(t, env, "another long password\n", "user", "passwd", "--email", "nobody@example.org"); r.code != 1 || !strings.Contains(r.stderr, "no account") {
		t.Fatalf("passwd unknown: %+v", r)
	}
	if r := vigil(t, env, "", "migrate", "down"); r.code != 0 {
		t.Fatalf("migrate down: %+v", r)
	}
	if r := vigil(t, env, "", "serve"); r.code != 1 || !strings.Contains(r.stderr, "1 migration(s) pending") {
		t.Fatalf("serve after down: %+v", r)
	}
}
