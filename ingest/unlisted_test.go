package ingest

import (
	"fmt"
	"strings"
	"testing"
)

// TestUnlistedProceduresInReceipt: a dossier whose procedure the catalogue in force does
// not hold for its unit is accepted and named in the receipt with its count, most dossiers
// first, at most data.UnlistedShown codes and the number of codes in all; a level-wide
// entry and the unit's own are listed procedures, another unit's own is not; before any
// catalogue nothing is listed.
func TestUnlistedProceduresInReceipt(t *testing.T) {
	committee := func(q *Request) { q.Actor, q.Benchmarks = "committee", true }
	row := func(id, unit, proc string) string {
		return fmt.Sprintf("%s,%s,%s,online,2026-10-02 08:00:00,2026-10-10 17:00:00,2026-10-05 10:00:00,true,false,false,\n", id, unit, proc)
	}
	// testCatalogue: PA province-wide, PB only 79's own, MA ministries'
	export := dossierHead + row("D1", "01", "PA") + row("D2", "01", "PB") + row("D3", "01", "PB") + row("D4", "01", "PX") +
		row("D5", "79", "PB") + row("D6", "79", "PA")
	t.Run("no catalogue", func(t *testing.T) {
		r := newRig(t)
		o := r.ingest("hs.csv", []byte(export), committee)
		if o.Status != StatusAccepted || o.Dossiers == nil {
			t.Fatalf("%s %s %v", o.Status, o.Message, o.Errors)
		}
		if len(o.Dossiers.UnlistedProcedures) != 0 || o.Dossiers.UnlistedCodes != 0 {
			t.Errorf("listed without a catalogue: %+v", o.Dossiers)
		}
	})
	t.Run("catalogue", func(t *testing.T) {
		r := newRig(t)
		if o := r.ingest("dm.csv", []byte(testCatalogue), committee); o.Status != StatusAccepted {
			t.Fatalf("catalogue: %s %s %v", o.Status, o.Message, o.Errors)
		}
		// a dry run lists them as the real one does
		for _, dry := range []bool{true, false} {
			o := r.ingest("hs.csv", []byte(export), committee, func(q *Request) { q.DryRun = dry })
			if o.Dossiers == nil || o.Dossiers.Rows != 6 {
				t.Fatalf("dry %v: %s %s %v", dry, o.Status, o.Message, o.Errors)
			}
			// 01's PB (79's own) twice, PX once; 79's PB and PA are in the catalogue
			got := fmt.Sprint(o.Dossiers.UnlistedProcedures)
			if got != "[{PB 2} {PX 1}]" || o.Dossiers.UnlistedCodes != 2 {
				t.Errorf("dry %v: unlisted %s, %d codes", dry, got, o.Dossiers.UnlistedCodes)
			}
		}
	})
	t.Run("capped", func(t *testing.T) {
		r := newRig(t)
		if o := r.ingest("dm.csv", []byte(testCatalogue), committee); o.Status != StatusAccepted {
			t.Fatalf("catalogue: %s %s %v", o.Status, o.Message, o.Errors)
		}
		var b strings.Builder
		b.WriteString(dossierHead)
		n := 0
		for i := 0; i < 30; i++ { // X00 carries 30 dossiers, X01 29, …
			for j := i; j < 30; j++ {
				n++
				b.WriteString(row(fmt.Sprintf("C%d", n), "01", fmt.Sprintf("X%02d", i)))
			}
		}
		o := r.ingest("hs.csv", []byte(b.String()), committee)
		if o.Status != StatusAccepted || o.Dossiers == nil {
			t.Fatalf("%s %s %v", o.Status, o.Message, o.Errors)
		}
		u := o.Dossiers.UnlistedProcedures
		if len(u) != 20 || o.Dossiers.UnlistedCodes != 30 || u[0].Code != "X00" || u[0].Dossiers != 30 || u[19].Code != "X19" || u[19].Dossiers != 11 {
			t.Errorf("capped list: %d shown of %d codes: %+v", len(u), o.Dossiers.UnlistedCodes, u)
		}
	})
}
