package ingest

import (
	"context"
	"path/filepath"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Citizen feedback (phản ánh, kiến nghị) for the index of Decision 766 (issue 17): CSV or
// XLSX with id, unit_code, received_at, classified, handled_at, outcome, disliked; sent by
// a unit's officer for its own unit, or the committee for any. Stored as dossiers are: a
// record is its unit's and id's, replaced only within its unit.

// The columns of a feedback file; the first four are required.
var feedbackColumns = []string{"id", "unit_code", "received_at", "outcome", "classified", "handled_at", "disliked"}

const feedbackRequired = 4

var outcomeWords = map[string]string{"": "", "handled": "handled", "da xu ly": "handled", "refused": "refused", "tu choi": "refused",
	"supplement_requested": "supplement_requested", "yeu cau bo sung": "supplement_requested", "open": "open", "dang xu ly": "open"}

// parseFeedback reads and checks a feedback file; records dated after thisMonth are
// problems of their row.
func parseFeedback(name string, content []byte, reg *data.Registry, thisMonth data.Month, lang string) ([]data.FeedbackRecord, []Problem) {
	t, err := readTable(name, content, 0)
	if err != nil {
		return nil, []Problem{{Message: msg(lang, "Tệp %s không đọc được: %v", "The file %s cannot be read: %v", filepath.Base(name), err)}}
	}
	col, probs := columnsOf(t, feedbackColumns, feedbackRequired, lang)
	if len(probs) > 0 {
		return nil, probs
	}
	var out []data.FeedbackRecord
	seen := map[string]int{}
	for i := range t.rows {
		r := &rowReader{t: t, i: i, col: col, lang: lang, probs: &probs}
		before := len(probs)
		f := data.FeedbackRecord{Line: t.lines[i], ID: r.get("id"), UnitCode: r.get("unit_code")}
		if f.ID == "" {
			r.bad("id", "trống: mỗi phản ánh cần mã", "is empty: every record needs its id")
		}
		if _, ok := reg.Latest(f.UnitCode); !ok {
			r.bad("unit_code", "không phải mã đơn vị", "is not a unit's code")
		}
		f.ReceivedAt = r.when("received_at", false)
		if f.ReceivedAt.IsZero() && r.get("received_at") == "" {
			r.bad("received_at", "trống: cần thời điểm tiếp nhận", "is empty: the time received is needed")
		}
		f.HandledAt = r.when("handled_at", false)
		var ok bool
		if f.Outcome, ok = outcomeWords[data.Fold(r.get("outcome"))]; !ok {
			r.bad("outcome", "không phải handled, refused, supplement_requested hoặc open", "is not handled, refused, supplement_requested or open")
		}
		// an outcome without handled_at is accepted and counts as open (the index's rule)
		if !f.HandledAt.IsZero() && f.HandledAt.Before(f.ReceivedAt) {
			r.bad("handled_at", "trước thời điểm tiếp nhận", "is before the time received")
		}
		for _, c := range []struct {
			name string
			t    time.Time
		}{{"received_at", f.ReceivedAt}, {"handled_at", f.HandledAt}} {
			if !c.t.IsZero() && data.MonthOf(c.t) > thisMonth {
				r.bad(c.name, "ở sau tháng hiện tại %s", "is after the current month %s", thisMonth)
			}
		}
		f.Classified, f.Disliked = r.flag("classified"), r.flag("disliked")
		key := f.UnitCode + "|" + f.ID
		if j, dup := seen[key]; dup && f.ID != "" {
			r.bad("id", "đã có ở dòng %d (cùng đơn vị)", "is already on row %d (same unit)", j)
		} else {
			seen[key] = f.Line
		}
		if len(probs) == before {
			out = append(out, f)
		}
	}
	return out, probs
}

// ingestFeedback stores a feedback file: the units must be the actor's (req.Allow), all
// its rows or none; a dry run checks everything inside the transaction and rolls it back.
func (in *Ingester) ingestFeedback(ctx context.Context, req Request, o *Outcome) error {
	o.Layout = "feedback"
	rs, err := in.records()
	if err != nil {
		return err
	}
	release, err := in.parseSlot(ctx)
	if err != nil {
		return err
	}
	recs, probs := parseFeedback(req.Name, req.Content, in.Store.Units(), data.MonthOf(in.now().In(VietnamTime)), req.Lang)
	release()
	o.Errors = append(o.Errors, probs...)
	if len(recs) == 0 && len(o.Errors) == 0 {
		o.Errors = append(o.Errors, Problem{Message: msg(req.Lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
	}
	if len(o.Errors) > 0 {
		return nil
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.landRecords(req, o, at, func(keep func() error) error {
		imp := data.FeedbackImport{SHA256: o.SHA256, FileName: filepath.Base(req.Name), Actor: req.Actor, At: at, Records: recs,
			Allow: req.Allow, Now: in.now(), DryRun: req.DryRun, Keep: keep}
		res, err := rs.ImportFeedback(ctx, imp)
		o.Identical = res.Identical
		if err == nil && !res.Identical {
			o.Records = &RecordReceipt{Kind: KindFeedback, Rows: res.Rows, Units: res.Units, Replaced: res.Replaced}
		}
		return err
	})
}
