package data

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// rollupRecord is one generated dossier, to be tagged with a unit.
type rollupRecord struct {
	id   string
	cols string // every column after dossier_id and unit_code, in dossierSchema's order
}

// rollupRecords makes n dossiers of 2025-08..2026-10 with every column of the schema
// varied: late and on time, open, overdue, supplements, ratings, the 766 columns.
func rollupRecords(n int) []rollupRecord {
	rng := rand.New(rand.NewSource(19))
	b := func() string {
		switch rng.Intn(3) {
		case 0:
			return "true"
		case 1:
			return "false"
		}
		return ""
	}
	ts := func(t time.Time) string { return t.Format("2006-01-02 15:04:05") }
	start := time.Date(2025, 8, 1, 7, 0, 0, 0, time.UTC)
	var out []rollupRecord
	for i := range n {
		rec := start.Add(time.Duration(rng.Intn(455*24)) * time.Hour).Add(time.Duration(rng.Intn(60)) * time.Minute)
		due := rec.Add(time.Duration(1+rng.Intn(20)) * 24 * time.Hour)
		dueS := ts(due)
		if rng.Intn(8) == 0 {
			dueS = ""
		}
		resS := ""
		if rng.Intn(6) != 0 {
			res := rec.Add(time.Duration(rng.Intn(30*24)) * time.Hour)
			if res.Before(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
				resS = ts(res)
			}
		}
		rating := []string{"", "satisfied", "dissatisfied"}[rng.Intn(3)]
		sup, supAt, supDone := "0", "", ""
		if rng.Intn(5) == 0 {
			sup, supAt = "1", ts(rec.Add(24*time.Hour))
			supDone = ts(rec.Add(72 * time.Hour))
		}
		cols := []string{fmt.Sprintf("P%d", rng.Intn(4)), []string{"online", "direct", "postal"}[rng.Intn(3)], ts(rec), dueS, resS,
			b(), fmt.Sprint(rng.Intn(2) == 0), b(), rating, sup, supAt, supDone, b(), b(), b(), b(), b(), b()}
		out = append(out, rollupRecord{id: fmt.Sprintf("HS%05d", i), cols: strings.Join(cols, ",")})
	}
	return out
}

// writeExport writes records tagged by unit(i) as a dossier export and loads it.
func loadTagged(t *testing.T, s *Store, recs []rollupRecord, unit func(i int) string, imp DossierImport) (DossierResult, error) {
	t.Helper()
	var b strings.Builder
	b.WriteString(dossierTableColumns() + "\n")
	for i, r := range recs {
		fmt.Fprintf(&b, "%s,%s,%s\n", r.id, unit(i), r.cols)
	}
	sum := sha256.Sum256([]byte(b.String()))
	p := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	imp.Path, imp.Format, imp.SHA256, imp.Actor = p, "csv", fmt.Sprintf("%x", sum), "test"
	if imp.Now.IsZero() {
		imp.Now = time.Date(2026, 11, 15, 0, 0, 0, 0, vietnam)
	}
	return s.IngestDossiers(context.Background(), imp)
}

// unitValues is a unit's current values by month.
func unitValues(t *testing.T, s *Store, unit string) map[string]map[string]int64 {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT strftime(month, '%Y-%m'), measure, value FROM current_values WHERE unit_code = ?`, unit)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var m, code string
		var v int64
		if err := rows.Scan(&m, &code, &v); err != nil {
			t.Fatal(err)
		}
		if out[m] == nil {
			out[m] = map[string]int64{}
		}
		out[m][code] = v
	}
	return out
}

func index766Of(t *testing.T, s *Store, unit, period string) Index766Counts {
	t.Helper()
	cal, err := DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	rules := Index766Rules{AnnounceLead: map[string]int{"ministry": 20, "province": 5}, PublishWithin: map[string]int{"ministry": 10, "province": 5},
		FeedbackDays: map[string]int{"handled": 15, "refused": 2, "supplement_requested": 5}}
	p, err := ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Index766Counts(context.Background(), cal, rules, p, []Index766Unit{{Code: unit, Kind: "province"}})
	if err != nil {
		t.Fatal(err)
	}
	// durations are summed in whole microseconds: equal to the last bit in any order
	return *got[unit]
}

// TestDossierRollupEquality: the same dossier records tagged with Hà Nội's communes (and
// agencies) give Hà Nội the same measures and the same 766 counts as the records tagged
// with Hà Nội itself, however they are spread over units and files; each commune keeps
// its own measures; Hà Nội's communes never reach another province.
func TestDossierRollupEquality(t *testing.T) {
	ctx := context.Background()
	recs := rollupRecords(400)
	communes := Reference().Communes("01", NewMonth(2026, 10))
	if len(communes) < 10 {
		t.Fatalf("Hà Nội has %d communes", len(communes))
	}
	commune := func(i int) string { return communes[i%7].Code }
	province := func(int) string { return "01" }
	type load struct {
		from, to int // the records [from, to)
		unit     func(i int) string
	}
	all := len(recs)
	base := openTemp(t)
	if _, err := loadTagged(t, base, recs, province, DossierImport{}); err != nil {
		t.Fatal(err)
	}
	want := unitValues(t, base, "01")
	if len(want) < 12 {
		t.Fatalf("the province's records cover %d months", len(want))
	}
	periods := []string{"2026-09", "2026-Q3", "2026"}
	want766 := map[string]Index766Counts{}
	for _, p := range periods {
		want766[p] = index766Of(t, base, "01", p)
		if want766[p].Received == 0 || want766[p].Handled == 0 {
			t.Fatalf("%s: the province's records give no 766 counts: %+v", p, want766[p])
		}
	}
	for _, tc := range []struct {
		name  string
		loads []load
	}{
		{"communes, one file", []load{{0, all, commune}}},
		{"communes, a file each", []load{{0, 200, func(int) string { return communes[0].Code }},
			{200, 300, func(int) string { return communes[1].Code }}, {300, all, func(int) string { return communes[2].Code }}}},
		{"province and communes", []load{{0, 200, province}, {200, all, commune}}},
		{"communes, then the province", []load{{200, all, commune}, {0, 200, province}}},
		{"communes and an agency", []load{{0, 150, func(int) string { return "01-SNV" }}, {150, all, commune}}},
		{"mixed in one file", []load{{0, all, func(i int) string {
			switch i % 3 {
			case 0:
				return "01"
			case 1:
				return "01-SNV"
			}
			return commune(i)
		}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			if _, err := s.AddAgency(ctx, "01", "SNV", "Sở Nội vụ", "", "admin"); err != nil {
				t.Fatal(err)
			}
			for _, l := range tc.loads {
				if _, err := loadTagged(t, s, recs[l.from:l.to], func(i int) string { return l.unit(l.from + i) }, DossierImport{}); err != nil {
					t.Fatal(err)
				}
			}
			if got := unitValues(t, s, "01"); !reflect.DeepEqual(got, want) {
				for m := range want {
					if !reflect.DeepEqual(got[m], want[m]) {
						t.Fatalf("01 %s: from the lower units %v, tagged with the province %v", m, got[m], want[m])
					}
				}
				t.Fatalf("01: %d months, tagged with the province %d", len(got), len(want))
			}
			for _, p := range periods {
				if got := index766Of(t, s, "01", p); !reflect.DeepEqual(got, want766[p]) {
					t.Errorf("766 counts of 01 in %s:\n from the lower units %+v\n tagged with the province %+v", p, got, want766[p])
				}
			}
			// each lower unit keeps its own measures: its records' count received, and
			// without records of the province's own, the province's measures are their sums
			count := map[string]int64{}
			provinceOwn := false
			for _, l := range tc.loads {
				for i := l.from; i < l.to; i++ {
					count[l.unit(i)]++
					provinceOwn = provinceOwn || l.unit(i) == "01"
				}
			}
			sums := map[string]map[string]int64{}
			for u, n := range count {
				if u == "01" {
					continue
				}
				var got int64
				for m, vals := range unitValues(t, s, u) {
					got += vals["dossiers_received"]
					if sums[m] == nil {
						sums[m] = map[string]int64{}
					}
					for code, v := range vals {
						// overdue is measured only in a unit's months with dossiers received
						// or resolved: a unit quiet in a month has no figure of it there
						if code != "dossiers_overdue" {
							sums[m][code] += v
						}
					}
				}
				if got != n {
					t.Errorf("%s received %d dossiers, its records are %d", u, got, n)
				}
			}
			wantSums := map[string]map[string]int64{}
			for m, vals := range want {
				wantSums[m] = map[string]int64{}
				for code, v := range vals {
					if code != "dossiers_overdue" {
						wantSums[m][code] = v
					}
				}
			}
			if !provinceOwn && !reflect.DeepEqual(sums, wantSums) {
				for m := range wantSums {
					if !reflect.DeepEqual(sums[m], wantSums[m]) {
						t.Errorf("%s: the lower units' measures add up to %v, the province's are %v", m, sums[m], wantSums[m])
						break
					}
				}
				t.Errorf("the lower units' measures (%d months) do not add up to the province's (%d)", len(sums), len(want))
			}
			if got := unitValues(t, s, "79"); len(got) != 0 {
				t.Errorf("TP Hồ Chí Minh got figures from Hà Nội's communes: %v", got)
			}
		})
	}
}

// TestDossierRollupRules: the rules of a dossier export hold for a province's figures
// made from its communes' records: a locked month's figures of the province and the
// commune stay; figures the province reported itself change only when confirmed; only
// the unit-months that change get versions; a commune's records before it existed are
// refused.
func TestDossierRollupRules(t *testing.T) {
	ctx := context.Background()
	recs := rollupRecords(300)
	c1 := Reference().Communes("01", NewMonth(2026, 10))[0].Code
	c2 := Reference().Communes("01", NewMonth(2026, 10))[1].Code
	onC1 := func(int) string { return c1 }
	sep := NewMonth(2026, 9)
	// records of September moved to another day of September: the same figures
	inSep := func(r rollupRecord) bool { return strings.Contains(r.cols, ",2026-09-") }
	var sepRecs, other []rollupRecord
	for _, r := range recs {
		if inSep(r) {
			sepRecs = append(sepRecs, r)
		} else {
			other = append(other, r)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, s *Store)
		// the second export: the records tagged with c1, then changed by edit
		edit    func(rs []rollupRecord) []rollupRecord
		imp     DossierImport
		wantErr error
		want    func(t *testing.T, s *Store, res DossierResult)
	}{
		{name: "identical figures, no versions", edit: func(rs []rollupRecord) []rollupRecord {
			out := append([]rollupRecord(nil), rs...)
			out[0], out[1] = out[1], out[0] // another file, the same dossiers
			return out
		}, want: func(t *testing.T, s *Store, res DossierResult) {
			if res.UnitMonths != 0 {
				t.Errorf("%d unit-months got versions, none changed", res.UnitMonths)
			}
		}},
		{name: "one dossier more, one month of the commune and the province", edit: func(rs []rollupRecord) []rollupRecord {
			return append(append([]rollupRecord(nil), rs...), rollupRecord{id: "NEW1",
				cols: "P1,online,2026-10-05 08:00:00,2026-10-20 08:00:00,,true,false,,,0,,,,,,,,"})
		}, want: func(t *testing.T, s *Store, res DossierResult) {
			var got []string
			for _, sub := range res.Submissions {
				got = append(got, sub.UnitCode+" "+sub.Month.String())
			}
			if strings.Join(got, ",") != c1+" 2026-10,01 2026-10" {
				t.Errorf("versions for %v; want the commune's and the province's October", got)
			}
		}},
		{name: "locked month", setup: func(t *testing.T, s *Store) {
			if err := s.LockMonth(ctx, sep, "committee"); err != nil {
				t.Fatal(err)
			}
		}, edit: func(rs []rollupRecord) []rollupRecord {
			r := sepRecs[0]
			r.id = "SEP-EXTRA"
			return append(append([]rollupRecord(nil), rs...), r)
		}, wantErr: ErrMonthLocked},
		{name: "self-reported province, unconfirmed", setup: func(t *testing.T, s *Store) {
			if _, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: sep, Source: "xlsx", Values: map[string]int64{"dossiers_received": 161200}}}); err != nil {
				t.Fatal(err)
			}
		}, edit: func(rs []rollupRecord) []rollupRecord { return append(append([]rollupRecord(nil), rs...), sepRecs[0]) }, wantErr: ErrConfirm},
		{name: "self-reported province, confirmed", setup: func(t *testing.T, s *Store) {
			if _, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: sep, Source: "xlsx", Values: map[string]int64{"dossiers_received": 161200}}}); err != nil {
				t.Fatal(err)
			}
		}, edit: func(rs []rollupRecord) []rollupRecord {
			r := sepRecs[0]
			r.id = "SEP-EXTRA"
			return append(append([]rollupRecord(nil), rs...), r)
		}, imp: DossierImport{Confirm: true}, want: func(t *testing.T, s *Store, res DossierResult) {
			found := false
			for _, c := range res.Changes {
				found = found || c.UnitCode == "01" && c.Month == sep && c.Measure == "dossiers_received" && c.Reported == 161200
			}
			if !found {
				t.Errorf("the province's own figure replaced without listing it: %+v", res.Changes)
			}
		}},
		{name: "a commune before it existed", edit: func(rs []rollupRecord) []rollupRecord {
			return []rollupRecord{{id: "OLD1", cols: "P1,online,2025-05-05 08:00:00,,,true,false,,,0,,,,,,,,"}}
		}, wantErr: ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			// first: the records outside September on c1, September's on c2
			if _, err := loadTagged(t, s, other, onC1, DossierImport{}); err != nil {
				t.Fatal(err)
			}
			if _, err := loadTagged(t, s, sepRecs, func(int) string { return c2 }, DossierImport{}); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(t, s)
			}
			before01, beforeC1, beforeC2 := unitValues(t, s, "01"), unitValues(t, s, c1), unitValues(t, s, c2)
			res, err := loadTagged(t, s, tc.edit(other), onC1, tc.imp)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("want %v, got %v", tc.wantErr, err)
				}
				if !reflect.DeepEqual(unitValues(t, s, "01"), before01) || !reflect.DeepEqual(unitValues(t, s, c1), beforeC1) ||
					!reflect.DeepEqual(unitValues(t, s, c2), beforeC2) {
					t.Errorf("a refused export changed figures")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want(t, s, res)
		})
	}
}
