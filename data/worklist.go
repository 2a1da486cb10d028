package data

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The records of a unit's worklist (issue 17, "This month's worklist"): the kept dossiers
// a period reaches and the catalogue version in force, read as they are. What they cost
// is metrics' to say, by the index's own rules (metrics/worklist.go); this file only reads.

// WorklistDossier is one kept dossier as the worklist reads it. Times are wall-clock Viet
// Nam time (as kept); a nil flag is an empty cell.
type WorklistDossier struct {
	DossierID     string
	UnitCode      string // the unit that holds it: the province itself, a commune or an agency
	ProcedureCode string
	Channel       string
	ReceivedAt    time.Time
	DueAt         *time.Time
	ResolvedAt    *time.Time
	Digitized     bool
	FeeRequired   bool
	PaidOnline    bool
	Rating        string

	SupplementRequests    int
	SupplementRequestedAt *time.Time
	SupplementCompletedAt *time.Time

	ElectronicResult, Synced, ReusedData, CitizenStore, VNeID, Complaint *bool
}

// WorklistRecords are what one unit's worklist of a period is worked out from.
type WorklistRecords struct {
	// Dossiers are those the period reaches (received in it, or received before its end and
	// not resolved before its start) of the unit's members, or of Only when it was asked.
	Dossiers []WorklistDossier
	// Procedures are the entries of the catalogue version in force on the period's last
	// day that may apply to the unit (its level, a province also its communes'; level-wide
	// or its own), in the file's order: the index's rules pick among them.
	Procedures []CatalogueEntry
}

// worklistDossiersSQL reads the dossiers of the units in $1 (and, when $2, the agencies
// of province $3) that the period [$4, $5) reaches, but a pending export's ({kept}).
const worklistDossiersSQL = `
SELECT dossier_id, unit_code, coalesce(procedure_code, ''), coalesce(channel, ''), received_at, due_at, resolved_at,
  coalesce(digitized, false), coalesce(fee_required, false), coalesce(paid_online, false), coalesce(rating, ''),
  coalesce(supplement_requests, 0), supplement_requested_at, supplement_completed_at,
  electronic_result, synced, reused_data, citizen_store, vneid, complaint
FROM dossiers
WHERE (unit_code IN (SELECT unnest($1::VARCHAR[])) OR ($2 AND unit_code IN (SELECT code FROM agencies WHERE province_code = $3)))
  AND received_at < $5 AND (received_at >= $4 OR resolved_at IS NULL OR resolved_at >= $4) AND {kept}
ORDER BY unit_code, dossier_id`

// worklistProceduresSQL reads the entries of catalogue version $1 that may apply to a unit
// $3 of kind $2.
const worklistProceduresSQL = `
SELECT line, procedure_code, name_vi, level, coalesce(unit_code, ''), max_processing, coalesce(max_unit, ''), online,
  coalesce(full_online_eligible, false), coalesce(paper_result, false), coalesce(fee, false), coalesce(payment_integrated, false),
  announced_on, effective_on, published_on, components_complete, valid_from, valid_to
FROM procedures
WHERE catalogue_id = $1 AND (level = $2 OR ($2 = 'province' AND level = 'commune'))
  AND (coalesce(unit_code, '') = '' OR unit_code = $3)
ORDER BY line`

// WorklistRecords reads the records of unit's worklist for period p: the dossiers of the
// unit and, for a province, of its communes and agencies (as its index counts them), or
// only those of only when it is not empty (a commune's or an agency's own list, scored
// on its province's index); and the catalogue entries in force.
func (s *Store) WorklistRecords(ctx context.Context, p Period, unit Index766Unit, only string) (WorklistRecords, error) {
	var out WorklistRecords
	if unit.Kind != "ministry" && unit.Kind != "province" {
		return out, fmt.Errorf("%w: unit %s: kind %q (ministry or province)", ErrInvalid, unit.Code, unit.Kind)
	}
	start, end := p.From.Time(), p.To.Add(1).Time()
	members, agencies := []string{only}, false
	if only == "" {
		members = []string{unit.Code}
		if unit.Kind == "province" {
			agencies = true
			for _, j := range s.ref.byParent[unit.Code] {
				members = append(members, s.ref.all[j].Code)
			}
		}
	}
	kept, done := s.dossierView()
	defer done()
	rows, err := s.db.QueryContext(ctx, strings.Replace(worklistDossiersSQL, "{kept}", kept, 1), members, agencies, unit.Code, start, end)
	if err != nil {
		return out, fmt.Errorf("worklist: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d WorklistDossier
		if err := rows.Scan(&d.DossierID, &d.UnitCode, &d.ProcedureCode, &d.Channel, &d.ReceivedAt, &d.DueAt, &d.ResolvedAt,
			&d.Digitized, &d.FeeRequired, &d.PaidOnline, &d.Rating, &d.SupplementRequests, &d.SupplementRequestedAt,
			&d.SupplementCompletedAt, &d.ElectronicResult, &d.Synced, &d.ReusedData, &d.CitizenStore, &d.VNeID, &d.Complaint); err != nil {
			return out, fmt.Errorf("worklist: %w", err)
		}
		out.Dossiers = append(out.Dossiers, d)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("worklist: %w", err)
	}
	rows.Close()
	cat, err := s.CatalogueFor(ctx, end.AddDate(0, 0, -1))
	if err != nil || cat == 0 {
		return out, err
	}
	prow, err := s.db.QueryContext(ctx, worklistProceduresSQL, cat, unit.Kind, unit.Code)
	if err != nil {
		return out, fmt.Errorf("worklist: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var e CatalogueEntry
		var ann, eff, pub, from, to *time.Time
		if err := prow.Scan(&e.Line, &e.Code, &e.NameVI, &e.Level, &e.UnitCode, &e.MaxProcessing, &e.MaxUnit, &e.Online,
			&e.FullOnlineEligible, &e.PaperResult, &e.Fee, &e.PaymentIntegrated, &ann, &eff, &pub, &e.ComponentsComplete, &from, &to); err != nil {
			return out, fmt.Errorf("worklist: %w", err)
		}
		for _, x := range []struct {
			src *time.Time
			dst *time.Time
		}{{ann, &e.AnnouncedOn}, {eff, &e.EffectiveOn}, {pub, &e.PublishedOn}, {from, &e.ValidFrom}, {to, &e.ValidTo}} {
			if x.src != nil {
				*x.dst = *x.src
			}
		}
		out.Procedures = append(out.Procedures, e)
	}
	return out, prow.Err()
}
