package main

import (
	"context"
	"fmt"
	"os"

	"vigil/internal/database"
)

// backup and restore wrap pg_dump and pg_restore (found as
// deploy/local/pg.sh finds the PostgreSQL programs, or in VIGIL_PG_BINDIR)
// with the database in DATABASE_URL.

func (e *cli) backup(ctx context.Context, args []string) error {
	fs := e.flags("backup", "Usage: vigil backup FILE\n\nWrites the whole database in DATABASE_URL to FILE in pg_dump's custom format\n(compressed). FILE appears only once the backup is complete. Restore it with\nvigil restore FILE into an empty database. Vigil may keep running meanwhile:\npg_dump reads one consistent snapshot.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{msg: "backup: give the file to write (see vigil backup --help)"}
	}
	file := fs.Arg(0)
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s already exists; give a new file name (nothing written)", file)
	}
	db, cfg, err := e.open(ctx)
	if err != nil {
		return err
	}
	db.Close()
	if err := database.Backup(ctx, cfg.DatabaseURL, file, e.getenv("VIGIL_PG_BINDIR")); err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backup: wrote %s (%d bytes)\n", file, st.Size())
	return nil
}

func (e *cli) restore(ctx context.Context, args []string) error {
	fs := e.flags("restore", "Usage: vigil restore FILE\n\nLoads a backup made by vigil backup into the database in DATABASE_URL, which\nmust be empty (createdb a new one): all or nothing, in one transaction, without\nthe original owners and grants. Then point Vigil at it; vigil migrate up brings\nan older backup's schema up to date.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{msg: "restore: give the backup file to load (see vigil restore --help)"}
	}
	db, cfg, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := database.Restore(ctx, db, cfg.DatabaseURL, fs.Arg(0), e.getenv("VIGIL_PG_BINDIR")); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restore: loaded %s\n", fs.Arg(0))
	return nil
}
