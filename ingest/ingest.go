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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Store is what ingesting needs from the database; *data.Store is one.
type Store interface {
	Submitter
	DossierStore
	Submissions(ctx context.Context, f data.SubmissionFilter) ([]data.Submission, error)
	CurrentValues(ctx context.Context, m data.Month) (map[string]map[string]int64, error)
	Locks(ctx context.Context) ([]data.Lock, error)
	Units() *data.Registry
	ImportEGDI(ctx context.Context, imp data.EGDIImport, sha string) (data.EGDIImport, error)
	EGDIImported(ctx context.Context, sha string) (bool, error)
	ImportIndex(ctx context.Context, imp data.IndexImport, sha string) (data.IndexImport, error)
	IndexImported(ctx context.Context, sha string) (bool, error)
	Audit(ctx context.Context, e data.AuditEntry) error
}

// DossierStore aggregates dossier records; *data.Store is one.
type DossierStore interface {
	IngestDossiers(ctx context.Context, imp data.DossierImport) (data.DossierResult, error)
}

// MaxProblems is how many problems an outcome lists; ErrorCount says how many there were.
const MaxProblems = 200

// Ingester validates files and stores them whole or not at all, keeping every accepted
// original by its SHA-256 in a folder beside the database. Ingest is the one way in:
// the CLI, the web upload, the scheduler and rebuild all send files through it.
type Ingester struct {
	Store    Store
	Rules    []data.Rule
	FilesDir string // kept files and their manifest; empty keeps nothing (tests of parsing)
	Now      func() time.Time
	// MaxDossierRows bounds the dossiers one export may carry (0: no bound).
	MaxDossierRows int
	mu             sync.Mutex // one file at a time: versions and the manifest stay in order
	parsing        chan struct{}
	parsingOnce    sync.Once
}

// Request is one file to ingest.
type Request struct {
	Name    string
	Content []byte
	Actor   string // the user on whose behalf
	Source  string // upload | api | cli | source:NAME | …
	Peer    string // the client's address, for the audit log
	Lang    string // vi (default) or en, for the messages
	DryRun  bool
	// Confirm lets a dossier export replace figures a unit reported itself.
	Confirm bool
	// Allow says whether the actor may write a unit's data (nil: anyone may).
	Allow func(unit string) error
	// At is when the file was first accepted (rebuild replays it); zero means now.
	At time.Time
	// Benchmarks lets the file be an international survey (the committee, an admin).
	Benchmarks bool
	// Replay marks a file replayed from the kept files (rebuild): not audited again.
	Replay bool
	// Progress hears of each step of a long file (dossier exports): see data.DossierImport.
	Progress func(step string, rows int)
	// Path, when Content is nil, is a file on disk holding the content (the CLI's): a
	// dossier export is copied from it as it is hashed, never held whole in memory (10M
	// rows are 1.4 GB); a file of any other kind is read into Content.
	Path string

	staged string // the dossier export copied from Path, waiting in the incoming folder
	size   int64  // its size
}

// SurveyReceipt is what an imported UN survey year became.
type SurveyReceipt struct {
	ID        int64  `json:"id"`
	Index     string `json:"index"` // egdi, dti, ict
	Year      int    `json:"year"`
	Countries int    `json:"rows"` // countries, or units
	Precision int    `json:"precision,omitempty"`
	// Matched says how the file was recognised as the UN survey: its columns, as read.
	Matched *SurveyMatch `json:"matched,omitempty"`
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

// The kinds of file that come in.
const (
	KindReport   = "report"   // monthly figures (XLSX, CSV, JSON answers)
	KindDossiers = "dossiers" // dossier-level exports (CSV headed dossier_id, Parquet)
	KindSurvey   = "survey"   // the UN E-Government Survey
	KindIndex    = "index"    // national indices (DTI, ICT Index)
	// KindCatalogue is the procedure catalogue of the 766 index (catalogue.go).
	KindCatalogue = "catalogue"
	// KindFeedback is citizen feedback records of the 766 index (feedback.go).
	KindFeedback = "feedback"
	// KindChecklist is a unit's capability checklist (checklist.go).
	KindChecklist = "checklist"
)

// Status is how a file ended.
type Status string

// The statuses of an outcome.
const (
	StatusAccepted  Status = "accepted"
	StatusIdentical Status = "identical" // the same file was accepted before: nothing changed
	StatusDryRun    Status = "dry_run"   // valid; nothing written
	StatusRejected  Status = "rejected"  // its content is wrong: Errors, or Reason
	StatusForbidden Status = "forbidden" // the actor may not write what it holds
	StatusConfirm   Status = "needs_confirmation"
)

// Outcome is what became of one file: every path in reads this one type.
type Outcome struct {
	File       string           `json:"file"`
	SHA256     string           `json:"sha256"`
	Kind       string           `json:"kind,omitempty"`
	Layout     string           `json:"layout,omitempty"`
	Status     Status           `json:"status"`
	Accepted   bool             `json:"accepted"` // accepted, identical or a valid dry run
	Identical  bool             `json:"identical,omitempty"`
	DryRun     bool             `json:"dry_run,omitempty"`
	Receipts   []Receipt        `json:"submissions"`
	Surveys    []SurveyReceipt  `json:"surveys,omitempty"`
	Dossiers   *DossierReceipt  `json:"dossiers,omitempty"`
	Checklist  *data.Assessment `json:"checklist,omitempty"`
	Records    *RecordReceipt   `json:"records,omitempty"` // a catalogue or feedback file
	Errors     []Problem        `json:"errors"`
	ErrorCount int              `json:"error_count"` // all the problems, of which Errors lists the first MaxProblems
	Warnings   []Problem        `json:"warnings"`
	// Reason is why the file was refused when no problem list says it (forbidden, a
	// locked month, a confirmation needed, an unreadable dossier file).
	Reason *data.Error `json:"-"`
	// Message is Reason in the request's language.
	Message string `json:"message,omitempty"`
}

// DossierReceipt is what a dossier export became.
type DossierReceipt struct {
	Rows       int `json:"rows"`
	UnitMonths int `json:"unit_months"`
	// Changes are figures units reported themselves that the export replaces (or, waiting
	// for confirmation, would replace).
	Changes []data.DossierChange `json:"changes,omitempty"`
	// UnlistedProcedures are procedures of the export's dossiers that the procedure
	// catalogue in force does not hold, most dossiers first (at most data.UnlistedShown):
	// the dossiers are accepted and count without paper result and without maximum
	// (issue 17). UnlistedCodes is how many such codes in all.
	UnlistedProcedures []data.ProcedureCount `json:"unlisted_procedures,omitempty"`
	UnlistedCodes      int                   `json:"unlisted_codes,omitempty"`
}

// refuse ends the outcome with a reason.
func (o *Outcome) refuse(st Status, reason *data.Error) {
	o.Status, o.Reason = st, reason
}

// Ingest reads, validates and stores one file, of any kind. A file with any error
// changes nothing, and every attempt is recorded in the audit log with the name it was
// sent under. The returned error is for failures of the system (the disk, the
// database); what is wrong with the file, or with the actor's right to send it, is in
// the outcome.
func (in *Ingester) Ingest(ctx context.Context, req Request) (*Outcome, error) {
	var sha string
	if req.Content == nil && req.Path != "" {
		var err error
		if sha, err = in.stage(&req); err != nil {
			return nil, err
		}
		if req.staged != "" {
			defer func() { _ = os.Remove(req.staged) }() // gone already once kept
		}
	} else {
		sum := sha256.Sum256(req.Content)
		sha, req.size = hex.EncodeToString(sum[:]), int64(len(req.Content))
	}
	o := &Outcome{File: req.Name, SHA256: sha, DryRun: req.DryRun, Receipts: []Receipt{}, Errors: []Problem{}, Warnings: []Problem{}}
	err := in.ingest(ctx, req, o)
	if err != nil {
		var e *data.Error
		if errors.As(err, &e) && !errors.Is(err, data.ErrDiskFull) {
			// the store's own refusal of the content: part of the outcome, not a failure
			st := StatusRejected
			switch {
			case errors.Is(err, data.ErrForbidden):
				st = StatusForbidden
			case errors.Is(err, data.ErrConfirm):
				st = StatusConfirm
			}
			o.refuse(st, e)
			err = nil
		}
	}
	if o.Status == "" {
		switch {
		case len(o.Errors) > 0:
			o.Status = StatusRejected
		case o.Identical:
			o.Status = StatusIdentical
		case req.DryRun:
			o.Status = StatusDryRun
		default:
			o.Status = StatusAccepted
		}
	}
	if o.Status == StatusRejected && o.Reason == nil && len(o.Errors) > 0 {
		o.Reason = data.Errorf(data.ErrInvalid, "Tệp %s bị từ chối, không có gì được ghi: %d lỗi", "%s was rejected, nothing written: %d problems",
			filepath.Base(req.Name), len(o.Errors))
	}
	o.Accepted = o.Status == StatusAccepted || o.Status == StatusIdentical || o.Status == StatusDryRun
	o.Identical = o.Status == StatusIdentical
	if !o.Accepted && o.Status != StatusConfirm {
		o.Receipts = []Receipt{}
	}
	o.ErrorCount = len(o.Errors)
	if len(o.Errors) > MaxProblems {
		o.Errors = o.Errors[:MaxProblems:MaxProblems]
	}
	if len(o.Warnings) > MaxProblems {
		o.Warnings = o.Warnings[:MaxProblems:MaxProblems]
	}
	if o.Reason != nil {
		o.Message = o.Reason.Message(req.Lang)
	}
	in.auditAttempt(ctx, req, o, err)
	return o, err
}

// auditAttempt records one attempt, whatever became of it: who sent what under which
// name, and how it ended. Accepted files also leave a line per unit-month they changed.
func (in *Ingester) auditAttempt(ctx context.Context, req Request, o *Outcome, failure error) {
	if req.Replay || req.Source == "demo" {
		return
	}
	status := string(o.Status)
	if failure != nil {
		status = "failed"
	}
	d := map[string]any{"file": filepath.Base(req.Name), "sha256": o.SHA256, "kind": o.Kind, "status": status, "source": req.Source,
		"bytes": req.size}
	if req.DryRun {
		d["dry_run"] = true
	}
	if o.ErrorCount > 0 {
		d["errors"] = o.ErrorCount
		d["first_error"] = o.Errors[0].String()
	}
	if o.Reason != nil {
		d["reason"] = o.Reason.EN
	}
	e := data.AuditEntry{Actor: req.Actor, Action: "upload", Detail: d, Peer: req.Peer}
	if len(o.Receipts) > 0 {
		e.Unit, e.Month = o.Receipts[0].UnitCode, o.Receipts[0].Period
	}
	// a detached context: a client that went away still leaves its attempt on record
	if err := in.Store.Audit(context.WithoutCancel(ctx), e); err != nil {
		slogError("audit upload", err)
	}
}

// kindOf decides once what a file is.
func kindOf(name string, content []byte) string {
	if DossierFormat(name, content) != "" {
		return KindDossiers
	}
	if k := recordKind(name, content); k != "" {
		return k
	}
	if isPortalScores(name, content) {
		return KindPortalScores
	}
	if isChecklist(name, content) {
		return KindChecklist
	}
	return KindReport // or a survey or an index, which their parsers recognise
}

// parseSlot bounds how many files are parsed at once: parsing a large workbook takes
// memory, and it happens outside the store's lock.
func (in *Ingester) parseSlot(ctx context.Context) (release func(), err error) {
	in.parsingOnce.Do(func() { in.parsing = make(chan struct{}, 2) })
	select {
	case in.parsing <- struct{}{}:
		return func() { <-in.parsing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (in *Ingester) ingest(ctx context.Context, req Request, o *Outcome) error {
	lang := req.Lang
	reg := in.Store.Units()
	if req.staged != "" {
		return in.ingestDossiers(ctx, req, o, strings.TrimPrefix(filepath.Ext(req.staged), "."))
	}
	o.Kind = kindOf(req.Name, req.Content)
	switch o.Kind {
	case KindDossiers:
		return in.ingestDossiers(ctx, req, o, DossierFormat(req.Name, req.Content))
	case KindCatalogue:
		return in.ingestCatalogue(ctx, req, o)
	case KindFeedback:
		return in.ingestFeedback(ctx, req, o)
	case KindPortalScores:
		return in.ingestPortalScores(ctx, req, o)
	case KindChecklist:
		return in.ingestChecklist(ctx, req, o)
	}
	// parsed before the lock: a large workbook takes seconds, and other files need not wait
	release, err := in.parseSlot(ctx)
	if err != nil {
		return err
	}
	var parsed *Parsed
	var problems []Problem
	egdi, egdiProbs, isEGDI := ParseEGDI(req.Name, req.Content, lang)
	var idx []data.IndexImport
	var idxProbs []Problem
	isIndex := false
	if !isEGDI {
		idx, idxProbs, isIndex = ParseIndex(req.Name, req.Content, reg, lang)
		if !isIndex {
			parsed, problems = Parse(req.Name, req.Content, reg, lang)
		}
	}
	release()

	in.mu.Lock()
	defer in.mu.Unlock()
	// the identical file again: the receipts it got, and nothing else
	prev, err := in.Store.Submissions(ctx, data.SubmissionFilter{SHA256: o.SHA256})
	if err != nil {
		return err
	}
	if len(prev) > 0 {
		for _, s := range prev {
			if req.Allow != nil {
				if err := req.Allow(s.UnitCode); err != nil {
					return forbidden(err)
				}
			}
			o.Receipts = append(o.Receipts, Receipt{ID: s.ID, UnitCode: s.UnitCode, Period: s.Month, Version: s.Version, Status: s.Status, Values: s.Values, Warnings: []Problem{}})
		}
		o.Identical = true
		return nil
	}
	switch {
	case isEGDI:
		o.Kind = KindSurvey
		return in.importSurvey(ctx, req, o, egdi, egdiProbs)
	case isIndex:
		o.Kind = KindIndex
		return in.importIndex(ctx, req, o, idx, idxProbs)
	}
	return in.ingestReport(ctx, req, o, parsed, problems)
}

// forbidden is the refusal of a unit the actor may not write.
func forbidden(err error) error {
	var e *data.Error
	if errors.As(err, &e) {
		return e
	}
	return data.Errorf(data.ErrForbidden, "Bạn không được ghi số liệu này: %s", "You may not write this data: %s", strings.TrimPrefix(err.Error(), data.ErrForbidden.Error()+": "))
}

// ingestReport checks and stores the monthly reports of a parsed file.
func (in *Ingester) ingestReport(ctx context.Context, req Request, res *Outcome, parsed *Parsed, problems []Problem) error {
	lang := req.Lang
	res.Errors = append(res.Errors, problems...)
	if parsed == nil {
		return nil
	}
	res.Layout = parsed.Layout
	now := in.now()
	thisMonth := data.MonthOf(now.In(VietnamTime))
	locks, err := in.Store.Locks(ctx)
	if err != nil {
		return err
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
				return forbidden(err)
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
				return err
			}
		}
		errs, warns := checkRules(in.Rules, rep, last[rep.Month()][rep.UnitCode()], lang)
		res.Errors = append(res.Errors, errs...)
		res.Warnings = append(res.Warnings, warns...)
	}
	if len(res.Errors) > 0 {
		return nil
	}
	if parsed.Len() == 0 {
		res.Errors = append(res.Errors, Problem{Message: msg(lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
		return nil
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
		return nil
	}
	// keep the original before it counts: an accepted file is never lost
	if err := in.keep(res.SHA256, req.Content); err != nil {
		return err
	}
	var stored []data.Submission
	err = in.commit(manifestEntry{SHA256: res.SHA256, Name: filepath.Base(req.Name), Actor: req.Actor, Source: req.Source, At: at.UTC()}, func() error {
		var err error
		stored, err = in.Store.Submit(ctx, subs)
		return err
	})
	if err != nil {
		if errors.Is(err, data.ErrMonthLocked) || errors.Is(err, data.ErrInvalid) {
			res.Errors = append(res.Errors, Problem{Message: data.MessageOf(err, lang)})
			return nil
		}
		return err
	}
	for i, s := range stored {
		res.Receipts = append(res.Receipts, Receipt{ID: s.ID, UnitCode: s.UnitCode, Period: s.Month, Version: s.Version, Status: s.Status,
			Values: s.Values, Warnings: warningsOf(res.Warnings, parsed.Report(i)), Missing: parsed.Report(i).Missing()})
	}
	return nil
}

// yearlyGate is what both yearly imports (the UN survey, national indices) check before
// storing: the right to import them, the file's problems, something to import. true
// means res is the answer.
func yearlyGate(req Request, res *Outcome, whatVI, what string, n int, probs []Problem) bool {
	if !req.Benchmarks {
		res.refuse(StatusForbidden, &data.Error{Kind: data.ErrForbidden, VI: "Chỉ Ban chỉ đạo hoặc quản trị viên được nhập " + whatVI,
			EN: "Only the committee or an administrator imports " + what})
		return true
	}
	res.Errors = append(res.Errors, probs...)
	if n == 0 && len(res.Errors) == 0 {
		res.Errors = append(res.Errors, Problem{Message: msg(req.Lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
	}
	return len(res.Errors) > 0
}

// importIndex stores a national index file (DTI, ICT Index): all its years, or none.
func (in *Ingester) importIndex(ctx context.Context, req Request, res *Outcome, imps []data.IndexImport, probs []Problem) error {
	res.Layout = "index"
	if yearlyGate(req, res, "chỉ số quốc gia", "national indices", len(imps), probs) {
		return nil
	}
	if done, err := in.Store.IndexImported(ctx, res.SHA256); err != nil {
		return err
	} else if done {
		res.Identical = true
		return nil
	}
	if req.DryRun {
		for _, imp := range imps {
			res.Surveys = append(res.Surveys, SurveyReceipt{Index: imp.Name, Year: imp.Year, Countries: len(imp.Values)})
		}
		return nil
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
		return err
	}
	return nil
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
func (in *Ingester) importSurvey(ctx context.Context, req Request, res *Outcome, imps []data.EGDIImport, probs []Problem) error {
	res.Layout = "egdi"
	if yearlyGate(req, res, "khảo sát Chính phủ điện tử của Liên hợp quốc", "the UN survey", len(imps), probs) {
		return nil
	}
	done, err := in.Store.EGDIImported(ctx, res.SHA256)
	if err != nil {
		return err
	}
	if done {
		res.Identical = true
		return nil
	}
	if req.DryRun {
		for _, imp := range imps {
			res.Surveys = append(res.Surveys, SurveyReceipt{Index: "egdi", Year: imp.Year, Countries: len(imp.Rows), Precision: imp.Precision, Matched: surveyMatch(imp)})
		}
		return nil
	}
	err = in.landYearly(req, res.SHA256, func() error {
		for _, imp := range imps {
			imp.ImportedBy = req.Actor
			stored, err := in.Store.ImportEGDI(ctx, imp, res.SHA256)
			if err != nil {
				return err
			}
			res.Surveys = append(res.Surveys, SurveyReceipt{ID: stored.ID, Index: "egdi", Year: imp.Year, Countries: len(imp.Rows), Precision: imp.Precision, Matched: surveyMatch(imp)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return nil
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
				// both sides are wrong until one is corrected: every cell the rule read
				var cells, fields []string
				for _, c := range append(slices.Clone(r.Left), r.Right...) {
					if ref := rep.Cell(c); ref != "" && !slices.Contains(cells, ref) {
						cells, fields = append(cells, ref), append(fields, c)
					}
				}
				found = append(found, Problem{Sheet: rep.Sheet(), Cell: rep.Cell(r.Left[0]), Cells: cells, Fields: fields, Row: rep.Row(), Field: r.Left[0],
					Message: fmt.Sprintf("%s (%s > %s)", text, data.FormatNumber(float64(l), 0, lang), data.FormatNumber(float64(rt), 0, lang))})
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
						Message: fmt.Sprintf("%s: %s %s → %s", text, MeasureName(c, lang), data.FormatNumber(float64(p), 0, lang), data.FormatNumber(float64(v), 0, lang))})
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
	// Records is the kind of a 766 record file (catalogue, feedback).
	Records string `json:"records,omitempty"`
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

// landAtCommit runs store, which calls keep once every check has passed, just before its
// commit: keep keeps the file (keepFile) and writes the pending manifest line, so that an
// accepted file is never lost and a refused one never kept; the outcome line follows the
// commit. Dossier exports, catalogues and feedback land this way.
func (in *Ingester) landAtCommit(entry manifestEntry, keepFile func() error, store func(keep func() error) error) error {
	pending := false
	err := store(func() error {
		if err := keepFile(); err != nil {
			return err
		}
		pending = true
		entry.State = "pending"
		return in.record(entry)
	})
	if pending {
		state := "committed"
		if err != nil {
			state = "aborted"
		}
		if rerr := in.record(manifestEntry{SHA256: entry.SHA256, State: state}); rerr != nil && err == nil {
			err = rerr
		}
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
	case e.Records == KindPortalScores:
		return in.holdsPortalScores(ctx, e.SHA256)
	case e.Records != "":
		return in.holdsRecords(ctx, e)
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
	defer func() { _ = f.Close() }() // read only
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
	return keptDiskFull(in.writeKept(sha, content))
}

// keptDiskFull says plainly that the disk is full, when it is, as the store does.
func keptDiskFull(err error) error {
	if err != nil && errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: the disk holding the kept files is full; nothing of this batch was written: free some space and send it again (%v)", data.ErrDiskFull, err)
	}
	return err
}

func (in *Ingester) writeKept(sha string, content []byte) error {
	p := in.keptPath(sha)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	_, err = tmp.Write(content)
	if err == nil {
		err = tmp.Sync()
	}
	// a file that did not close whole is not kept: it would be renamed into place half-written
	if err = errors.Join(err, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name()) // the temporary copy; the error above is the one to report
		return fmt.Errorf("keep file: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	return nil
}

// keepFile moves a file already written (a dossier export checked in the incoming
// folder) to its kept place, named by its SHA-256.
func (in *Ingester) keepFile(sha, from string) error {
	p := in.keptPath(sha)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	f, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	err = errors.Join(f.Sync(), f.Close())
	if err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	if err := os.Rename(from, p); err != nil {
		return fmt.Errorf("keep file: %w", err)
	}
	return nil
}

func (in *Ingester) record(e manifestEntry) (err error) {
	if in.FilesDir == "" {
		return nil
	}
	if err := os.MkdirAll(in.FilesDir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(in.FilesDir, ManifestName), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	// the manifest is how a rebuild finds the kept files: a line that did not close whole is an error
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("manifest: %w", cerr)
		}
	}()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
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
			// accepted once, with every right and confirmation it needed then
			res, err := target.Ingest(ctx, Request{Name: e.Name, Content: content, Actor: e.Actor, Source: e.Source, At: e.At,
				Benchmarks: e.Survey || e.Records == KindCatalogue || e.Records == KindPortalScores, Confirm: true, Replay: true})
			if err != nil {
				return n, err
			}
			if !res.Accepted {
				return n, fmt.Errorf("rebuild: %s was accepted once but not now: %s %v", e.Name, res.Message, res.Errors)
			}
		}
		n++
		if progress != nil {
			progress(n, e.Name)
		}
	}
	return n, nil
}
