package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/egovkpi/egovkpi/ingest"
)

// egovkpi sources run NAME --sources FILE [--db F]: one source now, outside the schedule.
// It needs the database to itself: while the server runs, use POST /api/v1/sources/NAME/run.
func runSources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: egovkpi sources run NAME --sources FILE [--db F]")
		return errUsage
	}
	fs := flag.NewFlagSet("sources run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	file := fs.String("sources", "", "sources file (TOML)")
	defsFile := fs.String("indicators", "", "definitions file")
	// the name may come before or after the flags
	rest := args[1:]
	name := ""
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return errUsage
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" || *file == "" {
		return fmt.Errorf("give the source's name and --sources FILE")
	}
	srcs, err := ingest.LoadSources(*file)
	if err != nil {
		return err
	}
	store, in, err := openIngester(ctx, *db, *defsFile)
	if err != nil {
		return err
	}
	defer store.Close()
	s := &ingest.Scheduler{Sources: srcs, Ingester: in, Dossiers: store, History: store, Log: slog.New(slog.NewTextHandler(stderr, nil))}
	run, err := s.Run(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s, %d rows%s\n", name, run.Outcome, run.Rows, map[bool]string{true: " — " + run.Message, false: ""}[run.Message != ""])
	if run.Outcome == "failed" || run.Outcome == "rejected" {
		return errNotAll
	}
	return nil
}
