package metrics

import (
	"context"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

func yes(codes ...string) map[string]data.Item {
	m := map[string]data.Item{}
	for _, c := range codes {
		m[c] = data.Item{Value: 1, Evidence: "QĐ 123/QĐ-UBND"}
	}
	return m
}

func TestMaturityLevelsAtTheirBoundaries(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	all := yes("portal", "one_stop", "doc_axis", "payment", "lgsp", "ndxp", "population_db", "open_data", "soc", "service_centre", "security_levels")
	all["digital_signature"] = data.Item{Value: 90}
	m := data.NewMonth(2026, 10)
	if _, err := f.store.SubmitAssessments(ctx, []data.Assessment{
		{UnitCode: "01", Month: data.NewMonth(2026, 1), SubmittedBy: "officer01", Items: all},
		{UnitCode: "04", Month: data.NewMonth(2026, 1), SubmittedBy: "officer04", Items: all},
		{UnitCode: "11", Month: data.NewMonth(2026, 1), SubmittedBy: "x", Items: yes("portal", "one_stop")}, // no doc axis
	}); err != nil {
		t.Fatal(err)
	}
	vals := func(digitized int64) map[string]int64 {
		return map[string]int64{"procedures_total": 100, "procedures_online_full": 30, "docs_total": 100, "docs_electronic": 90,
			"dossiers_received": 10000, "dossiers_received_online": 8000, "dossiers_digitized": digitized,
			"dossiers_resolved": 100, "dossiers_resolved_on_time": 90}
	}
	f.put("01", "2026-10", when, vals(8000)) // every threshold exactly met
	f.put("04", "2026-10", when, vals(7999)) // digitisation 79.99%
	f.put("11", "2026-10", when, vals(8000))
	r, err := f.eng.Maturity(ctx, m, data.Provinces, Current)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]MaturityRow{}
	for _, row := range r.Rows {
		got[row.UnitCode] = row
	}
	if got["01"].Level != 5 || len(got["01"].Missing) != 0 || got["01"].LevelName != "Số" {
		t.Errorf("01: level %d, missing %v", got["01"].Level, got["01"].Missing)
	}
	if got["04"].Level != 4 || len(got["04"].Missing) != 1 || got["04"].Missing[0].Indicator != "digitization_rate" || *got["04"].Missing[0].Have != 79.99 {
		t.Errorf("04: level %d, missing %+v", got["04"].Level, got["04"].Missing)
	}
	if got["11"].Level != 1 || len(got["11"].Missing) != 1 || got["11"].Missing[0].Capability != "doc_axis" {
		t.Errorf("11: level %d, missing %+v", got["11"].Level, got["11"].Missing)
	}
	if got["79"].Level != 0 || got["79"].Missing[0].Capability != "portal" {
		t.Errorf("79: %+v", got["79"])
	}
	// before the assessments, nothing: levels are computed for any month
	r, _ = f.eng.Maturity(ctx, data.NewMonth(2025, 12), data.Provinces, Current)
	for _, row := range r.Rows {
		if row.UnitCode == "01" && row.Level != 0 {
			t.Errorf("01 in 2025-12: level %d before any assessment", row.Level)
		}
	}
}

func TestMaturityAcrossAMergerIsDerived(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	// Hà Giang (02) and Tuyên Quang (08) before 2025-07: one has a SOC, the other not
	a := yes("portal", "one_stop", "doc_axis", "soc")
	a["digital_signature"] = data.Item{Value: 70}
	b := yes("portal", "one_stop", "doc_axis")
	b["digital_signature"] = data.Item{Value: 95}
	if _, err := f.store.SubmitAssessments(ctx, []data.Assessment{
		{UnitCode: "08", Month: data.NewMonth(2025, 1), SubmittedBy: "x", Items: a},
		{UnitCode: "02", Month: data.NewMonth(2025, 1), SubmittedBy: "x", Items: b},
	}); err != nil {
		t.Fatal(err)
	}
	f.put("02", "2025-06", when, map[string]int64{"procedures_total": 100, "procedures_online_full": 10, "docs_total": 100, "docs_electronic": 40})
	f.put("08", "2025-06", when, map[string]int64{"procedures_total": 100, "procedures_online_full": 20, "docs_total": 100, "docs_electronic": 70})
	r, err := f.eng.Maturity(ctx, data.NewMonth(2025, 6), data.Provinces, Current)
	if err != nil {
		t.Fatal(err)
	}
	var tq MaturityRow
	for _, row := range r.Rows {
		if row.UnitCode == "08" {
			tq = row
		}
	}
	// a SOC only one predecessor had is not the merged unit's; the signature share is the least
	if !tq.Derived || tq.Capabilities["soc"] != nil || tq.Capabilities["digital_signature"] == nil || *tq.Capabilities["digital_signature"] != 70 {
		t.Errorf("derived capabilities: derived %v, soc %v, signature %v", tq.Derived, tq.Capabilities["soc"], tq.Capabilities["digital_signature"])
	}
	// summed indicators: (40 + 70) / 200 = 55% electronic documents → level 2
	if *tq.Indicators["edoc_ratio"] != 55 || tq.Level != 2 {
		t.Errorf("derived level %d, edoc %v", tq.Level, *tq.Indicators["edoc_ratio"])
	}
	h, _ := f.eng.Maturity(ctx, data.NewMonth(2025, 6), data.Provinces, Historical)
	for _, row := range h.Rows {
		if row.Derived {
			t.Errorf("historical boundaries derive nothing: %s", row.UnitCode)
		}
		if row.UnitCode == "02" && row.Level != 1 { // 40% electronic documents
			t.Errorf("Hà Giang as it was: level %d", row.Level)
		}
	}
}
