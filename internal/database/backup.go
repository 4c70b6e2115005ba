package database

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Backups wrap pg_dump and pg_restore, found the way deploy/local/pg.sh
// finds the PostgreSQL binaries, so that `vigil backup` and `vigil restore`
// use the tools of the installed server rather than whichever is first on
// PATH.

// preferredMajor is the PostgreSQL version Vigil is built on (as pg.sh).
const preferredMajor = 15

// binDirs lists the folders to look for PostgreSQL programs in, in pg.sh's
// order: bindir when given (VIGIL_PG_BINDIR), else the preferred major's
// Debian folder, pg_config --bindir, every /usr/lib/postgresql/*/bin
// (newest first), and the folder of initdb on PATH.
func binDirs(bindir string) []string {
	if bindir != "" {
		return []string{bindir}
	}
	dirs := []string{fmt.Sprintf("/usr/lib/postgresql/%d/bin", preferredMajor)}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return majorOf(found[i]) > majorOf(found[j]) })
	dirs = append(dirs, found...)
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	return dirs
}

func majorOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Tool returns the path of a PostgreSQL program (pg_dump, pg_restore,
// initdb…): the first of binDirs(bindir) that has it, else PATH.
func Tool(name, bindir string) (string, error) {
	dirs := binDirs(bindir)
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("database: %s not found (looked in %s and PATH); install the PostgreSQL client "+
		"(e.g. apt-get install postgresql-client-15) or set VIGIL_PG_BINDIR", name, strings.Join(dirs, ", "))
}

// LibpqURL is conn without pgxpool's own pool_* settings, which libpq
// programs (psql, pg_dump) reject as unknown. Both the URL and the
// keyword=value form are handled; everything else is kept as written.
func LibpqURL(conn string) string {
	if strings.Contains(conn, "://") {
		i := strings.IndexByte(conn, '?')
		if i < 0 {
			return conn
		}
		var kept []string
		for _, kv := range strings.Split(conn[i+1:], "&") {
			if kv != "" && !strings.HasPrefix(kv, "pool_") {
				kept = append(kept, kv)
			}
		}
		if len(kept) == 0 {
			return conn[:i]
		}
		return conn[:i+1] + strings.Join(kept, "&")
	}
	var kept []string
	for _, f := range strings.Fields(conn) {
		if !strings.HasPrefix(f, "pool_") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

// toolEnv takes the password out of a URL, so that it reaches the program
// through PGPASSWORD rather than its command line (visible in ps).
func toolEnv(conn string) (string, []string) {
	conn = LibpqURL(conn)
	env := os.Environ()
	u, err := url.Parse(conn)
	if err != nil || u.User == nil || !strings.Contains(conn, "://") {
		return conn, env
	}
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
		u.User = url.User(u.User.Username())
	}
	return u.String(), env
}

func runTool(ctx context.Context, path string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s: %s", filepath.Base(path), msg)
	}
	return nil
}

// Backup writes the whole database at conn to file with pg_dump's custom
// format (compressed; pg_restore reads it). It writes file.partial first and
// renames it when pg_dump has finished, so a file by that name is always a
// complete backup.
func Backup(ctx context.Context, conn, file, bindir string) error {
	pgDump, err := Tool("pg_dump", bindir)
	if err != nil {
		return err
	}
	partial := file + ".partial"
	dsn, env := toolEnv(conn)
	// --no-owner/--no-privileges are for restore; the dump keeps them so
	// that one made here can restore with its roles where they exist.
	if err := runTool(ctx, pgDump, env, "--format=custom", "--file="+partial, "--dbname="+dsn); err != nil {
		if rmErr := os.Remove(partial); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
			return fmt.Errorf("database: backup: %w (and removing %s: %v)", err, partial, rmErr)
		}
		return fmt.Errorf("database: backup: %w", err)
	}
	if err := os.Rename(partial, file); err != nil {
		return fmt.Errorf("database: backup: %w", err)
	}
	return nil
}

// ErrNotEmpty is returned by Restore when the target database already has
// tables: a restore never mixes a backup into live data.
var ErrNotEmpty = errors.New("database: restore: the target database is not empty; create an empty one (createdb) and restore into it")

// Restore loads a Backup file into the empty database at conn, in one
// transaction (all or nothing), without the original owners and grants,
// so that a backup restores under another role. db is that database,
// open, to check it is empty.
func Restore(ctx context.Context, db *DB, conn, file, bindir string) error {
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	var tables int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`).Scan(&tables); err != nil {
		return fmt.Errorf("database: restore: check the target is empty: %w", err)
	}
	if tables > 0 {
		return ErrNotEmpty
	}
	pgRestore, err := Tool("pg_restore", bindir)
	if err != nil {
		return err
	}
	dsn, env := toolEnv(conn)
	if err := runTool(ctx, pgRestore, env, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--dbname="+dsn, file); err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	return nil
}
