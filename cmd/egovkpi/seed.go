package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	through := fs.String("through", "", "last month to seed (default: the last complete month)")
	with766 := fs.Bool("demo-766", true, "seed the records of the 766 index too (dossiers, catalogue, feedback for the last 12 months)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	d := ingest.Demo{Seed: 1, Through: ingest.LastCompleteMonth(time.Now()), With766: *with766}
	if *through != "" {
		m, err := data.ParseMonth(*through)
		if err != nil {
			return err
		}
		d.Through = m
	}
	store, err := openStore(ctx, *db, false)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	cov, err := store.Coverage(ctx)
	if err != nil {
		return err
	}
	if cov.Submissions > 0 {
		return fmt.Errorf("%s already holds %d submissions; seed an empty database", *db, cov.Submissions)
	}
	start := time.Now()
	n, err := d.Load(ctx, store.Units(), store)
	if err != nil {
		return err
	}
	el := time.Since(start)
	with := ""
	if d.With766 {
		with = fmt.Sprintf(" and the 766 index's records of %s..%s", d.Through.Add(1-ingest.Demo766Months), d.Through)
	}
	fmt.Fprintf(stdout, "seeded %d monthly reports (%s..%s)%s into %s in %.1f s (%.0f reports/s)\n",
		n, ingest.DemoStart, d.Through, with, *db, el.Seconds(), float64(n)/el.Seconds())
	return nil
}
