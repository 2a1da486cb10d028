package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

func TestMaturityEndpoints(t *testing.T) {
	s := startServer(t, true)
	var r struct {
		Rows []struct {
			UnitCode  string `json:"unit_code"`
			Level     int
			LevelName string `json:"level_name"`
			Missing   []map[string]any
			Derived   bool
		}
	}
	s.getJSON(t, "/api/v1/maturity?period=2026-10&group=provinces", 200, &r)
	if len(r.Rows) != 34 {
		t.Fatalf("%d rows", len(r.Rows))
	}
	levels := map[int]int{}
	for _, row := range r.Rows {
		levels[row.Level]++
		if row.Level < 5 && len(row.Missing) == 0 {
			t.Errorf("%s at level %d misses nothing for the next", row.UnitCode, row.Level)
		}
	}
	if len(levels) < 2 {
		t.Errorf("every province at the same level: %v", levels)
	}
	s.getJSON(t, "/api/v1/maturity?period=2025-06&group=provinces", 200, &r)
	derived := 0
	for _, row := range r.Rows {
		if row.Derived {
			derived++
		}
	}
	if derived == 0 {
		t.Error("no merged province is derived before 2025-07")
	}
	// an officer assesses its own unit, not another; the committee confirms
	code, b := s.do(t, "POST", "/api/v1/capabilities", "officer01", strings.NewReader(`{"unit_code":"79","period":"2026-10","items":{"soc":{"value":1}}}`), "Content-Type", "application/json")
	if code != 403 {
		t.Errorf("another unit's checklist: %d %s", code, b)
	}
	code, b = s.do(t, "POST", "/api/v1/capabilities", "officer01", strings.NewReader(`{"unit_code":"01","period":"2026-10","items":{"soc":{"value":2}}}`), "Content-Type", "application/json")
	if code != 400 || !strings.Contains(string(b), "items.soc") {
		t.Errorf("a bad value: %d %s", code, b)
	}
	code, b = s.do(t, "POST", "/api/v1/capabilities", "officer01", strings.NewReader(`{"unit_code":"01","period":"2026-10","items":{"soc":{"value":1,"evidence":"QĐ 45/QĐ-UBND"},"digital_signature":{"value":97}}}`), "Content-Type", "application/json")
	if code != 201 {
		t.Fatalf("own checklist: %d %s", code, b)
	}
	var a data.Assessment
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.do(t, "POST", fmt.Sprintf("/api/v1/capabilities/%d/confirm", a.ID), "committee1", nil); code != 200 {
		t.Errorf("confirm: %d", code)
	}
	var list struct{ Assessments []data.Assessment }
	s.getJSON(t, "/api/v1/capabilities?unit=01", 200, &list)
	if len(list.Assessments) < 2 || list.Assessments[0].ConfirmedBy != "committee1" || list.Assessments[0].Items["soc"].Evidence != "QĐ 45/QĐ-UBND" {
		t.Errorf("assessments: %+v", list.Assessments[:1])
	}
}
