package reports

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// BenchmarkMonthly times the monthly workbook of the demo's last month two ways:
// fresh, with a new engine each time (nothing computed kept: what the first request after
// a data change, or the scheduled run, pays), and cached, the same engine asked again
// (what the next requests pay until the data changes). DuckDB's own buffers stay warm in
// both.
func BenchmarkMonthly(b *testing.B) {
	store, _ := demoStore(b, data.Reference(), data.NewMonth(2026, 10))
	defs, err := metrics.DefaultDefs()
	if err != nil {
		b.Fatal(err)
	}
	opts := func(g data.Group) Options {
		return Options{Period: data.MonthPeriod(data.NewMonth(2026, 10)), Group: g}
	}
	for _, g := range []data.Group{data.Provinces, data.Ministries} {
		b.Run(string(g)+"/fresh", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Monthly(context.Background(), metrics.NewEngine(store, defs), opts(g)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(g)+"/cached", func(b *testing.B) {
			eng := metrics.NewEngine(store, defs)
			if _, err := Monthly(context.Background(), eng, opts(g)); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Monthly(context.Background(), eng, opts(g)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawExport times the raw export as the server makes it: every value of every
// version of the demo's months read from DuckDB and written to a file, as xlsx and csv;
// beside it the yardsticks on the same rows from the same query: excelize's StreamWriter
// fed straight from the rows (the least an xlsx costs) and DuckDB writing Parquet itself
// (the least any file costs).
func BenchmarkRawExport(b *testing.B) {
	store, _ := demoStore(b, data.Reference(), data.NewMonth(2026, 10))
	ctx := context.Background()
	from, to := data.NewMonth(2019, 1), data.NewMonth(2026, 10)
	rows := 0
	if err := store.RawValues(ctx, from, to, true, func(data.RawRow) error { rows++; return nil }); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	report := func(b *testing.B, path string, start time.Time) {
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64(rows), "rows")
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "MB-file")
		}
	}
	toFile := func(b *testing.B, name string, write func(f *os.File) error) {
		for i := 0; i < b.N; i++ {
			path := filepath.Join(dir, name)
			start := time.Now()
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := write(f); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
			report(b, path, start)
		}
	}
	for _, format := range []string{"xlsx", "csv"} {
		b.Run("egovkpi-"+format, func(b *testing.B) {
			toFile(b, "raw."+format, func(f *os.File) error {
				n, err := Raw(ctx, store, from, to, true, format, f, nil)
				if err == nil && n != rows {
					b.Fatalf("%d rows written, %d read", n, rows)
				}
				return err
			})
		})
	}
	b.Run("excelize-streamwriter", func(b *testing.B) {
		toFile(b, "stream.xlsx", func(f *os.File) error {
			x := excelize.NewFile()
			defer func() { _ = x.Close() }()
			sw, err := x.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			head := make([]any, len(RawHeader))
			for i, h := range RawHeader {
				head[i] = h
			}
			if err := sw.SetRow("A1", head); err != nil {
				return err
			}
			n := 1
			row := make([]any, 7)
			err = store.RawValues(ctx, from, to, true, func(r data.RawRow) error {
				n++
				row[0], row[1], row[2], row[3], row[4], row[5], row[6] = r.Unit, r.Month.String(), r.Measure, r.Value, r.Submission, r.Version, r.Status
				cell, _ := excelize.CoordinatesToCellName(1, n)
				return sw.SetRow(cell, row)
			})
			if err != nil {
				return err
			}
			if err := sw.Flush(); err != nil {
				return err
			}
			return x.Write(f)
		})
	})
	b.Run("duckdb-parquet", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			path := filepath.Join(dir, "raw.parquet")
			start := time.Now()
			if err := store.ExportParquet(ctx, from, to, true, path); err != nil {
				b.Fatal(err)
			}
			report(b, path, start)
		}
	})
}
