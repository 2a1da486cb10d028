package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/egovkpi/egovkpi/data"
)

// Source is a scheduled ingester: a ministry's or province's API, or a drop folder. What a
// source may reach, read and move is bounded by the Scheduler's SourcePolicy.
type Source struct {
	Name     string            `toml:"name" json:"name"`
	Kind     string            `toml:"kind" json:"kind"` // http | folder
	URL      string            `toml:"url" json:"url,omitempty"`
	Path     string            `toml:"path" json:"path,omitempty"`
	Format   string            `toml:"format" json:"format"` // json | csv | xlsx | dossiers-csv | dossiers-parquet
	Schedule string            `toml:"schedule" json:"schedule"`
	Unit     string            `toml:"unit" json:"unit,omitempty"`
	UnitKey  string            `toml:"unit_field" json:"unit_field,omitempty"`
	Period   string            `toml:"period_field" json:"period_field,omitempty"`
	Mapping  map[string]string `toml:"mapping" json:"mapping,omitempty"`
	Headers  map[string]string `toml:"headers" json:"-"` // values "env:NAME" are read from the environment
	Timeout  string            `toml:"timeout" json:"timeout,omitempty"`
	Retries  int               `toml:"retries" json:"retries"`
	// AllowPrivate lets an http source reach loopback, private and link-local addresses
	// (an API on the ministry's own network); without it they are refused as dialled.
	AllowPrivate bool `toml:"allow_private" json:"allow_private,omitempty"`
}

// LoadSources reads a sources file and checks every source.
func LoadSources(path string) ([]Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return ParseSources(string(b), path)
}

// ParseSources reads sources from TOML text (path names it in errors).
func ParseSources(text, path string) (_ []Source, err error) {
	defer func() {
		if err != nil && !errors.Is(err, data.ErrInvalid) {
			err = fmt.Errorf("%w: %v", data.ErrInvalid, err)
		}
	}()
	var f struct {
		Sources []Source `toml:"source"`
	}
	md, err := toml.Decode(text, &f)
	if err != nil {
		return nil, fmt.Errorf("%w: sources %s: %v", data.ErrInvalid, path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%w: sources %s: unknown key %s", data.ErrInvalid, path, und[0])
	}
	seen := map[string]bool{}
	for i := range f.Sources {
		s := &f.Sources[i]
		where := fmt.Sprintf("sources %s: source %d (%s)", path, i+1, s.Name)
		switch {
		case s.Name == "" || seen[s.Name]:
			return nil, fmt.Errorf("%s: a name is required, once", where)
		case s.Kind != "http" && s.Kind != "folder":
			return nil, fmt.Errorf("%s: kind %q: use http or folder", where, s.Kind)
		case s.Kind == "http" && s.URL == "":
			return nil, fmt.Errorf("%s: url is required", where)
		case s.Kind == "folder" && s.AllowPrivate:
			return nil, fmt.Errorf("%s: allow_private is for http sources", where)
		case s.Kind == "folder" && s.Path == "":
			return nil, fmt.Errorf("%s: path is required", where)
		}
		switch s.Format {
		case "json", "csv", "xlsx", "dossiers-csv", "dossiers-parquet":
		case "":
			if s.Kind == "http" {
				return nil, fmt.Errorf("%s: format is required for http", where)
			}
		default:
			return nil, fmt.Errorf("%s: format %q: use json, csv, xlsx, dossiers-csv or dossiers-parquet", where, s.Format)
		}
		if s.Schedule != "" {
			if _, err := cronParser.Parse(s.Schedule); err != nil {
				return nil, fmt.Errorf("%s: schedule %q: %v", where, s.Schedule, err)
			}
		}
		if _, err := s.timeout(); err != nil {
			return nil, fmt.Errorf("%s: timeout: %v", where, err)
		}
		if s.Kind == "http" {
			// the address is checked when dialled; the scheme and a literal address now
			u, err := url.Parse(s.URL)
			if err != nil {
				return nil, fmt.Errorf("%s: url: %v", where, err)
			}
			if err := checkURL(u, s.AllowPrivate); err != nil {
				return nil, fmt.Errorf("%s: %v", where, err)
			}
		}
		// which env: names a header may read is the server's policy (SourcePolicy.Check),
		// not the file's
		seen[s.Name] = true
	}
	return f.Sources, nil
}

func (s Source) timeout() (time.Duration, error) {
	if s.Timeout == "" {
		return 30 * time.Second, nil
	}
	return time.ParseDuration(s.Timeout)
}

var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// RunStore records and lists runs; *data.Store is one.
type RunStore interface {
	RecordRun(ctx context.Context, r data.Run) (data.Run, error)
	Runs(ctx context.Context, source string, limit int) ([]data.Run, error)
	RunsPage(ctx context.Context, source string, limit, offset int) ([]data.Run, int, error)
}

// Scheduler runs sources on their schedules inside serve, the one process that writes.
type Scheduler struct {
	Sources  []Source
	Ingester *Ingester
	Dossiers DossierStore
	History  RunStore
	Log      *slog.Logger
	// Policy bounds what the sources may reach, read and move.
	Policy  SourcePolicy
	cron    *cron.Cron
	mu      sync.Mutex
	running map[string]*sync.Mutex
	seen    map[string]fileState // drop folder files seen on the last scan
}

type fileState struct {
	size int64
	mod  time.Time
}

// Start schedules every source that has a schedule (Viet Nam time).
func (s *Scheduler) Start() error {
	s.cron = cron.New(cron.WithLocation(VietnamTime), cron.WithParser(cronParser))
	for _, src := range s.sources() {
		if src.Schedule == "" {
			continue
		}
		name := src.Name
		if _, err := s.cron.AddFunc(src.Schedule, func() {
			_, _ = s.Run(context.Background(), name) // Run records and logs its outcome
		}); err != nil {
			return err
		}
	}
	s.cron.Start()
	return nil
}

func (s *Scheduler) sources() []Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Source(nil), s.Sources...)
}

// Replace puts new sources in force now: the clock restarts with their schedules.
func (s *Scheduler) Replace(srcs []Source) error {
	s.Stop()
	s.mu.Lock()
	s.Sources = srcs
	s.mu.Unlock()
	return s.Start()
}

// Stop waits for running jobs.
func (s *Scheduler) Stop() {
	if s.cron != nil {
		<-s.cron.Stop().Done()
	}
}

func (s *Scheduler) lockFor(name string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running == nil {
		s.running = map[string]*sync.Mutex{}
	}
	if s.running[name] == nil {
		s.running[name] = &sync.Mutex{}
	}
	return s.running[name]
}

// Run runs one source now and records the run. A source whose previous run is still
// going is skipped, and the skip is recorded.
func (s *Scheduler) Run(ctx context.Context, name string) (data.Run, error) {
	var src *Source
	for _, x := range s.sources() {
		if x.Name == name {
			x := x
			src = &x
		}
	}
	if src == nil {
		return data.Run{}, fmt.Errorf("%w: no source %q", data.ErrNotFound, name)
	}
	run := data.Run{Source: name, StartedAt: time.Now().UTC()}
	lock := s.lockFor(name)
	if !lock.TryLock() {
		run.Outcome, run.Message = "skipped", "the previous run is still going"
		return s.finish(ctx, run)
	}
	defer lock.Unlock()
	var err error
	if src.Kind == "folder" {
		run, err = s.runFolder(ctx, *src, run)
	} else {
		run, err = s.runHTTP(ctx, *src, run)
	}
	if err != nil {
		run.Outcome, run.Message = "failed", err.Error()
	}
	return s.finish(ctx, run)
}

func (s *Scheduler) finish(ctx context.Context, run data.Run) (data.Run, error) {
	now := time.Now().UTC()
	run.FinishedAt = &now
	if s.Log != nil {
		s.Log.Info("source run", "source", run.Source, "outcome", run.Outcome, "rows", run.Rows, "message", run.Message)
	}
	return s.History.RecordRun(context.WithoutCancel(ctx), run)
}

// errPermanent marks an answer not worth asking again (4xx).
var errPermanent = errors.New("permanent")

func (s *Scheduler) fetch(ctx context.Context, src Source) ([]byte, error) {
	timeout, _ := src.timeout()
	if err := s.Policy.check(src); err != nil {
		return nil, err // before anything is sent, and not worth asking again
	}
	client, tr := s.httpClient(src)
	defer tr.CloseIdleConnections()
	var last error
	for attempt := 0; attempt <= src.Retries; attempt++ {
		if attempt > 0 {
			// exponential backoff with jitter: 200 ms, 400 ms, 800 ms … ± 50 %
			d := time.Duration(200<<(attempt-1)) * time.Millisecond
			d = d/2 + time.Duration(rand.Int64N(int64(d)))
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(d):
			}
		}
		b, err := s.fetchOnce(ctx, client, src, timeout)
		if err == nil {
			return b, nil
		}
		last = err
		if errors.Is(err, errPermanent) || errors.Is(err, errRefusedAddress) {
			break
		}
	}
	return nil, last
}

func (s *Scheduler) fetchOnce(ctx context.Context, client *http.Client, src Source, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPermanent, err)
	}
	for k, v := range src.Headers {
		v, err := s.Policy.headerValue(k, v) // secrets never live in the file
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errPermanent, err)
		}
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL.Redacted(), err)
	}
	defer func() { _ = resp.Body.Close() }()
	// the status first: an error page's body is neither read nor shown
	switch {
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("GET %s: %s", req.URL.Redacted(), resp.Status)
	case resp.StatusCode >= 400:
		return nil, fmt.Errorf("%w: GET %s: %s", errPermanent, req.URL.Redacted(), resp.Status)
	case resp.StatusCode >= 300:
		return nil, fmt.Errorf("%w: GET %s: %s without a usable Location", errPermanent, req.URL.Redacted(), resp.Status)
	}
	limit := s.Policy.maxBody()
	bound := fmt.Sprintf("%d bytes", limit)
	if limit%(1<<20) == 0 {
		bound = fmt.Sprintf("%d MB", limit>>20)
	}
	tooLarge := fmt.Errorf("%w: GET %s: the answer is larger than %s, the bound on a source's answer (--source-max-body)", errPermanent, req.URL.Redacted(), bound)
	if resp.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL.Redacted(), err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	return body, nil
}

func (s *Scheduler) runHTTP(ctx context.Context, src Source, run data.Run) (data.Run, error) {
	body, err := s.fetch(ctx, src)
	if err != nil {
		return run, err
	}
	name := src.Name + "." + strings.TrimPrefix(src.Format, "dossiers-")
	run, err = s.ingestContent(ctx, src, run, name, body, "")
	run.Message = redact(run.Message, body)
	if err != nil {
		return run, &redactedError{redact(err.Error(), body), err}
	}
	return run, nil
}

// DefaultMaxSourceBody bounds what one fetch may bring when the policy does not say.
const DefaultMaxSourceBody = 64 << 20

// maxRedirects bounds the redirects one fetch follows, each checked as the first URL.
const maxRedirects = 5

// SecretPrefix names the environment variables a source's header may read with env:NAME;
// others only when the server lists them (SourcePolicy.SecretEnv).
const SecretPrefix = "EGOVKPI_SECRET_"

// SourcePolicy is what the server lets its sources do beyond their syntax: sources are
// edited by admins, but an admin's account must not reach the server's own network, read
// its environment or move its files.
type SourcePolicy struct {
	// FolderRoot is the folder that folder sources must lie in; a relative path is taken
	// inside it. Empty: folder sources are refused.
	FolderRoot string
	// Protected are folders a folder source may never be (the database's, the kept
	// files'): a drop folder's files are moved away.
	Protected []string
	// SecretEnv are environment variables a header may read besides SecretPrefix*.
	SecretEnv []string
	// MaxBody bounds an answer, in bytes; 0 is DefaultMaxSourceBody.
	MaxBody int64
}

func (p SourcePolicy) maxBody() int64 {
	if p.MaxBody > 0 {
		return p.MaxBody
	}
	return DefaultMaxSourceBody
}

// Check says whether the policy lets a source run, as an admin saving it is told.
func (p SourcePolicy) Check(src Source) error {
	if err := p.check(src); err != nil {
		return fmt.Errorf("%w: source %s: %w", data.ErrInvalid, src.Name, err)
	}
	return nil
}

func (p SourcePolicy) check(src Source) error {
	if src.Kind == "folder" {
		_, err := p.folder(src)
		return err
	}
	u, err := url.Parse(src.URL)
	if err != nil {
		return fmt.Errorf("url: %w", err)
	}
	if err := checkURL(u, src.AllowPrivate); err != nil {
		return err
	}
	for k, v := range src.Headers {
		if _, err := p.headerValue(k, v); err != nil {
			return err
		}
	}
	return nil
}

// headerValue is a header's value, read from the environment for env:NAME when NAME is
// allowed. A name that is not allowed is refused without looking it up, so the answer
// says nothing of whether it is set.
func (p SourcePolicy) headerValue(key, v string) (string, error) {
	name, ok := strings.CutPrefix(v, "env:")
	if !ok {
		return v, nil
	}
	if !(strings.HasPrefix(name, SecretPrefix) && len(name) > len(SecretPrefix)) && !slices.Contains(p.SecretEnv, name) {
		return "", fmt.Errorf("header %s: env:%s is not allowed: a header reads only variables named %s… or listed with --source-secrets", key, name, SecretPrefix)
	}
	val := os.Getenv(name)
	if val == "" {
		return "", fmt.Errorf("header %s: the secret %s is not set in the server's environment", key, name)
	}
	return val, nil
}

// folder is where a folder source's files are, symbolic links followed: inside the root
// and none of the protected folders.
func (p SourcePolicy) folder(src Source) (string, error) {
	if p.FolderRoot == "" {
		return "", errors.New("folder sources need a root folder: start the server with --sources-root DIR (or EGOVKPI_SOURCES_ROOT=DIR) and give a path inside it")
	}
	root, err := filepath.Abs(p.FolderRoot)
	if err != nil {
		return "", fmt.Errorf("sources root: %w", err)
	}
	path := src.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	real := func(p string) string {
		p = filepath.Clean(p)
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return p
	}
	root, path = real(root), real(path)
	if rel, err := filepath.Rel(root, path); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("path %s is outside the sources root %s", src.Path, p.FolderRoot)
	}
	for _, prot := range p.Protected {
		if prot != "" && real(prot) == path {
			return "", fmt.Errorf("path %s is the server's own folder (the database or its kept files): give a drop folder of its own", src.Path)
		}
	}
	return path, nil
}

// errRefusedAddress is an address a source may not reach without allow_private = true.
var errRefusedAddress = errors.New("refused address")

// checkURL refuses what a source may not fetch: a scheme other than http(s), and a
// literal address of the server's own networks. A host name is checked as it is dialled.
func checkURL(u *url.URL, allowPrivate bool) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("url %s: only http and https are fetched", u.Redacted())
	}
	if u.Hostname() == "" {
		return fmt.Errorf("url %s: no host", u.Redacted())
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && isRefused(ip) {
		return refusal(ip)
	}
	return nil
}

func refusal(ip netip.Addr) error {
	return fmt.Errorf("%w %s: loopback, private, link-local, multicast and unspecified addresses are reached only by a source with allow_private = true", errRefusedAddress, ip)
}

// refusedPrefixes are the special-use ranges netip has no predicate for.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and the broadcast address
}

// isRefused is refusedAddr; a variable so that a test can play a public host on 127.0.0.2.
var isRefused = refusedAddr

// nat64 embeds an IPv4 address in its last four bytes.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

func refusedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// httpClient fetches for one source: every address actually dialled is checked (a name
// that resolves, or re-resolves, to the server's own networks is refused: no DNS
// rebinding), redirects are checked as the first URL and bounded, and the source's own
// headers are not sent on to another host. No proxy: the address checked is the one
// reached.
func (s *Scheduler) httpClient(src Source) (*http.Client, *http.Transport) {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !src.AllowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("%w %s", errRefusedAddress, host)
			}
			if isRefused(ip) {
				return refusal(ip)
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        2,
		IdleConnTimeout:     30 * time.Second,
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("%w: more than %d redirects", errPermanent, maxRedirects)
		}
		if err := checkURL(req.URL, src.AllowPrivate); err != nil {
			return fmt.Errorf("%w: redirected: %w", errPermanent, err)
		}
		if req.URL.Host != via[0].URL.Host {
			for k := range src.Headers {
				req.Header.Del(k) // a secret goes to the host it was given for
			}
		}
		return nil
	}}
	return client, tr
}

// redact takes out of a run's message every quoted value that the fetched body holds: a
// message may quote a cell ("xyz" is not a unit), and what a source fetched is shown to
// no one through its runs.
func redact(msg string, body []byte) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i+1:], '"')
		if j < 0 {
			break
		}
		quoted := msg[i+1 : i+1+j]
		b.WriteString(msg[:i+1])
		if quoted != "" && bytes.Contains(body, []byte(quoted)) {
			b.WriteString("…")
		} else {
			b.WriteString(quoted)
		}
		b.WriteByte('"')
		msg = msg[i+1+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// redactedError is an error whose message went through redact; the chain is kept.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// ingestContent sends what a source brought through the one way in, as an upload.
func (s *Scheduler) ingestContent(ctx context.Context, src Source, run data.Run, name string, body []byte, path string) (data.Run, error) {
	format := src.Format
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), ".")
	}
	if format == "json" {
		var err error
		if body == nil {
			if body, err = os.ReadFile(path); err != nil {
				return run, err
			}
		}
		if body, err = JSONToCSV(body, src); err != nil {
			return run, err
		}
		name = strings.TrimSuffix(name, ".json") + ".csv"
	}
	res, err := s.Ingester.Ingest(ctx, Request{Name: name, Content: body, Path: path, Actor: "source:" + src.Name, Source: "source:" + src.Name})
	if err != nil {
		return run, err
	}
	switch res.Status {
	case StatusIdentical:
		run.Outcome, run.Message = "unchanged", "the same content as the last accepted"
	case StatusAccepted:
		run.Outcome, run.Rows = "ok", len(res.Receipts)
		if d := res.Dossiers; d != nil {
			run.Rows = d.Rows
			run.Message = fmt.Sprintf("%d dossiers, %d unit-months", d.Rows, d.UnitMonths)
		}
	case StatusConfirm:
		// held until an administrator confirms it from the runs page
		if err := s.Ingester.holdWaiting(res.SHA256, body, path); err != nil {
			return run, err
		}
		run.Outcome, run.Message = data.RunWaiting, res.Reason.EN
		run.FileSHA256, run.FileName = res.SHA256, filepath.Base(name)
	default:
		run.Outcome = "rejected"
		var msgs []string
		if res.Reason != nil {
			msgs = append(msgs, res.Reason.EN)
		}
		for _, p := range res.Errors {
			msgs = append(msgs, p.String())
		}
		run.Message = strings.Join(msgs, "; ")
	}
	return run, nil
}

// JSONToCSV turns a source's JSON (an object or a list of objects, perhaps under
// "data" or "items") into the wide layout, with the source's field names mapped to
// measure codes. The zero Source takes fields named unit, period and measure codes.
func JSONToCSV(body []byte, src Source) ([]byte, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the answer is not JSON: %v", err)
	}
	var items []any
	switch v := raw.(type) {
	case []any:
		items = v
	case map[string]any:
		if d, ok := v["data"].([]any); ok {
			items = d
		} else if d, ok := v["items"].([]any); ok {
			items = d
		} else {
			items = []any{v}
		}
	default:
		return nil, fmt.Errorf("the JSON holds no records")
	}
	unitKey, periodKey := cmpOr(src.UnitKey, "unit"), cmpOr(src.Period, "period")
	codes := map[string]bool{}
	var rows []map[string]string
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("record %d is not an object", i+1)
		}
		row := map[string]string{}
		row["unit"] = src.Unit
		if v, ok := obj[unitKey]; ok {
			row["unit"] = fmt.Sprint(v)
		}
		if v, ok := obj[periodKey]; ok {
			row["period"] = fmt.Sprint(v)
		}
		// values may sit in a nested "values" object
		fields := obj
		if nested, ok := obj["values"].(map[string]any); ok {
			fields = nested
		}
		for k, v := range fields {
			code := k
			if m, ok := src.Mapping[k]; ok {
				code = m
			}
			if data.MeasureIndex(code) < 0 {
				continue
			}
			row[code] = fmt.Sprint(v)
			codes[code] = true
		}
		rows = append(rows, row)
	}
	cols := make([]string, 0, len(codes))
	for c := range codes {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	// csv.Writer keeps its first error; Flush and Error report it
	_ = w.Write(append([]string{"unit", "period"}, cols...))
	for _, r := range rows {
		rec := []string{r["unit"], r["period"]}
		for _, c := range cols {
			rec = append(rec, r[c])
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// runFolder ingests the files dropped into a folder: a file is read once its size and
// time have not changed since the previous scan (it is no longer being copied), then
// moved to processed/, or to rejected/ with a report beside it.
func (s *Scheduler) runFolder(ctx context.Context, src Source, run data.Run) (data.Run, error) {
	dir, err := s.Policy.folder(src) // inside the sources root, never the server's own folders
	if err != nil {
		return run, err
	}
	src.Path = dir
	ents, err := os.ReadDir(src.Path)
	if err != nil {
		return run, err
	}
	s.mu.Lock()
	if s.seen == nil {
		s.seen = map[string]fileState{}
	}
	s.mu.Unlock()
	var done, rejected, waiting int
	var msgs []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".part") || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".crdownload") {
			continue
		}
		p := filepath.Join(src.Path, name)
		info, err := e.Info()
		if err != nil {
			continue
		}
		st := fileState{info.Size(), info.ModTime()}
		s.mu.Lock()
		prev, ok := s.seen[p]
		s.seen[p] = st
		s.mu.Unlock()
		if !ok || prev != st || time.Since(st.mod) < time.Second {
			waiting++ // still being copied, or new: next scan
			continue
		}
		// by its path: a dossier export of millions of rows is never held whole in memory
		sub, err := s.ingestContent(ctx, src, data.Run{}, name, nil, p)
		if err != nil {
			return run, err
		}
		if sub.Outcome == data.RunWaiting {
			// a run of its own, for the administrator to confirm from the runs page
			now := time.Now().UTC()
			sub.Source, sub.StartedAt, sub.FinishedAt = src.Name, now, &now
			if _, err := s.History.RecordRun(context.WithoutCancel(ctx), sub); err != nil {
				return run, err
			}
			msgs = append(msgs, name+": waiting for confirmation")
		}
		dest := "processed"
		if sub.Outcome == "rejected" {
			dest = "rejected"
			rejected++
			msgs = append(msgs, name+": "+sub.Message)
		} else {
			done++
			run.Rows += sub.Rows
		}
		if err := os.MkdirAll(filepath.Join(src.Path, dest), 0o755); err != nil {
			return run, err
		}
		target := filepath.Join(src.Path, dest, time.Now().UTC().Format("20060102T150405")+"-"+name)
		if err := os.Rename(p, target); err != nil {
			return run, err
		}
		if dest == "rejected" {
			// the note beside a refused file is a courtesy; the run keeps the message
			if err := os.WriteFile(target+".loi.txt", []byte(sub.Message+"\n"), 0o644); err != nil && s.Log != nil {
				s.Log.Warn("write the refusal note", "file", target, "err", err)
			}
		}
		s.mu.Lock()
		delete(s.seen, p)
		s.mu.Unlock()
	}
	run.Outcome = "ok"
	if rejected > 0 {
		run.Outcome = "rejected"
	}
	run.Message = fmt.Sprintf("%d files accepted, %d rejected, %d waiting", done, rejected, waiting)
	if len(msgs) > 0 {
		run.Message += ": " + strings.Join(msgs, "; ")
	}
	return run, nil
}

// Names lists the configured sources.
func (s *Scheduler) Names() []string {
	var out []string
	for _, src := range s.sources() {
		out = append(out, src.Name)
	}
	return out
}

// Runs lists the run history, newest first.
func (s *Scheduler) Runs(ctx context.Context, source string, limit int) ([]data.Run, error) {
	return s.History.Runs(ctx, source, limit)
}

// RunsPage lists a page of the run history and how many runs there are in all.
func (s *Scheduler) RunsPage(ctx context.Context, source string, limit, offset int) ([]data.Run, int, error) {
	return s.History.RunsPage(ctx, source, limit, offset)
}

// SourcesKey is the setting that holds the sources an admin edited on the sources page.
const SourcesKey = "sources"

// SettingsStore keeps settings; *data.Store is one.
type SettingsStore interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value, actor string) error
}

// SourceConfig is the sources in force and where they come from: the file given to
// serve at first, the admin's edits (kept in the database, audited) once there are any.
type SourceConfig struct {
	Scheduler *Scheduler
	Settings  SettingsStore
	FileText  string // the --sources file, as read at start
}

// Load puts the sources in force at start: the admin's edits win over the file.
func (c *SourceConfig) Load(ctx context.Context) error {
	text, err := c.Text(ctx)
	if err != nil || strings.TrimSpace(text) == "" {
		return err
	}
	srcs, err := ParseSources(text, "the sources in force")
	if err != nil {
		return err
	}
	c.Scheduler.mu.Lock()
	c.Scheduler.Sources = srcs
	c.Scheduler.mu.Unlock()
	return nil
}

// Find is the source in force with this name.
func (c *SourceConfig) Find(ctx context.Context, name string) (Source, error) {
	text, err := c.Text(ctx)
	if err != nil {
		return Source{}, err
	}
	srcs, err := ParseSources(text, "the sources in force")
	if err != nil {
		return Source{}, err
	}
	for _, s := range srcs {
		if s.Name == name {
			return s, nil
		}
	}
	return Source{}, fmt.Errorf("%w: no source named %q (the sources in force are the admin's, or the --sources file)", data.ErrNotFound, name)
}

// Text is the TOML of the sources in force.
func (c *SourceConfig) Text(ctx context.Context) (string, error) {
	v, err := c.Settings.Setting(ctx, SourcesKey)
	if err != nil {
		return "", err
	}
	if v != "" {
		return v, nil
	}
	return c.FileText, nil
}

// Set checks new sources, against the server's policy too, keeps them (audited) and puts
// them in force now.
func (c *SourceConfig) Set(ctx context.Context, text, actor string) ([]Source, error) {
	srcs, err := ParseSources(text, "the edited sources")
	if err != nil {
		return nil, err
	}
	for _, src := range srcs {
		if err := c.Scheduler.Policy.Check(src); err != nil {
			return nil, err
		}
	}
	if err := c.Settings.SetSetting(ctx, SourcesKey, text, actor); err != nil {
		return nil, err
	}
	return srcs, c.Scheduler.Replace(srcs)
}
