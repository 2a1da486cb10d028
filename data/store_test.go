package data

import (
	"context"
	"path/filepath"
	"testing"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSupersession(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	m := NewMonth(2026, 10)
	first, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 10, "docs_electronic": 9}}})
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Version != 1 || first[0].Status != StatusCurrent {
		t.Fatalf("first = %+v", first[0])
	}
	second, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 12}}})
	if err != nil {
		t.Fatal(err)
	}
	if second[0].Version != 2 {
		t.Fatalf("second version = %d", second[0].Version)
	}
	all, err := s.Submissions(ctx, SubmissionFilter{Unit: "01", Month: m})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("got %d versions, want 2", len(all))
	}
	if all[0].Version != 2 || all[0].Status != StatusCurrent || all[0].Values["docs_total"] != 12 || len(all[0].Values) != 1 {
		t.Errorf("newest = %+v", all[0])
	}
	if all[1].Version != 1 || all[1].Status != StatusSuperseded || all[1].Values["docs_electronic"] != 9 {
		t.Errorf("older = %+v", all[1])
	}
}
