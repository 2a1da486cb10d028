package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// errNotAll is exit code 1 without a message of its own: the files' problems were printed.
var errNotAll = errors.New("not every file was accepted")

// egovkpi ingest [--db F] [--dry-run] [--confirm] [--as USER] [--source NAME [--sources FILE]] FILE...:
// 0 when every file was accepted, 1 otherwise, the problems on standard error. A .json
// file is read with the named source's field mapping (or with fields named unit, period
// and measure codes), as the scheduler reads it.
func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	dry := fs.Bool("dry-run", false, "validate and show what would change, without writing")
	confirm := fs.Bool("confirm", false, "let dossier exports replace figures units reported themselves")
	as := fs.String("as", "cli", "who the files are recorded as sent by")
	lang := fs.String("lang", "vi", "vi or en, for the messages")
	defsFile := fs.String("indicators", "", "definitions file (for the consistency rules)")
	srcName := fs.String("source", "", "the source whose field mapping reads .json files")
	srcFile := fs.String("sources", "", "sources file, when the database holds none")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: egovkpi ingest [--db F] [--dry-run] [--confirm] [--source NAME [--sources FILE]] FILE...")
		return errUsage
	}
	store, in, err := openIngester(ctx, *db, *defsFile)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	var src ingest.Source
	if *srcName != "" {
		conf := &ingest.SourceConfig{Settings: store}
		if *srcFile != "" {
			b, err := os.ReadFile(*srcFile)
			if err != nil {
				return err
			}
			conf.FileText = string(b)
		}
		if src, err = conf.Find(ctx, *srcName); err != nil {
			return err
		}
	}
	failed := 0
	start := time.Now()
	for i, name := range fs.Args() {
		// the file is read by the one way in: a dossier export of millions of rows is
		// copied as it is hashed, never held whole in memory
		var content []byte
		if info, err := os.Stat(name); err != nil || info.IsDir() {
			if err == nil {
				err = errors.New("a folder, not a file")
			}
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			failed++
			continue
		}
		file := name
		if strings.EqualFold(filepath.Ext(name), ".json") {
			b, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", name, err)
				failed++
				continue
			}
			csv, err := ingest.JSONToCSV(b, src)
			if err != nil {
				fmt.Fprintf(stderr, "%s: rejected, nothing written: %v\n", name, err)
				failed++
				continue
			}
			// kept and recorded as the scheduler keeps a JSON answer: the records as CSV
			file, content = strings.TrimSuffix(name, filepath.Ext(name))+".csv", csv
		}
		began := time.Now()
		progress := func(step string, n int) {
			el := time.Since(began)
			switch step {
			case "read":
				fmt.Fprintf(stderr, "%s: read %d dossiers in %s (%.0f rows/s)\n", name, n, el.Round(time.Millisecond), float64(n)/el.Seconds())
			case "checked":
				fmt.Fprintf(stderr, "%s: checked %d dossiers (ids, units, channels, dates) at %s\n", name, n, el.Round(time.Millisecond))
			case "aggregated":
				fmt.Fprintf(stderr, "%s: aggregated into %d unit-months at %s\n", name, n, el.Round(time.Millisecond))
			}
		}
		res, err := in.Ingest(ctx, ingest.Request{Name: file, Content: content, Path: name, Actor: *as, Source: "cli", Lang: *lang, DryRun: *dry,
			Confirm: *confirm, Benchmarks: true, Progress: progress})
		if err != nil {
			return err
		}
		if d := res.Dossiers; d != nil && res.Status != ingest.StatusIdentical {
			switch res.Status {
			case ingest.StatusAccepted, ingest.StatusDryRun:
				verb := "stored as new versions"
				if *dry {
					verb = "would change (dry run, nothing written)"
				}
				fmt.Fprintf(stdout, "%s: %d dossiers, %d unit-months %s (%.0f rows/s)\n", name, d.Rows, d.UnitMonths, verb, float64(d.Rows)/time.Since(began).Seconds())
				for _, ch := range d.Changes {
					fmt.Fprintf(stdout, "  %s %s %s: reported %d, from the dossiers %d\n", ch.UnitCode, ch.Month, ch.Measure, ch.Reported, ch.Computed)
				}
				continue
			case ingest.StatusConfirm:
				failed++
				fmt.Fprintf(stderr, "%s: waiting, nothing written: %s\n", name, res.Message)
				for _, ch := range d.Changes {
					fmt.Fprintf(stderr, "  %s %s %s: reported %d, from the dossiers %d\n", ch.UnitCode, ch.Month, ch.Measure, ch.Reported, ch.Computed)
				}
				fmt.Fprintf(stderr, "  send it again with --confirm to replace them\n")
				continue
			}
		}
		switch {
		case !res.Accepted:
			failed++
			fmt.Fprintf(stderr, "%s: rejected, nothing written: %s\n", name, res.Message)
			for _, p := range res.Errors {
				fmt.Fprintf(stderr, "  %s\n", p)
			}
			if res.ErrorCount > len(res.Errors) {
				fmt.Fprintf(stderr, "  … and %d more\n", res.ErrorCount-len(res.Errors))
			}
		case res.Identical:
			fmt.Fprintf(stdout, "%s: identical to a file accepted before; nothing changed\n", name)
		default:
			verb := "accepted"
			if *dry {
				verb = "valid (dry run, nothing written)"
			}
			if len(res.Surveys) > 0 {
				for _, sv := range res.Surveys {
					fmt.Fprintf(stdout, "%s: %s, %s %d, %d rows\n", name, verb, strings.ToUpper(sv.Index), sv.Year, sv.Countries)
				}
				// what was read as what, once for the file: its columns are the same for every year
				if m := res.Surveys[0].Matched; m != nil {
					var cols []string
					for _, c := range m.Columns {
						cols = append(cols, fmt.Sprintf("%s ← %q", c.Field, c.Header))
					}
					fmt.Fprintf(stdout, "  read: %s\n", strings.Join(cols, ", "))
					for _, n := range m.Notes {
						fmt.Fprintf(stdout, "  note: %s\n", n)
					}
				}
				continue
			}
			if r := res.Records; r != nil && res.Kind == ingest.KindPortalScores {
				fmt.Fprintf(stdout, "%s: %s, the portal's published scores: %d rows, units %s; %d supersede an earlier import of the same unit and period\n",
					name, verb, r.Rows, strings.Join(r.Units, " "), r.Replaced)
				continue
			}
			fmt.Fprintf(stdout, "%s: %s, %d report(s)\n", name, verb, len(res.Receipts))
			for _, r := range res.Receipts {
				v := ""
				if r.Version > 0 {
					v = fmt.Sprintf(", version %d", r.Version)
				}
				fmt.Fprintf(stdout, "  %s %s: %d values%s\n", r.UnitCode, r.Period, len(r.Values), v)
			}
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "  warning: %s\n", w)
		}
		if n := len(fs.Args()); n > 5 {
			el := time.Since(start).Seconds()
			fmt.Fprintf(stderr, "\r%d/%d files, %.0f files/s", i+1, n, float64(i+1)/el)
			if i+1 == n {
				fmt.Fprintln(stderr)
			}
		}
	}
	if failed > 0 {
		return errNotAll
	}
	return nil
}

// egovkpi template --unit CODE --period P --out F.xlsx
func runTemplate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file (for last month's values, when it exists)")
	unit := fs.String("unit", "", "unit code")
	period := fs.String("period", "", "month (default: the last complete month)")
	out := fs.String("out", "", "output .xlsx file")
	kind := fs.String("kind", "report", "report, or portal_scores: the file of the 766 scores the portal publishes (no --unit)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *kind == ingest.KindPortalScores {
		return writePortalTemplate(*period, *out, stdout)
	}
	if *kind != "report" {
		return fmt.Errorf("--kind %q: report or %s", *kind, ingest.KindPortalScores)
	}
	if *unit == "" || *out == "" {
		return fmt.Errorf("--unit and --out are required")
	}
	m := ingest.LastCompleteMonth(time.Now())
	if *period != "" {
		var err error
		if m, err = data.ParseMonth(*period); err != nil {
			return err
		}
	}
	u, ok := data.Reference().At(*unit, m)
	if !ok {
		return fmt.Errorf("no unit %q in force in %s", *unit, m)
	}
	var last map[string]int64
	if _, err := os.Stat(*db); err == nil {
		store, err := openStore(ctx, *db, true)
		if err != nil {
			return err
		}
		vals, err := store.CurrentValues(ctx, m.Add(-1))
		if err = errors.Join(err, store.Close()); err != nil {
			return err
		}
		last = vals[u.Code]
	}
	b, err := ingest.Template(u, m, last)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: the %s report template for %s (%s)\n", *out, m, u.NameVI, u.Code)
	return nil
}

// writePortalTemplate writes the portal-scores file's template (egovkpi template --kind
// portal_scores), its example row for the period (default: the last complete month).
func writePortalTemplate(period, out string, stdout io.Writer) error {
	if out == "" {
		return fmt.Errorf("--out is required")
	}
	p := data.MonthPeriod(ingest.LastCompleteMonth(time.Now()))
	if period != "" {
		var err error
		if p, err = data.ParsePeriod(period); err != nil {
			return err
		}
	}
	b, err := ingest.PortalTemplate(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: the template of the portal's published 766 scores (import it with egovkpi ingest)\n", out)
	return nil
}

// egovkpi rebuild --from DIR --db NEW: a new database from the kept files.
func runRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "kept files folder (egovkpi.files beside the database)")
	db := fs.String("db", "", "the new database file (must not exist)")
	defsFile := fs.String("indicators", "", "definitions file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *from == "" || *db == "" {
		return fmt.Errorf("--from and --db are required")
	}
	if _, err := os.Stat(*db); err == nil {
		return fmt.Errorf("%s exists: rebuild into a new file", *db)
	}
	store, target, err := openIngester(ctx, *db, *defsFile)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	if abs, _ := filepath.Abs(*from); abs == target.FilesDir {
		return fmt.Errorf("--from is the new database's own folder")
	}
	start := time.Now()
	n, err := ingest.Rebuild(ctx, *from, target, func(done int, name string) {
		fmt.Fprintf(stderr, "\r%d files replayed (%.0f files/s)", done, float64(done)/time.Since(start).Seconds())
	})
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %s from %d kept files in %s\n", *db, n, time.Since(start).Round(time.Millisecond))
	return nil
}
