// Command vigil runs Vigil: the web server, schema migrations, demo data and
// user accounts. Run `vigil help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Vigil runs an annual commemoration ceremony end to end.

Usage:
  vigil serve                      serve the web application
  vigil migrate up|down|status     apply, roll back or list schema migrations
  vigil seed [--demo]              create the first organizer (and demo data)
  vigil user add|list|passwd       manage user accounts
  vigil backup FILE                write the whole database to FILE (pg_dump)
  vigil restore FILE               load a backup into an empty database
  vigil help                       show this help

Run "vigil COMMAND --help" for a command's options. Settings come from the
environment (DATABASE_URL, VIGIL_ADDR, VIGIL_BASE_URL, VIGIL_SECRET, …);
see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: tests call it with their own
// environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	env := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	var err error
	switch args[0] {
	case "serve":
		err = env.serve(ctx, args[1:])
	case "migrate":
		err = env.migrate(ctx, args[1:])
	case "seed":
		err = env.seed(ctx, args[1:])
	case "user":
		err = env.user(ctx, args[1:])
	case "backup":
		err = env.backup(ctx, args[1:])
	case "restore":
		err = env.restore(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "vigil: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "vigil: %s\n", ue.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "vigil: %v\n", err)
		return 1
	}
}

type cli struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

var errHelp = errors.New("help shown")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func (e *cli) logger(level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
