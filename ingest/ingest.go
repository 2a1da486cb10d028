package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Store is what ingesting needs from the database; *data.Store is one.
type Store interface {
	Submitter
	Submissions(ctx context.Context, f data.SubmissionFilter) ([]data.Submission, error)
	CurrentValues(ctx context.Context, m data.Month) (map[string]map[string]int64, error)
	Locks(ctx context.Context) ([]data.Lock, error)
	Units() *data.Registry
	ImportEGDI(ctx context.Context, imp data.EGDIImport, sha string) (data.EGDIImport, error)
	EGDIImported(ctx context.Context, sha string) (bool, error)
	ImportIndex(ctx context.Context, imp data.IndexImport, sha string) (data.IndexImport, error)
	IndexImported(ctx context.Context, sha string) (bool, error)
}

// Ingester validates files and stores them whole or not at all, keeping every accepted
// original by its SHA-256 in a folder beside the database.
type Ingester struct {
	Store    Store
	Rules    []data.Rule
	FilesDir string // kept files and their manifest; empty keeps nothing (tests of parsing)
	Now      func() time.Time
	mu       sync.Mutex // one file at a time: versions and the manifest stay in order
}

// Request is one file to ingest.
type Request struct {
	Name    string
	Content []byte
	Actor   string // the user on whose behalf
	Source  string // upload | api | cli | rebuild | …
	Lang    string // vi (default) or en, for the messages
	DryRun  bool
	// Allow says whether the actor may write a unit's data (nil: anyone may).
	Allow func(unit string) error
	// At is when the file was first accepted (rebuild replays it); zero means now.
	At time.Time
	// Benchmarks lets the file be an international survey (the committee, an admin).
	Benchmarks bool
}

// SurveyReceipt is what an imported UN survey year became.
type SurveyReceipt struct {
	ID        int64  `json:"id"`
	Index     string `json:"index"` // egdi, dti, ict
	Year      int    `json:"year"`
	Countries int    `json:"rows"` // countries, or units
	Precision int    `json:"precision,omitempty"`
}

// Receipt is what an accepted report became.
type Receipt struct {
	ID       int64            `json:"id"`
	UnitCode string           `json:"unit_code"`
	Period   data.Month       `json:"period"`
	Version  int              `json:"version"`
	Status   string           `json:"status"`
	Values   map[string]int64 `json:"values"`
	Warnings []Problem        `json:"warnings"`
	Missing  []string         `json:"missing,omitempty"`
}

// Result is the outcome of one file.
type Result struct {
	File      string          `json:"file"`
	SHA256    string          `json:"sha256"`
	Layout    string          `json:"layout,omitempty"`
	Accepted  bool            `json:"accepted"`
	Identical bool            `json:"identical,omitempty"` // the same file was accepted before: nothing changed
	DryRun    bool            `json:"dry_run,omitempty"`
	Receipts  []Receipt       `json:"submissions"`
	Errors    []Problem       `json:"errors"`
	Warnings  []Problem       `json:"warnings"`
	Denied    error           `json:"-"` // the actor may not write a unit the file holds
	Surveys   []SurveyReceipt `json:"surveys,omitempty"`
}

// ErrRejected marks a file that was read but refused for its content.
var ErrRejected = errors.New("rejected")

// Ingest reads, validates and stores one file. A file with any error changes nothing.
// The returned error is for failures of the system (the disk, the database); problems
// with the file are in Result.Errors.
func (in *Ingester) Ingest(ctx context.Context, req Request) (*Result, error) {
	sum := sha256.Sum256(req.Content)
	res := &Result{File: req.Name, SHA256: hex.EncodeToString(sum[:]), DryRun: req.DryRun, Receipts: []Receipt{}, Errors: []Problem{}, Warnings: []Problem{}}
	lang := req.Lang
	reg := in.Store.Units()
	in.mu.Lock()
	defer in.mu.Unlock()

	// the identical file again: the receipts it got, and nothing else
	prev, err := in.Store.Submissions(ctx, data.SubmissionFilter{SHA256: res.SHA256})
	if err != nil {
		return nil, err
	}
	if len(prev) > 0 {
		for _, s := range prev {
			if req.Allow != nil {
				if err := req.Allow(s.UnitCode); err != nil {
					res.Denied = err
					return res, nil
				}
			}
			res.Receipts = append(res.Receipts, Receipt{ID: s.ID, UnitCode: s.UnitCode, Period: s.Month, Version: s.Version, Status: s.Status, Values: s.Values, Warnings: []Problem{}})
		}
		res.Accepted, res.Identical = true, true
		return res, nil
	}

	if imps, probs, ok := ParseEGDI(req.Name, req.Content, lang); ok {
		return in.importSurvey(ctx, req, res, imps, probs)
	}
	if imps, probs, ok := ParseIndex(req.Name, req.Content, reg, lang); ok {
		return in.importIndex(ctx, req, res, imps, probs)
	}
	parsed, problems := Parse(req.Name, req.Content, reg, lang)
	res.Errors = append(res.Errors, problems...)
	if parsed == nil {
		return res, nil
	}
	res.Layout = parsed.Layout
	now := in.now()
	thisMonth := data.MonthOf(now.In(VietnamTime))
	locks, err := in.Store.Locks(ctx)
	if err != nil {
		return nil, err
	}
	locked := map[data.Month]data.Lock{}
	for _, l := range locks {
		locked[l.Month] = l
	}
	last := map[data.Month]map[string]map[string]int64{}
	seen := map[string]int{}
	for i, rep := range parsed.Reports() {
		place := Problem{Sheet: rep.Sheet(), Row: rep.Row()}
		key := rep.UnitCode() + "|" + rep.Month().String()
		if j, dup := seen[key]; dup {
			p := place
			p.Field = "unit"
			p.Message = msg(lang, "Đơn vị %s, kỳ %s đã có ở dòng %d", "Unit %s, period %s is already on row %d", rep.UnitCode(), rep.Month(), parsed.Report(j).Row())
			res.Errors = append(res.Errors, p)
			continue
		}
		seen[key] = i
		if rep.Month() > thisMonth {
			p := place
			p.Field = "period"
			p.Message = msg(lang, "Kỳ báo cáo %s ở tương lai", "The period %s is in the future", rep.Month())
			res.Errors = append(res.Errors, p)
		}
		if l, ok := locked[rep.Month()]; ok {
			p := place
			p.Field = "period"
			p.Message = msg(lang, "Tháng %s đã bị khóa bởi %s lúc %s; đề nghị Ban chỉ đạo mở lại", "Month %s was locked by %s at %s; ask the committee to reopen it",
				rep.Month(), l.LockedBy, l.LockedAt.In(VietnamTime).Format("15:04 02/01/2006"))
			res.Errors = append(res.Errors, p)
		}
		if req.Allow != nil {
			if err := req.Allow(rep.UnitCode()); err != nil {
				res.Denied = err
				return res, nil
			}
		}
		rowHasProblem := false
		for _, p := range problems {
			rowHasProblem = rowHasProblem || (p.Sheet == rep.Sheet() && p.Row == rep.Row())
		}
		if rep.Len() == 0 && !rowHasProblem {
			p := place
			p.Message = msg(lang, "Đơn vị %s, kỳ %s không có số liệu nào", "Unit %s, period %s has no values", rep.UnitCode(), rep.Month())
			res.Errors = append(res.Errors, p)
			continue
		}
		if _, ok := last[rep.Month()]; !ok {
			if last[rep.Month()], err = in.Store.CurrentValues(ctx, rep.Month().Add(-1)); err != nil {
				return nil, err
			}
		}
		errs, warns := checkRules(in.Rules, rep, last[rep.Month()][rep.UnitCode()], lang)
		res.Errors = append(res.Errors, errs...)
		res.Warnings = append(res.Warnings, warns...)
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	if parsed.Len() == 0 {
		res.Errors = append(res.Errors, Problem{Message: msg(lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
		return res, nil
	}
	at := req.At
	if at.IsZero() {
		at = now
	}
	subs := make([]data.Submission, parsed.Len())
	for i, rep := range parsed.Reports() {
		subs[i] = data.Submission{UnitCode: rep.UnitCode(), Month: rep.Month(), Source: req.Source, FileName: filepath.Base(req.Name),
			SHA256: res.SHA256, SubmittedBy: req.Actor, SubmittedAt: at, Values: rep.Values()}
	}
	if req.DryRun {
		for i, s := range subs {
			res.Receipts = append(res.Receipts, Receipt{UnitCode: s.UnitCode, Period: s.Month, Status: "dry_run", Values: s.Values,
				Warnings: warningsOf(res.Warnings, parsed.Report(i)), Missing: parsed.Report(i).Missing()})
		}
		res.Accepted = true
		return res, nil
	}
	// keep the original before it counts: an accepted file is never lost
	if err := in.keep(res.SHA256, req.Content); err != nil {
		return nil, err
	}
	var stored []data.Submission
	err = in.commit(manifestEntry{SHA256: res.SHA256, Name: filepath.Base(req.Name), Actor: req.Actor, Source: req.Source, At: at.UTC()}, func() error {
		var err error
		stored, err = in.Store.Submit(ctx, subs)
		return err
	})
	if err != nil {
		if errors.Is(err, data.ErrMonthLocked) || errors.Is(err, data.ErrInvalid) {
			res.Errors = append(res.Errors, Problem{Message: err.Error()})
			return res, nil
		}
		return nil, err
	}
	for i, s := range stored {
		res.Receipts = append(res.Receipts, Receipt{ID: s.ID, UnitCode: s.UnitCode, Period: s.Month, Version: s.Version, Status: s.Status,
			Values: s.Values, Warnings: warningsOf(res.Warnings, parsed.Report(i)), Missing: parsed.Report(i).Missing()})
	}
	res.Accepted = true
	return res, nil
}

// yearlyGate is what both yearly imports (the UN survey, national indices) check before
// storing: the right to import them, the file's problems, something to import. true
// means res is the answer.
func yearlyGate(req Request, res *Result, what string, n int, probs []Problem) bool {
	if !req.Benchmarks {
		res.Denied = fmt.Errorf("%w: only the committee or an administrator imports %s", data.ErrForbidden, what)
		return true
	}
	res.Errors = append(res.Errors, probs...)
	if n == 0 && len(res.Errors) == 0 {
		res.Errors = append(res.Errors, Problem{Message: msg(req.Lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
	}
	return len(res.Errors) > 0
}

// importIndex stores a national index file (DTI, ICT Index): all its years, or none.
func (in *Ingester) importIndex(ctx context.Context, req Request, res *Result, imps []data.IndexImport, probs []Problem) (*Result, error) {
	res.Layout = "index"
	if yearlyGate(req, res, "national indices", len(imps), probs) {
		return res, nil
	}
	if done, err := in.Store.IndexImported(ctx, res.SHA256); err != nil {
		return nil, err
	} else if done {
		res.Accepted, res.Identical = true, true
		return res, nil
	}
	if req.DryRun {
		for _, imp := range imps {
			res.Surveys = append(res.Surveys, SurveyReceipt{Index: imp.Name, Year: imp.Year, Countries: len(imp.Values)})
		}
		res.Accepted = true
		return res, nil
	}
	err := in.landYearly(req, res.SHA256, func() error {
		for _, imp := range imps {
			imp.ImportedBy = req.Actor
			stored, err := in.Store.ImportIndex(ctx, imp, res.SHA256)
			if err != nil {
				return err
			}
			res.Surveys = append(res.Surveys, SurveyReceipt{ID: stored.ID, Index: imp.Name, Year: imp.Year, Countries: len(imp.Values)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Accepted = true
	return res, nil
}

// landYearly keeps a yearly import's file, then stores it under its manifest entry:
// the way both yearly imports land.
func (in *Ingester) landYearly(req Request, sha string, store func() error) error {
	if err := in.keep(sha, req.Content); err != nil {
		return err
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	return in.commit(manifestEntry{SHA256: sha, Name: filepath.Base(req.Name), Actor: req.Actor, Source: req.Source, At: at.UTC(), Survey: true}, store)
}

// importSurvey stores a UN E-Government Survey file: all its years, or none.
func (in *Ingester) importSurvey(ctx context.Context, req Request, res *Result, imps []data.EGDIImport, probs []Problem) (*Result, error) {
	res.Layout = "egdi"
	if yearlyGate(req, res, "the UN survey", len(imps), probs) {
		return res, nil
	}
	done, err := in.Store.EGDIImported(ctx, res.SHA256)
	if err != nil {
		return nil, err
	}
	if done {
		res.Accepted, res.Identical = true, true
		return res, nil
	}
	if req.DryRun {
		for _, imp := range imps {
			res.Surveys = append(res.Surveys, SurveyReceipt{Index: "egdi", Year: imp.Year, Countries: len(imp.Rows), Precision: imp.Precision})
		}
		res.Accepted = true
		return res, nil
	}
	err = in.landYearly(req, res.SHA256, func() error {
		for _, imp := range imps {
			imp.ImportedBy = req.Actor
			stored, err := in.Store.ImportEGDI(ctx, imp, res.SHA256)
			if err != nil {
				return err
			}
			res.Surveys = append(res.Surveys, SurveyReceipt{ID: stored.ID, Index: "egdi", Year: imp.Year, Countries: len(imp.Rows), Precision: imp.Precision})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Accepted = true
	return res, nil
}

func (in *Ingester) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

func warningsOf(all []Problem, rep Report) []Problem {
	out := []Problem{}
	for _, w := range all {
		if w.Sheet == rep.Sheet() && (w.Row == rep.Row() || (rep.Cell(w.Field) != "" && rep.Cell(w.Field) == w.Cell)) {
			out = append(out, w)
		}
	}
	return out
}

// checkRules applies the consistency rules to one report.
func checkRules(rules []data.Rule, rep Report, last map[string]int64, lang string) (errs, warns []Problem) {
	for _, r := range rules {
		text := r.MessageVI
		if lang == "en" {
			text = r.MessageEN
		}
		var found []Problem
		switch r.Kind {
		case "le":
			vals := rep.Values()
			l, okL := sum(vals, r.Left)
			rt, okR := sum(vals, r.Right)
			if okL && okR && l > rt {
				found = append(found, Problem{Sheet: rep.Sheet(), Cell: rep.Cell(r.Left[0]), Row: rep.Row(), Field: r.Left[0],
					Message: fmt.Sprintf("%s (%d > %d)", text, l, rt)})
			}
		case "jump":
			for _, m := range data.Measures {
				c := m.Code
				v, ok := rep.Value(c)
				if !ok {
					continue
				}
				p, ok := last[c]
				if !ok || p < 20 && v < 20 {
					continue // small numbers jump by nature
				}
				if float64(v) > r.Factor*float64(p) || float64(v)*r.Factor < float64(p) {
					found = append(found, Problem{Sheet: rep.Sheet(), Cell: rep.Cell(c), Row: rep.Row(), Field: c,
						Message: fmt.Sprintf("%s: %s %d → %d", text, c, p, v)})
				}
			}
		}
		if r.Severity == "error" {
			errs = append(errs, found...)
		} else {
			warns = append(warns, found...)
		}
	}
	return errs, warns
}

func sum(m map[string]int64, codes []string) (int64, bool) {
	var t int64
	for _, c := range codes {
		v, ok := m[c]
		if !ok {
			return 0, false
		}
		t += v
	}
	return t, true
}

// manifestEntry is one line of the kept files' manifest: enough to replay the file.
type manifestEntry struct {
	SHA256 string    `json:"sha256"`
	Name   string    `json:"name"`
	Actor  string    `json:"actor"`
	Source string    `json:"source"`
	At     time.Time `json:"at"`
	// Demo marks the deterministic demo history, replayed from its seed.
	Demo *Demo `json:"demo,omitempty"`
	// Survey marks a UN survey file, replayed with the right to import it.
	Survey bool `json:"survey,omitempty"`
	// Dossiers is the format of a dossier export (csv, parquet).
	Dossiers string `json:"dossiers,omitempty"`
	// Assessment marks a capability checklist (JSON).
	Assessment bool `json:"assessment,omitempty"`
	// State is written ahead: "pending" before the database commits, then a line with
	// "committed" or "aborted". A crash in between is settled by Reconcile at the next
	// start; rebuild replays what committed (and entries from before states existed).
	State string `json:"state,omitempty"`
}

// commit runs do between a pending line and its outcome in the manifest, so that a file
// the database accepted is always known to the manifest, even across a crash.
func (in *Ingester) commit(e manifestEntry, do func() error) error {
	e.State = "pending"
	if err := in.record(e); err != nil {
		return err
	}
	err := do()
	outcome := manifestEntry{SHA256: e.SHA256, State: "committed"}
	if err != nil {
		outcome.State = "aborted"
	}
	if rerr := in.record(outcome); rerr != nil && err == nil {
		return rerr
	}
	return err
}

// Reconcile settles pending manifest lines left by a crash: committed if the database
// holds what they brought, aborted otherwise. serve runs it at every start.
func (in *Ingester) Reconcile(ctx context.Context) (int, error) {
	if in.FilesDir == "" {
		return 0, nil
	}
	entries, outcome, err := readManifest(in.FilesDir)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.State != "pending" || outcome[e.SHA256] != "" {
			continue
		}
		held, err := in.holds(ctx, e)
		if err != nil {
			return n, err
		}
		state := "aborted"
		if held {
			state = "committed"
		}
		if err := in.record(manifestEntry{SHA256: e.SHA256, State: state}); err != nil {
			return n, err
		}
		outcome[e.SHA256] = state
		n++
	}
	return n, nil
}

// holds reports whether the database has what a manifest entry brought.
func (in *Ingester) holds(ctx context.Context, e manifestEntry) (bool, error) {
	type dossierChecker interface {
		DossiersImported(ctx context.Context, sha string) (bool, error)
	}
	type assessmentChecker interface {
		HasAssessment(ctx context.Context, unit string, m data.Month, at time.Time) (bool, error)
	}
	switch {
	case e.Dossiers != "":
		if d, ok := in.Store.(dossierChecker); ok {
			return d.DossiersImported(ctx, e.SHA256)
		}
	case e.Assessment:
		content, err := os.ReadFile(in.keptPath(e.SHA256))
		if err != nil {
			return false, nil
		}
		var a data.Assessment
		if json.Unmarshal(content, &a) != nil {
			return false, nil
		}
		if c, ok := in.Store.(assessmentChecker); ok {
			return c.HasAssessment(ctx, a.UnitCode, a.Month, a.SubmittedAt)
		}
	case e.Survey:
		if ok, err := in.Store.EGDIImported(ctx, e.SHA256); ok || err != nil {
			return ok, err
		}
		return in.Store.IndexImported(ctx, e.SHA256)
	default:
		subs, err := in.Store.Submissions(ctx, data.SubmissionFilter{SHA256: e.SHA256, Limit: 1})
		return len(subs) > 0, err
	}
	return false, nil
}

// readManifest returns the entries in order and, by SHA-256, each one's outcome.
func readManifest(dir string) ([]manifestEntry, map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var lines [][]byte
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	var entries []manifestEntry
	outcome := map[string]string{}
	for i, l := range lines {
		var e manifestEntry
		if err := json.Unmarshal(l, &e); err != nil {
			if i == len(lines)-1 {
				break // the last line, cut short by a crash: its commit never happened
			}
			return nil, nil, fmt.Errorf("%s line %d: %w", ManifestName, i+1, err)
		}
		if (e.State == "committed" || e.State == "aborted") && e.Name == "" && e.Demo == nil {
			outcome[e.SHA256] = e.State
			continue
		}
		entries = append(entries, e)
	}
	return entries, outcome, nil
}

// ManifestName is the manifest's file name inside the kept files' folder.
const ManifestName = "manifest.jsonl"

func (in *Ingester) keptPath(sha string) string {
	return filepath.Join(in.FilesDir, sha[:2], sha)
}

// keep writes the original file, named by its SHA-256, atomically.
func (in *Ingester) keep(sha string, content []byte) error {
	if in.FilesDir == "" {
		return nil
	}
	p := in.keptPath(sha)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("keep file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("keep file: %w", err)
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	return nil
}

func (in *Ingester) record(e manifestEntry) error {
	if in.FilesDir == "" {
		return nil
	}
	if err := os.MkdirAll(in.FilesDir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(in.FilesDir, ManifestName), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	b, _ := json.Marshal(e)
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return f.Sync()
}

// RecordDemo notes the demo history in the manifest, so a rebuild replays it too.
func (in *Ingester) RecordDemo(d Demo) error {
	return in.record(manifestEntry{Source: "demo", Actor: "demo", At: time.Now().UTC(), Demo: &d})
}

// FilesDirFor is where a database keeps its files: beside it, named after it.
func FilesDirFor(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".files"
}

// Rebuild replays a kept-files folder into another store, in the order the files were
// accepted, and reports each file as it goes.
func Rebuild(ctx context.Context, from string, target *Ingester, progress func(done int, name string)) (int, error) {
	entries, outcome, err := readManifest(from)
	if err != nil {
		return 0, fmt.Errorf("rebuild: %w", err)
	}
	n := 0
	for _, e := range entries {
		if e.State == "pending" && outcome[e.SHA256] != "committed" {
			continue // never accepted: aborted, or cut off by a crash before its commit
		}
		if e.Assessment {
			content, err := os.ReadFile(filepath.Join(from, e.SHA256[:2], e.SHA256))
			if err != nil {
				return n, fmt.Errorf("rebuild: kept checklist %s: %w", e.SHA256, err)
			}
			var a data.Assessment
			if err := json.Unmarshal(content, &a); err != nil {
				return n, fmt.Errorf("rebuild: kept checklist %s: %w", e.SHA256, err)
			}
			a.ID, a.Version, a.Status, a.ConfirmedBy, a.ConfirmedAt = 0, 0, "", "", nil
			if _, err := target.KeepAssessment(ctx, a); err != nil {
				return n, err
			}
		} else if e.Dossiers != "" {
			content, err := os.ReadFile(filepath.Join(from, e.SHA256[:2], e.SHA256))
			if err != nil {
				return n, fmt.Errorf("rebuild: kept file %s (%s): %w", e.SHA256, e.Name, err)
			}
			ds, ok := target.Store.(DossierStore)
			if !ok {
				return n, fmt.Errorf("rebuild: the target cannot take dossier records")
			}
			if _, err := IngestDossiers(ctx, ds, target, DossierRequest{Name: e.Name, Content: content, Format: e.Dossiers, Actor: e.Actor}); err != nil {
				return n, err
			}
		} else if e.Demo != nil {
			if _, err := e.Demo.Load(ctx, target.Store.Units(), target.Store); err != nil {
				return n, err
			}
			if err := target.RecordDemo(*e.Demo); err != nil {
				return n, err
			}
		} else {
			content, err := os.ReadFile(filepath.Join(from, e.SHA256[:2], e.SHA256))
			if err != nil {
				return n, fmt.Errorf("rebuild: kept file %s (%s): %w", e.SHA256, e.Name, err)
			}
			res, err := target.Ingest(ctx, Request{Name: e.Name, Content: content, Actor: e.Actor, Source: e.Source, At: e.At, Benchmarks: e.Survey})
			if err != nil {
				return n, err
			}
			if !res.Accepted {
				return n, fmt.Errorf("rebuild: %s was accepted once but not now: %v", e.Name, res.Errors)
			}
		}
		n++
		if progress != nil {
			progress(n, e.Name)
		}
	}
	return n, nil
}
