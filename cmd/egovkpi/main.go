// Command egovkpi is the e-government KPI system: one binary that serves the dashboard
// and API, and runs the commands an administrator or analyst needs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
)

const usage = `egovkpi — e-government KPI system

Usage:
  egovkpi serve     [--addr 127.0.0.1:8080] [--db egovkpi.duckdb] [--demo [--demo-766=false]] [--public] [--sources FILE]
                    [--indicators FILE]
  egovkpi seed      [--db F] [--through 2026-10] [--demo-766=false]  load the demo history into a database
  egovkpi rankings  --indicator I [--period P] [--group provinces|ministries]
                    [--boundaries current|historical] [--format table|json|csv] [--db F]
  egovkpi ingest    [--db F] [--dry-run] [--as USER] [--lang en] [--source NAME [--sources FILE]] FILE...
  egovkpi template  --unit CODE [--period P] --out F.xlsx  |  --kind portal_scores --out F.xlsx
  egovkpi sources   run NAME --sources FILE [--db F]
  egovkpi backup    --out DIR [--db F]  |  --server URL (token in EGOVKPI_TOKEN, while serving)
  egovkpi restore   --from DIR --db NEW.duckdb
  egovkpi rebuild   --from egovkpi.files --db NEW.duckdb
  egovkpi export    [--kind rankings] [--period P] [--group G] [--lang en] --out F.xlsx
  egovkpi export    --kind trend|raw [--from P] [--to P] [--all-versions] --out F.xlsx|F.csv|F.parquet
  egovkpi export    --kind dossiers --out NEW-FOLDER          the kept dossier rows, Parquet by month
  egovkpi user      add --username U --role admin|committee|analyst|officer [--unit CODE] [--db F]
                    (password: the first line of standard input, at least 12 characters)
  egovkpi user      list | disable --username U
  egovkpi token     create --username U [--name N] | revoke --id N | list
  egovkpi version

Environment: EGOVKPI_DB and EGOVKPI_ADDR give the defaults of --db and --addr.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the process's exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		var cfg ServeConfig
		if cfg, err = parseServe(args[1:], stderr); err == nil {
			err = cfg.Run(ctx, stdout, stderr)
		}
	case "seed":
		err = runSeed(ctx, args[1:], stdout, stderr)
	case "rankings":
		err = runRankings(ctx, args[1:], stdout, stderr)
	case "export":
		err = runExport(ctx, args[1:], stdout, stderr)
	case "ingest":
		err = runIngest(ctx, args[1:], stdout, stderr)
	case "backup":
		err = runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		err = runRestore(ctx, args[1:], stdout, stderr)
	case "sources":
		err = runSources(ctx, args[1:], stdout, stderr)
	case "template":
		err = runTemplate(ctx, args[1:], stdout, stderr)
	case "rebuild":
		err = runRebuild(ctx, args[1:], stdout, stderr)
	case "user":
		err = runUser(ctx, args[1:], stdin, stdout, stderr)
	case "token":
		err = runToken(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "egovkpi", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "egovkpi: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		if errors.Is(err, errNotAll) {
			return 1
		}
		fmt.Fprintln(stderr, "egovkpi:", err)
		return 1
	}
	return 0
}

var version = "dev"

var errUsage = errors.New("usage")

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func defaultDB() string { return envOr("EGOVKPI_DB", "egovkpi.duckdb") }

// openStore opens the database and says plainly when another process holds it.
// closeInto closes c and adds its error to *err: a DuckDB store flushes its last writes as
// it closes, so a failure there is the command's failure.
func closeInto(c io.Closer, err *error) { *err = errors.Join(*err, c.Close()) }

func openStore(ctx context.Context, path string, readOnly bool) (*data.Store, error) {
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s: no such database (start with egovkpi serve --demo, or egovkpi seed)", path)
		}
	}
	return data.Open(ctx, path, data.Options{ReadOnly: readOnly})
}

// openIngester opens the database for writing with an ingester that keeps files beside
// it and checks the definitions' consistency rules.
func openIngester(ctx context.Context, db, defsFile string) (*data.Store, *ingest.Ingester, error) {
	defs, err := metrics.LoadDefs(defsFile)
	if err != nil {
		return nil, nil, err
	}
	store, err := openStore(ctx, db, false)
	if err != nil {
		return nil, nil, err
	}
	return store, &ingest.Ingester{Store: store, Rules: defs.Rules, FilesDir: ingest.FilesDirFor(store.Path())}, nil
}

// openEngine opens the database read-only with the metrics over it, for the commands
// that only read.
func openEngine(ctx context.Context, db, defsFile string) (*data.Store, *metrics.Engine, error) {
	defs, err := metrics.LoadDefs(defsFile)
	if err != nil {
		return nil, nil, err
	}
	store, err := openStore(ctx, db, true)
	if err != nil {
		return nil, nil, err
	}
	return store, metrics.NewEngine(store, defs), nil
}
