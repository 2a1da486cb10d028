package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/egovkpi/egovkpi/data"
)

// checklist is a capability checklist as it is sent: a unit, a month and its items.
type checklist struct {
	Unit   string               `json:"unit_code"`
	Period string               `json:"period"`
	Items  map[string]data.Item `json:"items"`
}

// isChecklist recognises a capability checklist: a JSON object naming a unit and items
// (a scheduled source's JSON never reaches the one way in as JSON: it is turned into the
// wide layout first).
func isChecklist(name string, content []byte) bool {
	if !strings.EqualFold(filepath.Ext(name), ".json") {
		return false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(content), &probe) != nil {
		return false
	}
	_, unit := probe["unit_code"]
	_, items := probe["items"]
	return unit && items
}

// ingestChecklist stores a capability checklist by the same rules as every file: the
// actor's own unit, no month after the current one nor a locked one, nothing written by a
// dry run, the checklist kept as a file just before it counts. Which capabilities exist
// and what values they take are the definitions' business, checked by the caller.
func (in *Ingester) ingestChecklist(ctx context.Context, req Request, o *Outcome) error {
	st, ok := in.Store.(AssessmentSubmitter)
	if !ok {
		return fmt.Errorf("the store cannot take checklists")
	}
	var c checklist
	if err := json.Unmarshal(req.Content, &c); err != nil {
		return data.Errorf(data.ErrInvalid, "Bảng kiểm không đọc được: %v", "the checklist cannot be read: %v", err)
	}
	m, err := data.ParseMonth(c.Period)
	if err != nil {
		return data.Errorf(data.ErrInvalid, "Kỳ %q không hợp lệ: viết 2026-10", "period %q: write 2026-10", c.Period)
	}
	u, ok := in.Store.Units().At(c.Unit, m)
	if !ok {
		return data.Errorf(data.ErrInvalid, "Không có đơn vị %q trong tháng %s", "no unit %q in force in %s", c.Unit, m)
	}
	if len(c.Items) == 0 {
		return data.Errorf(data.ErrInvalid, "Bảng kiểm không có mục nào", "the checklist has no items")
	}
	if req.Allow != nil {
		if err := req.Allow(u.Code); err != nil {
			return forbidden(err)
		}
	}
	if m > data.MonthOf(in.now().In(VietnamTime)) {
		return data.Errorf(data.ErrInvalid, "Kỳ báo cáo %s ở tương lai", "The period %s is in the future", m)
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	a := data.Assessment{UnitCode: u.Code, Month: m, SubmittedBy: req.Actor, SubmittedAt: at.UTC(), Items: c.Items}
	if req.DryRun {
		o.Checklist = &a
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	// a locked month is refused before the file is kept (the store checks again inside
	// its transaction)
	locks, err := in.Store.Locks(ctx)
	if err != nil {
		return err
	}
	for _, l := range locks {
		if l.Month == m {
			return data.Errorf(data.ErrMonthLocked, "Tháng %s đã bị %s khóa; đề nghị Ban chỉ đạo mở lại", "%s was locked by %s; ask the committee to reopen it", m, l.LockedBy)
		}
	}
	out, err := in.keepAssessment(ctx, st, a)
	if errors.Is(err, data.ErrMonthLocked) {
		return data.Errorf(data.ErrMonthLocked, "Tháng %s đã bị khóa; đề nghị Ban chỉ đạo mở lại", "%s is locked; ask the committee to reopen it", m)
	}
	if err != nil {
		return err
	}
	o.Checklist = &out
	return nil
}
