package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/egovkpi/egovkpi/data"
)

// egovkpi backup --out DIR [--db F]: a consistent copy (EXPORT DATABASE). While the
// server holds the file, --server URL asks it to write the copy (token in EGOVKPI_TOKEN).
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	out := fs.String("out", "", "new folder for the copy")
	server := fs.String("server", "", "the running server's address, e.g. http://127.0.0.1:8080")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *server != "" {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(*server, "/")+"/api/v1/backup", nil)
		req.Header.Set("Authorization", "Bearer "+os.Getenv("EGOVKPI_TOKEN"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return fmt.Errorf("the server answered %s, not JSON: %w", resp.Status, err)
		}
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("the server answered %s: %v", resp.Status, body["error"])
		}
		fmt.Fprintf(stdout, "the server wrote %v\n", body["path"])
		return nil
	}
	if *out == "" {
		return fmt.Errorf("--out is required (or --server URL while the server runs)")
	}
	store, err := openStore(ctx, *db, false)
	if errors.Is(err, data.ErrLocked) {
		return fmt.Errorf("%w\n(while it serves: EGOVKPI_TOKEN=… egovkpi backup --server http://ADDRESS)", err)
	}
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	if err := store.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s into %s (restore: egovkpi restore --from %s --db NEW.duckdb)\n", *db, *out, *out)
	return nil
}

// egovkpi restore --from DIR --db NEW
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "backup folder")
	db := fs.String("db", "", "the new database file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *from == "" || *db == "" {
		return fmt.Errorf("--from and --db are required")
	}
	if err := data.Restore(ctx, *from, *db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", *db, *from)
	return nil
}
