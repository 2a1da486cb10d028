package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/egovkpi/egovkpi/dashboard"
	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
	"github.com/egovkpi/egovkpi/reports"
)

// ServeConfig is everything `egovkpi serve` is started with.
type ServeConfig struct {
	Addr string
	DB   string
	Demo bool
	// DemoWithout766 seeds the demo without the records of the 766 index (dossiers, the
	// procedure catalogue, feedback), as it was before issue 17; the zero value seeds them,
	// so that the home page's default index is full.
	DemoWithout766 bool
	Indicators     string
	// Public lets anonymous visitors read the leaderboard pages.
	Public bool
	// Sources is the scheduled ingesters' file (TOML).
	Sources string
	// SourcesRoot is the folder that folder sources must lie in (none: they are refused),
	// SourceSecrets the variables a source's header may read besides EGOVKPI_SECRET_*
	// (comma-separated), SourceMaxBodyMB the bound on a source's answer (0: 64 MB).
	SourcesRoot     string
	SourceSecrets   string
	SourceMaxBodyMB int
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges, comma-separated)
	// whose X-Forwarded-For names the client; empty: the direct peer is the client.
	TrustedProxies string
	// TLSCert and TLSKey, both or neither, make the server speak HTTPS itself (and send
	// Strict-Transport-Security).
	TLSCert, TLSKey string
	// MaxDossierRows bounds the dossiers one export may carry: a small Parquet file can
	// hold millions.
	MaxDossierRows int
	// ReadHeaderTimeout closes connections that are slow to send their headers.
	ReadHeaderTimeout time.Duration
	// Ready, when set, receives the address actually listened on (tests use port 0).
	Ready chan<- string
}

func parseServe(args []string, stderr io.Writer) (ServeConfig, error) {
	var c ServeConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", envOr("EGOVKPI_ADDR", "127.0.0.1:8080"), "address to listen on")
	fs.StringVar(&c.DB, "db", defaultDB(), "database file")
	fs.BoolVar(&c.Demo, "demo", false, "seed the demo history into an empty database")
	with766 := fs.Bool("demo-766", true, "with --demo: seed the records of the 766 index too (dossiers, catalogue, feedback for the last 12 months)")
	fs.StringVar(&c.Indicators, "indicators", "", "indicator definitions file (TOML); default: the embedded one")
	fs.BoolVar(&c.Public, "public", false, "let anonymous visitors read the leaderboard pages")
	fs.StringVar(&c.Sources, "sources", os.Getenv("EGOVKPI_SOURCES"), "scheduled ingesters (TOML); see the README")
	sourcePolicyFlags(fs, &c.SourcesRoot, &c.SourceSecrets, &c.SourceMaxBodyMB)
	fs.StringVar(&c.TrustedProxies, "trusted-proxy", os.Getenv("EGOVKPI_TRUSTED_PROXIES"), "reverse proxies (ADDRESS or CIDR, comma-separated) whose X-Forwarded-For gives the client address")
	fs.StringVar(&c.TLSCert, "tls-cert", os.Getenv("EGOVKPI_TLS_CERT"), "certificate (PEM) to serve HTTPS with, with --tls-key")
	fs.StringVar(&c.TLSKey, "tls-key", os.Getenv("EGOVKPI_TLS_KEY"), "private key (PEM) of --tls-cert")
	fs.IntVar(&c.MaxDossierRows, "max-dossier-rows", envInt("EGOVKPI_MAX_DOSSIER_ROWS", 2_000_000), "the most dossiers one export may carry (0: no bound)")
	if err := fs.Parse(args); err != nil {
		return c, errUsage
	}
	c.DemoWithout766 = !*with766
	if _, err := dashboard.ParseTrustedProxies(c.TrustedProxies); err != nil {
		fmt.Fprintln(stderr, err)
		return c, errUsage
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		fmt.Fprintln(stderr, "--tls-cert and --tls-key go together")
		return c, errUsage
	}
	return c, nil
}

// Run serves until ctx is cancelled.
func (c ServeConfig) Run(ctx context.Context, stdout, stderr io.Writer) (err error) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	proxies, err := dashboard.ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", data.ErrInvalid)
	}
	defs, err := metrics.LoadDefs(c.Indicators)
	if err != nil {
		return err
	}
	store, err := data.Open(ctx, c.DB)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	ing := &ingest.Ingester{Store: store, Rules: defs.Rules, FilesDir: ingest.FilesDirFor(store.Path()), MaxDossierRows: c.MaxDossierRows}
	// a crash between a file's database commit and its manifest line is settled here
	if n, err := ing.Reconcile(ctx); err != nil {
		return fmt.Errorf("kept files: %w", err)
	} else if n > 0 {
		log.Info("kept files reconciled", "entries", n)
	}
	if c.Demo {
		cov, err := store.Coverage(ctx)
		if err != nil {
			return err
		}
		if cov.Submissions == 0 {
			start := time.Now()
			d := ingest.Demo{Seed: 1, Through: ingest.LastCompleteMonth(time.Now()), With766: !c.DemoWithout766}
			n, err := d.Load(ctx, store.Units(), store)
			if err != nil {
				return err
			}
			if err := ing.RecordDemo(d); err != nil {
				return err
			}
			if _, err := ing.LoadSurveys(ctx); err != nil {
				return err
			}
			log.Info("demo data seeded", "reports", n, "from", ingest.DemoStart.String(), "through", d.Through.String(), "seconds", time.Since(start).Seconds())
		}
	}
	if ok, err := store.HasAdmin(ctx); err != nil {
		return err
	} else if !ok {
		pw := data.RandomSecret(15)
		if _, err := store.CreateUser(ctx, "admin", pw, data.RoleAdmin, "", "egovkpi serve"); err != nil {
			return fmt.Errorf("create the first admin: %w", err)
		}
		fmt.Fprintf(stdout, "First start: created the administrator \"admin\" with the password %s\n(shown this once; add users with egovkpi user add)\n", pw)
		log.Info("first admin created", "username", "admin")
	}
	ingesters := &ingest.Scheduler{Ingester: ing, Dossiers: store, History: store, Log: log,
		Policy: sourcePolicy(c.SourcesRoot, c.SourceSecrets, c.SourceMaxBodyMB, store.Path(), ing.FilesDir)}
	srcConf := &ingest.SourceConfig{Scheduler: ingesters, Settings: store}
	if c.Sources != "" {
		b, err := os.ReadFile(c.Sources)
		if err != nil {
			return fmt.Errorf("sources: %w", err)
		}
		if _, err := ingest.ParseSources(string(b), c.Sources); err != nil {
			return err
		}
		srcConf.FileText = string(b)
	}
	if err := srcConf.Load(ctx); err != nil { // an admin's edits win over the file
		return err
	}
	if err := ingesters.Start(); err != nil {
		return err
	}
	defer ingesters.Stop()
	eng := metrics.NewEngine(store, defs)
	sched := &reports.Scheduler{Dir: strings.TrimSuffix(store.Path(), filepath.Ext(store.Path())) + ".reports", Metrics: eng, Settings: store, Log: log}
	if err := sched.Start(ctx); err != nil {
		return err
	}
	defer sched.Stop()
	app, err := dashboard.New(dashboard.Config{Engine: eng, Store: store, Accounts: store, Admin: store,
		Ingester: ing, Values: store, Exporter: store, Schedule: sched, Surveys: store, Caps: store, Indices: store, Sources: ingesters, Backups: store, Dossiers: store, DossierLog: store, SrcEdit: srcConf, Logger: log, Public: c.Public, TrustedProxies: proxies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	srv := &http.Server{
		Handler:           app,
		ReadHeaderTimeout: cmp.Or(c.ReadHeaderTimeout, 5*time.Second),
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	addr := ln.Addr().String()
	scheme := "http"
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			_ = ln.Close() // not served yet: the certificate's error is the one to report
			return fmt.Errorf("tls: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln, scheme = tls.NewListener(ln, srv.TLSConfig), "https"
	}
	fmt.Fprintf(stdout, "egovkpi is serving %s on %s://%s/\n", store.Path(), scheme, addr)
	log.Info("serving", "addr", addr, "db", store.Path(), "tls", c.TLSCert != "", "trusted_proxies", c.TrustedProxies)
	if c.Ready != nil {
		c.Ready <- addr
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// envInt is an integer setting from the environment, or def when unset or not a number.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
