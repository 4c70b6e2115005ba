package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"vigil/internal/app"
	"vigil/internal/audit"
	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/demo"
	"vigil/internal/venue"
)

// flags returns a FlagSet that prints its help to stdout and reports
// errors as usage errors.
func (e *cli) flags(name, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "%s\n", help)
		fs.PrintDefaults()
	}
	return fs
}

func (e *cli) parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(e.stdout)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return errHelp
	}
	if err != nil {
		return usageError{msg: fmt.Sprintf("%s: %v (see vigil %s --help)", fs.Name(), err, fs.Name())}
	}
	return nil
}

// open connects to the database named by DATABASE_URL.
func (e *cli) open(ctx context.Context) (*database.DB, config.Config, error) {
	cfg, err := config.Load(e.getenv, config.NeedDatabase)
	if err != nil {
		return nil, cfg, fmt.Errorf("configuration:\n  %w", indent(err))
	}
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, cfg, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, cfg, fmt.Errorf("cannot reach the database in DATABASE_URL: %w", err)
	}
	return db, cfg, nil
}

func indent(err error) error {
	return errors.New(strings.ReplaceAll(err.Error(), "\n", "\n  "))
}

// cliActor attributes CLI changes in the audit log to the OS user.
func cliActor(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return audit.WithActor(ctx, audit.Actor{Label: "cli (" + name + ")"})
}

// serve ----------------------------------------------------------------------

func (e *cli) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve", "Usage: vigil serve\n\nServes the web application on VIGIL_ADDR until interrupted (Ctrl-C or SIGTERM),\nthen finishes the requests in flight. Refuses to start while migrations are pending.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(e.getenv, config.NeedServer)
	if err != nil {
		return fmt.Errorf("configuration:\n  %w", indent(err))
	}
	log := e.logger(cfg.LogLevel, cfg.LogFormat)
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := database.NewMigrator(db.SQL)
	if err != nil {
		return err
	}
	pending, err := m.Pending(ctx)
	if err != nil {
		return fmt.Errorf("cannot check the schema (is PostgreSQL at DATABASE_URL running?): %w", err)
	}
	if pending > 0 {
		return fmt.Errorf("the database schema is behind: %d migration(s) pending; run `vigil migrate up` first", pending)
	}
	app.LimitMemory(os.Getenv)
	a, err := app.New(cfg, db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}

// migrate --------------------------------------------------------------------

func (e *cli) migrate(ctx context.Context, args []string) error {
	fs := e.flags("migrate", "Usage: vigil migrate up|down|status\n\n  up      apply every pending migration\n  down    roll back the newest migration\n  status  list migrations and whether each is applied")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{msg: "migrate: say up, down or status (see vigil migrate --help)"}
	}
	db, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := database.NewMigrator(db.SQL)
	if err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "up":
		n, err := m.Up(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(e.stdout, "migrate: schema is up to date")
		} else {
			fmt.Fprintf(e.stdout, "migrate: applied %d migration(s)\n", n)
		}
	case "down":
		if err := m.Down(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "migrate: rolled back one migration")
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tSTATE\tFILE")
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(tw, "%05d\t%s\t%s\n", s.Version, state, s.Name)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	default:
		return usageError{msg: fmt.Sprintf("migrate: unknown action %q; say up, down or status", fs.Arg(0))}
	}
	return nil
}

// seed -----------------------------------------------------------------------

func (e *cli) seed(ctx context.Context, args []string) error {
	fs := e.flags("seed", "Usage: vigil seed [--demo]\n\nCreates the first organizer account if it does not exist and prints its\npassword once. The e-mail and password come from VIGIL_ADMIN_EMAIL and\nVIGIL_ADMIN_PASSWORD (default organizer@vigil.local and a generated password).\nWith --demo, also adds the demonstration data. Running it again changes nothing.")
	withDemo := fs.Bool("demo", false, "also add the demonstration data")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	users := auth.NewStore(db.Gorm)

	email := auth.NormalizeEmail(e.getenv("VIGIL_ADMIN_EMAIL"))
	if email == "" {
		email = "organizer@vigil.local"
	}
	if msg := auth.CheckEmailPolicy(email); msg != "" {
		return fmt.Errorf("VIGIL_ADMIN_EMAIL: %q is %s", email, msg)
	}
	password := e.getenv("VIGIL_ADMIN_PASSWORD")
	if password != "" {
		if msg := auth.CheckPasswordPolicy(password); msg != "" {
			return fmt.Errorf("VIGIL_ADMIN_PASSWORD: %s", msg)
		}
	}
	admin, err := demo.EnsureOrganizer(ctx, users, email, password)
	if err != nil {
		return err
	}
	var created []demo.Account
	if *withDemo {
		if e.getenv("VIGIL_SECRET") == "" {
			// Links are made with the secret; without it they would not open.
			fmt.Fprintln(e.stderr, "seed: VIGIL_SECRET is not set: the demo invitations are left out")
		}
		if created, err = demo.Seed(ctx, users, ceremony.NewStore(db.Gorm), venue.NewStore(db.Gorm), delegation.NewStore(db.Gorm), app.DemoInvitations(db, []byte(e.getenv("VIGIL_SECRET"))), time.Now()); err != nil {
			return err
		}
	}
	if admin != nil {
		fmt.Fprintln(e.stdout, "")
		fmt.Fprintln(e.stdout, "  ┌────────────────────────────────────────────────────────────")
		fmt.Fprintln(e.stdout, "  │ Vigil: first organizer account created. Sign in with:")
		fmt.Fprintf(e.stdout, "  │   e-mail:   %s\n", admin.Email)
		if password == "" {
			fmt.Fprintf(e.stdout, "  │   password: %s\n", admin.Password)
			fmt.Fprintln(e.stdout, "  │ This password is shown only now; keep it safe.")
		} else {
			fmt.Fprintln(e.stdout, "  │   password: the one in VIGIL_ADMIN_PASSWORD")
		}
		fmt.Fprintln(e.stdout, "  └────────────────────────────────────────────────────────────")
	} else {
		fmt.Fprintf(e.stdout, "seed: organizer %s already exists (forgot the password? vigil user passwd %s)\n", email, email)
	}
	for _, a := range created {
		fmt.Fprintf(e.stdout, "seed: demo %s account %s, password %s\n", a.Role, a.Email, a.Password)
	}
	if *withDemo && len(created) == 0 {
		fmt.Fprintln(e.stdout, "seed: demo data already present")
	}
	return nil
}

// user -----------------------------------------------------------------------

func (e *cli) user(ctx context.Context, args []string) error {
	const help = "Usage: vigil user add|list|passwd\n\n  add --email E --name N --role organizer|staff   create an account (password asked for)\n  list                                            list accounts\n  passwd --email E                                set a new password (asked for)\n\nPasswords are read from the terminal without echo, or from standard input\nwhen it is not a terminal (one line). They are never taken from arguments."
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprintln(e.stdout, help)
		if len(args) == 0 {
			return usageError{msg: "user: say add, list or passwd"}
		}
		return errHelp
	}
	switch args[0] {
	case "add":
		return e.userAdd(ctx, args[1:])
	case "list":
		return e.userList(ctx, args[1:])
	case "passwd":
		return e.userPasswd(ctx, args[1:])
	}
	return usageError{msg: fmt.Sprintf("user: unknown action %q; say add, list or passwd", args[0])}
}

func (e *cli) userAdd(ctx context.Context, args []string) error {
	fs := e.flags("user add", "Usage: vigil user add --email E --name N --role organizer|staff [--locale en|az|ru]\n\nThe password is asked for (or read from standard input).")
	email := fs.String("email", "", "e-mail address (sign-in name)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "staff", "organizer or staff")
	locale := fs.String("locale", "en", "interface language: en, az or ru")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	var problems []string
	if msg := auth.CheckEmailPolicy(*email); msg != "" {
		problems = append(problems, fmt.Sprintf("--email %q: %s", *email, msg))
	}
	if strings.TrimSpace(*name) == "" {
		problems = append(problems, "--name: give the person's full name")
	}
	if !auth.Role(*role).Valid() {
		problems = append(problems, fmt.Sprintf("--role %q: must be organizer or staff", *role))
	}
	if *locale != "en" && *locale != "az" && *locale != "ru" {
		problems = append(problems, fmt.Sprintf("--locale %q: must be en, az or ru", *locale))
	}
	if len(problems) > 0 {
		return usageError{msg: "user add:\n  " + strings.Join(problems, "\n  ")}
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	db, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.NewStore(db.Gorm).Create(cliActor(ctx), auth.NewUser{Email: *email, Name: *name, Role: auth.Role(*role), Password: pw, Locale: *locale})
	if errors.Is(err, auth.ErrEmailTaken) {
		return fmt.Errorf("user add: an account with e-mail %s already exists", auth.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user: added %s (%s, %s)\n", u.Email, u.Name, u.Role)
	return nil
}

func (e *cli) userList(ctx context.Context, args []string) error {
	fs := e.flags("user list", "Usage: vigil user list\n\nLists every account.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	users, _, err := auth.NewStore(db.Gorm).List(ctx, auth.ListFilter{}, 0, 100000)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATE")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, state)
	}
	return tw.Flush()
}

func (e *cli) userPasswd(ctx context.Context, args []string) error {
	fs := e.flags("user passwd", "Usage: vigil user passwd --email E\n\nSets a new password, asked for (or read from standard input), and ends the\nuser's sessions.")
	email := fs.String("email", "", "the account's e-mail address")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return usageError{msg: "user passwd: --email is required"}
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	db, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	store := auth.NewStore(db.Gorm)
	u, err := store.ByEmail(ctx, *email)
	if errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("user passwd: no account with e-mail %s", auth.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	if err := store.SetPassword(cliActor(ctx), u.ID, pw); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user: password changed for %s\n", u.Email)
	return nil
}

// readPassword asks twice on a terminal, or reads one line from a pipe.
func (e *cli) readPassword() (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(e.stderr, "Repeat password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ; nothing changed")
		}
		if msg := auth.CheckPasswordPolicy(string(a)); msg != "" {
			return "", errors.New(msg + "; nothing changed")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if msg := auth.CheckPasswordPolicy(pw); msg != "" {
		return "", errors.New(msg + " (read from standard input); nothing changed")
	}
	return pw, nil
}
