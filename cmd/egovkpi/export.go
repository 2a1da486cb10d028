package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
	"github.com/egovkpi/egovkpi/reports"
)

// egovkpi export --period P [--group G] --out F.xlsx
// egovkpi export --kind trend --from P --to P --out F.xlsx
// egovkpi export --kind raw --from P --to P --out F.csv|F.xlsx|F.parquet
// egovkpi export --kind dossiers --out DIR
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	kind := fs.String("kind", "rankings", "rankings (the monthly workbook), trend, raw, or dossiers (the kept dossier rows as Parquet by month, into a new folder)")
	period := fs.String("period", "", "period of the rankings workbook (default: the latest month)")
	from := fs.String("from", "", "first month (trend, raw)")
	to := fs.String("to", "", "last month (trend, raw)")
	group := fs.String("group", "provinces", "provinces or ministries")
	bounds := fs.String("boundaries", "current", "current or historical")
	lang := fs.String("lang", "vi", "vi or en")
	all := fs.Bool("all-versions", false, "raw: every version, not only the current ones")
	out := fs.String("out", "", "output file (.xlsx; raw also .csv or .parquet; dossiers: a folder that does not exist yet)")
	defsFile := fs.String("indicators", "", "definitions file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	g, err := data.ParseGroup(*group)
	if err != nil {
		return err
	}
	b, err := metrics.ParseBoundaries(*bounds)
	if err != nil {
		return err
	}
	store, eng, err := openEngine(ctx, *db, *defsFile)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	last, err := eng.DefaultMonth(ctx, g)
	if err != nil {
		return err
	}
	span := func() (data.Month, data.Month, error) {
		f, t := data.NewMonth(last.Year(), 1), last
		if *from != "" {
			if f, err = data.ParseMonth(*from); err != nil {
				return 0, 0, err
			}
		}
		if *to != "" {
			if t, err = data.ParseMonth(*to); err != nil {
				return 0, 0, err
			}
		}
		return f, t, nil
	}
	start := time.Now()
	switch *kind {
	case "rankings":
		p := data.MonthPeriod(last)
		if *period != "" {
			if p, err = data.ParsePeriod(*period); err != nil {
				return err
			}
		}
		cov, _ := store.Coverage(ctx)
		changed := time.Time{}
		if cov.LastChange != nil {
			changed = *cov.LastChange
		}
		wb, err := reports.Monthly(ctx, eng, reports.Options{Period: p, Group: g, Boundaries: b, Lang: *lang, Author: "egovkpi export", DataChanged: changed})
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, wb, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: the %s workbook for %s (%d KB, %s)\n", *out, p, g, len(wb)/1024, time.Since(start).Round(time.Millisecond))
	case "trend":
		f, t, err := span()
		if err != nil {
			return err
		}
		wb, err := reports.Trend(ctx, eng, store.Units(), f, t, reports.Options{Group: g, Lang: *lang, Author: "egovkpi export"})
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, wb, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: trends %s..%s for %s\n", *out, f, t, g)
	case "raw":
		f, t, err := span()
		if err != nil {
			return err
		}
		format := strings.TrimPrefix(strings.ToLower(pathExt(*out)), ".")
		if format == "parquet" {
			if err := store.ExportParquet(ctx, f, t, *all, *out); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s (Parquet, %s..%s) in %s\n", *out, f, t, time.Since(start).Round(time.Millisecond))
			return nil
		}
		w, err := os.Create(*out)
		if err != nil {
			return err
		}
		progress := func(n int) {
			fmt.Fprintf(stderr, "\r%d rows, %.0f rows/s", n, float64(n)/time.Since(start).Seconds())
		}
		n, err := reports.Raw(ctx, store, f, t, *all, format, w, progress)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			// nothing half-written: the export's own error is the one to report
			_ = os.Remove(*out)
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(stderr, "\r%d rows, %.0f rows/s\n", n, float64(n)/el.Seconds())
		fmt.Fprintf(stdout, "wrote %s: %d values %s..%s in %s\n", *out, n, f, t, el.Round(time.Millisecond))
	case "dossiers":
		return exportDossiers(ctx, store, *out, start, stdout)
	default:
		return fmt.Errorf("--kind %q: use rankings, trend, raw or dossiers", *kind)
	}
	return nil
}

// exportDossiers writes the partitioned files beside out and moves them into place whole,
// so that a failed export leaves no folder that looks complete.
func exportDossiers(ctx context.Context, store *data.Store, out string, start time.Time, stdout io.Writer) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: give a new folder (an export never mixes with earlier files)", out)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), "."+filepath.Base(out)+".part-")
	if err != nil {
		return err
	}
	// after the rename the folder is gone; before it, a failure's leftovers are only temporary files
	defer func() { _ = os.RemoveAll(tmp) }()
	n, err := store.ExportDossiers(ctx, tmp)
	if err != nil {
		return err
	}
	months, _ := filepath.Glob(filepath.Join(tmp, "month=*"))
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "wrote %s: %d dossiers in %d monthly Parquet partitions (month=YYYY-MM) in %s, %.0f rows/s\n",
		out, n, len(months), el.Round(time.Millisecond), float64(n)/el.Seconds())
	return nil
}

func pathExt(p string) string {
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[i:]
	}
	return ""
}
