package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/egovkpi/egovkpi/ingest"
)

// egovkpi sources run NAME --sources FILE [--db F] [--sources-root DIR]: one source now,
// outside the schedule, under the same policy as the server's.
// It needs the database to itself: while the server runs, use POST /api/v1/sources/NAME/run.
func runSources(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) < 1 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: egovkpi sources run NAME --sources FILE [--db F] [--sources-root DIR] [--source-secrets NAMES] [--source-max-body MB]")
		return errUsage
	}
	fs := flag.NewFlagSet("sources run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	file := fs.String("sources", "", "sources file (TOML)")
	defsFile := fs.String("indicators", "", "definitions file")
	var root, secrets string
	var maxBodyMB int
	sourcePolicyFlags(fs, &root, &secrets, &maxBodyMB)
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
	defer closeInto(store, &err)
	s := &ingest.Scheduler{Sources: srcs, Ingester: in, Dossiers: store, History: store, Log: slog.New(slog.NewTextHandler(stderr, nil)),
		Policy: sourcePolicy(root, secrets, maxBodyMB, store.Path(), in.FilesDir)}
	run, err := s.Run(ctx, name)
	if err != nil {
		return err
	}
	message := ""
	if run.Message != "" {
		message = " — " + run.Message
	}
	fmt.Fprintf(stdout, "%s: %s, %d rows%s\n", name, run.Outcome, run.Rows, message)
	if run.Outcome == "failed" || run.Outcome == "rejected" {
		return errNotAll
	}
	return nil
}

// sourcePolicyFlags adds the settings of what sources may do, shared by serve and sources
// run, with their environment defaults.
func sourcePolicyFlags(fs *flag.FlagSet, root, secrets *string, maxBodyMB *int) {
	fs.StringVar(root, "sources-root", os.Getenv("EGOVKPI_SOURCES_ROOT"), "the folder that folder sources must lie in (none: folder sources are refused)")
	fs.StringVar(secrets, "source-secrets", os.Getenv("EGOVKPI_SOURCE_SECRETS"), "environment variables a source's header may read as env:NAME besides EGOVKPI_SECRET_* (comma-separated)")
	mb, _ := strconv.Atoi(os.Getenv("EGOVKPI_SOURCE_MAX_BODY"))
	fs.IntVar(maxBodyMB, "source-max-body", cmp.Or(mb, ingest.DefaultMaxSourceBody>>20), "the largest answer a source may bring, in MB")
}

// sourcePolicy is the sources' policy from those settings; a drop folder may never be the
// database's folder, its kept files or its scheduled reports, whose files it would move.
func sourcePolicy(root, secrets string, maxBodyMB int, dbPath, filesDir string) ingest.SourcePolicy {
	p := ingest.SourcePolicy{FolderRoot: root, MaxBody: int64(maxBodyMB) << 20,
		Protected: []string{filepath.Dir(dbPath), filesDir, strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".reports"}}
	for _, name := range strings.Split(secrets, ",") {
		if name = strings.TrimSpace(name); name != "" {
			p.SecretEnv = append(p.SecretEnv, name)
		}
	}
	return p
}
