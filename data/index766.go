package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The index of Decision 766 (issue 17) in SQL over DuckDB: for one period and a list of
// units, what each indicator's rule counts, from the kept dossiers, the catalogue version
// in force and the feedback. The scoring (points from counts) is metrics' own; metrics'
// record-level reference computes the same counts in Go, and a test holds the two equal.

// Index766Counts are what the rules of the 766 index count for one unit and period: every
// indicator's numerator and denominator, and what decides "no data" and the notes. The
// populations are issue 17's: "received" in the period, "handled" (ended in it or open at
// its end), "ended" (resolved in it); procedures "in force" on the period's last day and
// "announced" in it, one entry per code (the unit's own before a level-wide one).
type Index766Counts struct {
	UnitCode string
	Kind     string // ministry | province

	ProcsInForce       int // 1.3 and 3.1's denominator
	ProcsAnnounced     int // 1.1 and 1.2's denominator
	AnnouncedOnTime    int // 1.1
	PublishedOnTime    int // 1.2
	ComponentsKnown    int // procedures in force with components_complete filled in
	ComponentsComplete int // 1.3
	OfferedOnline      int // 3.1; 3.2's denominator
	OnlineUsed         int // 3.2
	FeeProcs           int // 3.5's denominator
	FeeIntegrated      int // 3.5

	Received        int // dossiers received in the period
	SyncedKnown     int // … with synced filled in
	Synced          int // 1.4
	OnlineCounting  int // 3.3: online, and with an electronic result when the procedure has a paper result
	OnlinePaper     int // online ones of paper_result procedures
	ElectronicKnown int // … with electronic_result filled in
	PaperReceived   int // … of paper_result procedures
	FeeDossiers     int // 3.6's denominator
	PaidOnline      int // 3.6
	DigitizedOK     int // 4.2
	ReusedKnown     int
	Reused          int // 4.3
	StoreKnown      int
	Store           int // 4.4
	VNeIDKnown      int
	VNeID           int // 4.5

	Handled           int // dossiers handled in the period (2.1, 5.4)
	HandledOnTime     int // 2.1
	HandledComplained int // with complaint or rating dissatisfied (5.4)
	SupplementUndated int // one supplement request without its date: nothing taken off
	MissingProcedures int // distinct procedure codes of handled dossiers not in the catalogue

	Ended                int     // dossiers resolved in the period (2.2, 4.1)
	EndedDays            float64 // Σ (end′ − received_at) in days of 24 h (2.2)
	EndedPaper           int     // … of paper_result procedures (4.1's denominator)
	EndedPaperKnown      int     // … with electronic_result filled in
	EndedPaperElectronic int     // 4.1

	FeedbackReceived      int // in the period (5.1, 5.3)
	FeedbackClassified    int // 5.1
	FeedbackDisliked      int // received and disliked (5.3)
	FeedbackLateReceived  int // received and late at the period's end (5.3)
	FeedbackHandled       int // closed in the period or open at its end (5.2)
	FeedbackHandledOnTime int // 5.2

	// Averages are 2.2 by procedure code, in code order.
	Averages []ProcedureDays
}

// ProcedureDays is the time the dossiers of one procedure ended in the period took.
type ProcedureDays struct {
	Code     string
	NameVI   string // empty when the procedure is not in the catalogue
	Dossiers int
	Days     float64 // the sum, in days of 24 h
}

// Index766Rules are the rules' windows in working days (metrics' index766.toml).
type Index766Rules struct {
	AnnounceLead  map[string]int // by unit kind (1.1)
	PublishWithin map[string]int // by unit kind (1.2)
	FeedbackDays  map[string]int // by outcome (5.2): handled, refused, supplement_requested
}

// Index766Unit is a unit to count: its code and kind (ministry or province).
type Index766Unit struct {
	Code string
	Kind string
}

// sqlLists lists the calendar's entries as two parallel lists (dates, and whether each
// is a working day) for the query's calendar table.
func (c *Calendar) sqlLists() (dates []string, working []bool) {
	ns := make([]int, 0, len(c.days))
	for n := range c.days {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	for _, n := range ns {
		dates = append(dates, dayStart(n).Format("2006-01-02"))
		working = append(working, c.days[n].Kind == MakeUpDay)
	}
	return dates, working
}

// fUS is the SQL of F(t) in microseconds, the working time from the calendar's start to
// t, where k is the calendar row of t's date: 24 h for every working day before t's date,
// plus t's time of day if its date is a working day. The working time from a to b
// (Calendar.WorkingTime) is F(b) − F(a).
func fUS(t, k string) string {
	return fmt.Sprintf("((%[2]s.c - %[2]s.w) * 86400000000 + %[2]s.w * (epoch_us(%[1]s) - epoch_us(date_trunc('day', %[1]s))))", t, k)
}

// daysOf is the SQL of a duration given in microseconds as Go's Duration.Hours() / 24
// computes it (whole hours, then the rest as a fraction), so that comparisons with a
// maximum fall on the same side as the reference's.
func daysOf(us string) string {
	return fmt.Sprintf("(((%[1]s) * 1000 // 3600000000000) + ((%[1]s) * 1000 %% 3600000000000) / 3600000000000.0) / 24", us)
}

// A dossier's yes/no facts the index's counts read, by the name the counts give them and
// their SQL; NULL counts as no. rowFacts are the dossier's own, packed as its row is read
// so that the joins carry one integer instead of a dozen columns; periodFacts need the
// period or the catalogue and are added over the rows of t. Bit i of the packed integer
// is the i-th fact of rowFacts followed by periodFacts.
type fact struct{ name, expr string }

var rowFacts = []fact{
	{"online", "channel = 'online'"}, {"synced", "synced"}, {"synced_known", "synced IS NOT NULL"},
	{"electronic", "electronic_result"}, {"electronic_known", "electronic_result IS NOT NULL"},
	{"fee_required", "fee_required"}, {"paid_online", "paid_online"}, {"digitized", "digitized"},
	{"reused", "reused_data"}, {"reused_known", "reused_data IS NOT NULL"},
	{"store", "citizen_store"}, {"store_known", "citizen_store IS NOT NULL"},
	{"vneid", "vneid"}, {"vneid_known", "vneid IS NOT NULL"}, {"complained", "complaint OR rating = 'dissatisfied'"},
}

var periodFacts = []fact{
	{"rec", "rec"}, {"handled", "handled"}, {"ended", "ended"}, {"paper", "paper"}, {"on_time", "on_time"}, {"undated", "undated"},
}

// packFacts is the SQL of facts packed into one integer, the first at bit from.
func packFacts(facts []fact, from int) string {
	pack := make([]string, len(facts))
	for i, f := range facts {
		pack[i] = fmt.Sprintf("(coalesce(%s, false)::INTEGER << %d)", f.expr, from+i)
	}
	return "(" + strings.Join(pack, " | ") + ")"
}

// unpackFacts names each fact again from the packed integer fl.
func unpackFacts() string {
	all := slices.Concat(rowFacts, periodFacts)
	unpack := make([]string, len(all))
	for i, f := range all {
		unpack[i] = fmt.Sprintf("fl & %d <> 0 AS %s", 1<<i, f.name)
	}
	return strings.Join(unpack, ", ")
}

// index766SQL counts, for every unit of the units table and the period of the p table,
// what the rules of the 766 index count. It reads the kept dossiers once (those the
// period can reach), the catalogue version in force and the feedback; working days come
// from the calendar table built from data.Calendar.
var index766SQL = `
WITH p AS (SELECT ?::TIMESTAMP AS ps, ?::TIMESTAMP AS pe, ?::DATE AS last_day, ?::BIGINT AS cat,
  ?::INT AS lead_m, ?::INT AS lead_p, ?::INT AS within_m, ?::INT AS within_p,
  ?::INT AS fb_handled, ?::INT AS fb_refused, ?::INT AS fb_supplement),
units AS (SELECT unnest(?::VARCHAR[]) AS unit_code, unnest(?::VARCHAR[]) AS kind),
-- whose records count for each unit: its own, and a province's communes' and agencies'
-- (records are kept at the level they happen; the province's index counts them all)
members AS (SELECT unnest(?::VARCHAR[]) AS member, unnest(?::VARCHAR[]) AS unit_code
  UNION SELECT a.code, a.province_code FROM agencies a SEMI JOIN units u ON u.unit_code = a.province_code AND u.kind = 'province'),
listed AS (SELECT unnest(?::VARCHAR[])::DATE AS d, unnest(?::BOOLEAN[]) AS working),
-- the catalogue entries that apply to each unit: its level (a province also its communes'),
-- level-wide or its own; one per code, its own entry first, then the file's order: the
-- least pick (a line is one entry of the version). The least by a GROUP BY, not a window
-- partitioned by unit and code: tens of thousands of partitions of one or two rows each
-- cost the window more than all the dossiers of a month.
pu AS MATERIALIZED (SELECT u.unit_code AS unit, u.kind, pr.*,
  CASE WHEN coalesce(pr.unit_code, '') <> '' THEN 0 ELSE 10000000000 END + pr.line AS pick
  FROM units u JOIN procedures pr ON (pr.level = u.kind OR (u.kind = 'province' AND pr.level = 'commune'))
  AND (coalesce(pr.unit_code, '') = '' OR pr.unit_code = u.unit_code) WHERE pr.catalogue_id = {cat}),
inforce AS (SELECT pu.* FROM pu SEMI JOIN (SELECT unit, procedure_code, min(pick) AS pick FROM pu
  WHERE (valid_from IS NULL OR valid_from <= {last}) AND (valid_to IS NULL OR valid_to >= {last}) GROUP BY ALL) m
  ON m.unit = pu.unit AND m.procedure_code = pu.procedure_code AND m.pick = pu.pick),
announced AS (SELECT pu.*, CASE kind WHEN 'ministry' THEN p.lead_m ELSE p.lead_p END AS lead,
  CASE kind WHEN 'ministry' THEN p.within_m ELSE p.within_p END AS within
  FROM pu SEMI JOIN (SELECT unit, procedure_code, min(pick) AS pick FROM pu
  WHERE announced_on >= {ps}::DATE AND announced_on < {pe}::DATE GROUP BY ALL) m
  ON m.unit = pu.unit AND m.procedure_code = pu.procedure_code AND m.pick = pu.pick CROSS JOIN p),
-- the dossiers the period reaches, with their procedure in force
d AS (SELECT x.*, ip.procedure_code IS NOT NULL AS in_cat, coalesce(ip.paper_result, false) AS paper, ip.max_processing AS p_max,
  ip.max_unit AS p_unit,
  x.received_at >= p.ps AND x.received_at < p.pe AS rec,
  x.received_at < p.pe AND (x.resolved_at IS NULL OR x.resolved_at >= p.ps) AS handled,
  coalesce(x.resolved_at >= p.ps AND x.resolved_at < p.pe, false) AS ended,
  epoch_us(CASE WHEN x.resolved_at >= p.ps AND x.resolved_at < p.pe THEN x.resolved_at ELSE p.pe END) AS e0
  FROM (SELECT x0.* REPLACE (mb.unit_code AS unit_code) FROM (
    -- the rows the period reaches, as disjoint conjunctions rather than one OR, so that
    -- DuckDB filters the scan on received_at and resolved_at before it reads the other
    -- columns (an OR was filtered after reading them all): those received in it, those
    -- received in the 31 days before it and still open at its start, the long ones
    -- received earlier (their copy in dossiers_long, facts packed, migrations 022 and 024: the dossiers table's
    -- older rows are not read at all), and those received after it but resolved in it;
    -- none of an export still pending ({kept}: dossierView)
    SELECT {cols}, {rowflags} AS rf FROM dossiers WHERE received_at >= {ps} AND received_at < {pe} AND {kept}
    UNION ALL SELECT {cols}, {rowflags} AS rf FROM dossiers WHERE received_at >= {lo} AND received_at < {ps} AND resolved_at IS NULL AND {kept}
    UNION ALL SELECT {cols}, {rowflags} AS rf FROM dossiers WHERE received_at >= {lo} AND received_at < {ps} AND resolved_at >= {ps} AND {kept}
    UNION ALL SELECT {cols}, rf FROM {long} WHERE received_at < {lo} AND resolved_at IS NULL
    UNION ALL SELECT {cols}, rf FROM {long} WHERE received_at < {lo} AND resolved_at >= {ps}
    UNION ALL SELECT {cols}, {rowflags} AS rf FROM dossiers WHERE received_at >= {pe} AND resolved_at >= {ps} AND resolved_at < {pe} AND {kept}
  ) x0 JOIN members mb ON mb.member = x0.unit_code) x CROSS JOIN p
  LEFT JOIN inforce ip ON ip.unit = x.unit_code AND ip.procedure_code = x.procedure_code),
-- feedback: closed before the period's end (an outcome other than open, handled before
-- it); late by 5.2's windows, or, open at the end, past the handled window. Those closed
-- before the period that it did not receive count nowhere: left out as they are read.
f AS (SELECT x.*, x.received_at >= p.ps AS rec,
  coalesce(x.outcome, '') <> 'open' AND x.handled_at IS NOT NULL AND x.handled_at < p.pe AS closed, p.pe,
  p.ps, p.fb_handled, p.fb_refused, p.fb_supplement
  FROM (SELECT f0.* REPLACE (mb.unit_code AS unit_code) FROM feedback f0 JOIN members mb ON mb.member = f0.unit_code
    WHERE f0.received_at < {pe} AND (f0.received_at >= {ps} OR f0.outcome = 'open' OR f0.handled_at IS NULL OR f0.handled_at >= {ps})) x CROSS JOIN p),
-- the working-day calendar over the dates the rules read, with 400 days to spare for the
-- windows of 1.1 and 1.2: w says whether a day is a working day, c counts the working
-- days up to it (its rank when it is one)
bounds AS (SELECT least(p.ps::DATE, (SELECT min(received_at)::DATE FROM dossiers WHERE {kept}), (SELECT min(received_at)::DATE FROM feedback),
    (SELECT min(least(announced_on, effective_on)) FROM announced)) - 400 AS lo,
  greatest(p.pe::DATE, (SELECT max(greatest(announced_on, effective_on)) FROM announced)) + 400 AS hi FROM p),
cal AS MATERIALIZED (SELECT d, w, (sum(w) OVER (ORDER BY d ROWS UNBOUNDED PRECEDING))::BIGINT AS c FROM (
  SELECT g.d, CASE WHEN l.working IS NOT NULL THEN l.working::INT WHEN isodow(g.d) <= 5 THEN 1 ELSE 0 END AS w
  FROM (SELECT unnest(generate_series(lo, hi, INTERVAL 1 DAY))::DATE AS d FROM bounds) g LEFT JOIN listed l ON l.d = g.d)),
wd AS (SELECT c AS r, d FROM cal WHERE w = 1),
-- 1.1: announced_on ≤ the lead-th working day before effective_on; 1.2: published_on ≤ the
-- within-th working day after announced_on (ranks of working days: c counts them up to a date)
ann AS (SELECT a.unit, count(*) AS n,
  count(*) FILTER (WHERE a.effective_on IS NOT NULL AND a.announced_on <= CASE WHEN a.lead = 0 THEN a.effective_on ELSE we.d END) AS on_time,
  count(*) FILTER (WHERE a.published_on IS NOT NULL AND a.published_on <= CASE WHEN a.within = 0 THEN a.announced_on ELSE wp.d END) AS published
  FROM announced a LEFT JOIN cal ce ON ce.d = a.effective_on LEFT JOIN wd we ON we.r = ce.c - ce.w - a.lead + 1
  LEFT JOIN cal ca ON ca.d = a.announced_on LEFT JOIN wd wp ON wp.r = ca.c + a.within GROUP BY a.unit),
-- end′: with one dated supplement request, the wait (cut at end) taken off
e AS (SELECT *, coalesce(supplement_requests, 0) > 1 AS many,
  coalesce(supplement_requests = 1 AND supplement_requested_at IS NULL, false) AS undated,
  CASE WHEN coalesce(supplement_requests, 0) = 1 AND supplement_requested_at IS NOT NULL
    AND epoch_us(supplement_requested_at) < least(coalesce(epoch_us(supplement_completed_at), e0), e0)
    THEN e0 - (least(coalesce(epoch_us(supplement_completed_at), e0), e0) - epoch_us(supplement_requested_at)) ELSE e0 END AS e1
  FROM d),
t AS (SELECT e.*, CASE WHEN many THEN false
    WHEN due_at IS NOT NULL THEN e1 <= epoch_us(due_at)
    WHEN NOT in_cat OR coalesce(p_max, 0) <= 0 THEN true
    WHEN p_unit = 'working_days' THEN ` + daysOf(fUS("make_timestamp(e.e1)", "c1")+" - "+fUS("e.received_at", "c0")) + ` <= p_max
    WHEN p_unit = 'days' THEN (e1 - epoch_us(received_at)) * 1000 <= trunc(p_max * 24 * 3600000000000.0)
    ELSE (e1 - epoch_us(received_at)) * 1000 <= trunc(p_max * 3600000000000.0) END AS on_time,
  -- 2.2's durations are summed in whole microseconds and divided once at the end: a sum of
  -- floating-point days depends on the order DuckDB's threads add in, and varied in its last digits
  e1 - epoch_us(received_at) AS dur_us
  -- the calendar only where the rule reads working days
  FROM e LEFT JOIN cal c0 ON c0.d = CASE WHEN e.due_at IS NULL AND e.p_unit = 'working_days' THEN e.received_at::DATE END
  LEFT JOIN cal c1 ON c1.d = CASE WHEN e.due_at IS NULL AND e.p_unit = 'working_days' THEN make_timestamp(e.e1)::DATE END),
-- The dossiers' counts. A dossier's part in them is a handful of yes/no facts (flags,
-- packed into one integer: rowFacts, periodFacts); the rows are first counted by unit,
-- procedure and those facts (sc: a few rows per procedure, however many dossiers), and
-- every count is a sum over that: the unit's (ds), and by procedure what 2.2's averages,
-- 3.2's procedures used and the procedures missing from the catalogue need (g). Thirty
-- sum(cond::INT) by unit and procedure (DuckDB sums integers in 128 bits) over rows
-- carrying every column took 1.2 s of 1.5 over a month of 2M kept rows; this way the
-- month of 10M kept rows takes 1.0 s (BenchmarkIndex766Counts).
sc AS MATERIALIZED (SELECT unit_code, procedure_code, in_cat, rf | {flags} AS fl, count(*) AS n, sum(dur_us) AS dur_us
  FROM t GROUP BY ALL),
sf AS (SELECT unit_code, procedure_code, in_cat, n, dur_us, {unflags} FROM sc),
ds AS (SELECT unit_code AS unit,
  coalesce(sum(n) FILTER (WHERE rec), 0)::BIGINT AS received,
  coalesce(sum(n) FILTER (WHERE rec AND synced_known), 0)::BIGINT AS synced_known, coalesce(sum(n) FILTER (WHERE rec AND synced), 0)::BIGINT AS synced,
  coalesce(sum(n) FILTER (WHERE rec AND online AND (NOT paper OR electronic)), 0)::BIGINT AS online_counting,
  coalesce(sum(n) FILTER (WHERE rec AND online AND paper), 0)::BIGINT AS online_paper,
  coalesce(sum(n) FILTER (WHERE rec AND electronic_known), 0)::BIGINT AS electronic_known,
  coalesce(sum(n) FILTER (WHERE rec AND paper), 0)::BIGINT AS paper_received,
  coalesce(sum(n) FILTER (WHERE rec AND fee_required), 0)::BIGINT AS fee_dossiers, coalesce(sum(n) FILTER (WHERE rec AND fee_required AND paid_online), 0)::BIGINT AS paid_online,
  coalesce(sum(n) FILTER (WHERE rec AND digitized AND (NOT paper OR electronic)), 0)::BIGINT AS digitized_ok,
  coalesce(sum(n) FILTER (WHERE rec AND reused_known), 0)::BIGINT AS reused_known, coalesce(sum(n) FILTER (WHERE rec AND reused), 0)::BIGINT AS reused,
  coalesce(sum(n) FILTER (WHERE rec AND store_known), 0)::BIGINT AS store_known, coalesce(sum(n) FILTER (WHERE rec AND store), 0)::BIGINT AS store,
  coalesce(sum(n) FILTER (WHERE rec AND vneid_known), 0)::BIGINT AS vneid_known, coalesce(sum(n) FILTER (WHERE rec AND vneid), 0)::BIGINT AS vneid,
  coalesce(sum(n) FILTER (WHERE handled), 0)::BIGINT AS handled, coalesce(sum(n) FILTER (WHERE handled AND on_time), 0)::BIGINT AS handled_on_time,
  coalesce(sum(n) FILTER (WHERE handled AND complained), 0)::BIGINT AS complained,
  coalesce(sum(n) FILTER (WHERE handled AND undated), 0)::BIGINT AS undated,
  coalesce(sum(n) FILTER (WHERE ended), 0)::BIGINT AS ended, coalesce(sum(dur_us) FILTER (WHERE ended), 0) AS ended_us,
  coalesce(sum(n) FILTER (WHERE ended AND paper), 0)::BIGINT AS ended_paper, coalesce(sum(n) FILTER (WHERE ended AND paper AND electronic_known), 0)::BIGINT AS ended_paper_known,
  coalesce(sum(n) FILTER (WHERE ended AND paper AND electronic), 0)::BIGINT AS ended_paper_electronic
  FROM sf GROUP BY unit_code),
g AS MATERIALIZED (SELECT unit_code AS unit, procedure_code, in_cat, coalesce(sum(n) FILTER (WHERE rec AND online), 0)::BIGINT AS rec_online,
  coalesce(sum(n) FILTER (WHERE handled), 0)::BIGINT AS handled, coalesce(sum(n) FILTER (WHERE ended), 0)::BIGINT AS ended,
  sum(dur_us) FILTER (WHERE ended) AS ended_us
  FROM sf GROUP BY unit_code, procedure_code, in_cat),
used AS (SELECT DISTINCT unit, procedure_code FROM g WHERE rec_online > 0),
procs AS (SELECT i.unit, count(*) AS n, count(components_complete) AS comp_known, count(*) FILTER (WHERE components_complete) AS comp,
  count(*) FILTER (WHERE online IN ('partial', 'full')) AS online,
  count(*) FILTER (WHERE online IN ('partial', 'full') AND u.unit IS NOT NULL) AS used,
  count(*) FILTER (WHERE fee) AS fee, count(*) FILTER (WHERE fee AND payment_integrated) AS fee_int
  FROM inforce i LEFT JOIN used u ON u.unit = i.unit AND u.procedure_code = i.procedure_code GROUP BY i.unit),
missing AS (SELECT unit, count(DISTINCT coalesce(procedure_code, '')) AS missing FROM g WHERE handled > 0 AND NOT in_cat GROUP BY unit),
-- 2.2's averages, each procedure by its name in the catalogue version in force
avgs AS (SELECT unit, list({'code': code, 'name': name, 'n': n, 'days': days} ORDER BY code) AS averages FROM (
  SELECT g.unit, coalesce(g.procedure_code, '') AS code, coalesce(any_value(ip.name_vi), '') AS name,
    sum(g.ended)::BIGINT AS n, (sum(g.ended_us) / 86400000000.0)::DOUBLE AS days
  FROM g LEFT JOIN inforce ip ON ip.unit = g.unit AND ip.procedure_code = g.procedure_code WHERE g.ended > 0 GROUP BY ALL) GROUP BY unit),
fl AS (SELECT f.*, ` + daysOf(fUS("CASE WHEN f.closed THEN f.handled_at ELSE f.pe END", "ch")+" - "+fUS("f.received_at", "cr")) + ` >
  CASE WHEN NOT f.closed THEN f.fb_handled WHEN f.outcome = 'refused' THEN f.fb_refused
    WHEN f.outcome = 'supplement_requested' THEN f.fb_supplement ELSE f.fb_handled END AS late
  FROM f LEFT JOIN cal cr ON cr.d = f.received_at::DATE LEFT JOIN cal ch ON ch.d = (CASE WHEN f.closed THEN f.handled_at ELSE f.pe END)::DATE),
fs AS (SELECT unit_code AS unit, count(*) FILTER (WHERE rec) AS received, count(*) FILTER (WHERE rec AND classified) AS classified,
  count(*) FILTER (WHERE rec AND disliked) AS disliked, count(*) FILTER (WHERE rec AND late) AS late_received,
  count(*) FILTER (WHERE NOT closed OR handled_at >= ps) AS handled, count(*) FILTER (WHERE (NOT closed OR handled_at >= ps) AND NOT late) AS handled_on_time
  FROM fl GROUP BY unit_code)
SELECT u.unit_code, u.kind,
  coalesce(procs.n, 0), coalesce(ann.n, 0), coalesce(ann.on_time, 0), coalesce(ann.published, 0), coalesce(procs.comp_known, 0), coalesce(procs.comp, 0),
  coalesce(procs.online, 0), coalesce(procs.used, 0), coalesce(procs.fee, 0), coalesce(procs.fee_int, 0),
  coalesce(ds.received, 0), coalesce(ds.synced_known, 0), coalesce(ds.synced, 0), coalesce(ds.online_counting, 0), coalesce(ds.online_paper, 0),
  coalesce(ds.electronic_known, 0), coalesce(ds.paper_received, 0), coalesce(ds.fee_dossiers, 0), coalesce(ds.paid_online, 0),
  coalesce(ds.digitized_ok, 0), coalesce(ds.reused_known, 0), coalesce(ds.reused, 0), coalesce(ds.store_known, 0), coalesce(ds.store, 0),
  coalesce(ds.vneid_known, 0), coalesce(ds.vneid, 0),
  coalesce(ds.handled, 0), coalesce(ds.handled_on_time, 0), coalesce(ds.complained, 0), coalesce(ds.undated, 0), coalesce(missing.missing, 0),
  coalesce(ds.ended, 0), (coalesce(ds.ended_us, 0) / 86400000000.0)::DOUBLE, coalesce(ds.ended_paper, 0), coalesce(ds.ended_paper_known, 0),
  coalesce(ds.ended_paper_electronic, 0),
  coalesce(fs.received, 0), coalesce(fs.classified, 0), coalesce(fs.disliked, 0), coalesce(fs.late_received, 0), coalesce(fs.handled, 0),
  coalesce(fs.handled_on_time, 0), coalesce(avgs.averages, [])
FROM units u LEFT JOIN procs ON procs.unit = u.unit_code LEFT JOIN ann ON ann.unit = u.unit_code LEFT JOIN ds ON ds.unit = u.unit_code
  LEFT JOIN missing ON missing.unit = u.unit_code LEFT JOIN fs ON fs.unit = u.unit_code LEFT JOIN avgs ON avgs.unit = u.unit_code
ORDER BY u.unit_code`

// Index766Counts counts, in one query, what the rules of the 766 index count for each of
// the units over the period, with the catalogue version in force on the period's last
// day. Every unit asked for is in the answer, with zero counts when it has no records.
func (s *Store) Index766Counts(ctx context.Context, cal *Calendar, rules Index766Rules, p Period, units []Index766Unit) (map[string]*Index766Counts, error) {
	kept, done := s.dossierView()
	defer done()
	q, args, err := s.index766Query(ctx, cal, rules, p, units, kept)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("index766: %w", err)
	}
	defer rows.Close()
	return scanIndex766(rows)
}

// index766Query is Index766Counts' query and its arguments.
func (s *Store) index766Query(ctx context.Context, cal *Calendar, rules Index766Rules, p Period, units []Index766Unit, kept string) (string, []any, error) {
	start, end := p.From.Time(), p.To.Add(1).Time()
	cat, err := s.CatalogueFor(ctx, end.AddDate(0, 0, -1))
	if err != nil {
		return "", nil, fmt.Errorf("index766: %w", err)
	}
	codes, kinds := make([]string, len(units)), make([]string, len(units))
	var members, of []string // whose records count for whom: each unit's own, a province's communes' too
	for i, u := range units {
		if u.Kind != "ministry" && u.Kind != "province" {
			return "", nil, fmt.Errorf("%w: unit %s: kind %q (ministry or province)", ErrInvalid, u.Code, u.Kind)
		}
		codes[i], kinds[i] = u.Code, u.Kind
		members, of = append(members, u.Code), append(of, u.Code)
		if u.Kind == "province" {
			seen := map[string]bool{}
			for _, j := range s.ref.byParent[u.Code] {
				if c := s.ref.all[j].Code; !seen[c] {
					seen[c] = true
					members, of = append(members, c), append(of, u.Code)
				}
			}
		}
	}
	dates, working := cal.sqlLists()
	fb := rules.FeedbackDays
	// The period's bounds and the catalogue version go in as literals where rows are read
	// (made here from a Period and an id, never from a request's text): as parameters, or
	// through the p row, DuckDB joined them to every row instead of filtering the scan.
	// the columns the rules read besides the packed facts
	cols := []string{"unit_code", "procedure_code", "received_at", "due_at", "resolved_at", "supplement_requests",
		"supplement_requested_at", "supplement_completed_at"}
	q := strings.NewReplacer("{ps}", start.Format("TIMESTAMP '2006-01-02 15:04:05'"), "{pe}", end.Format("TIMESTAMP '2006-01-02 15:04:05'"),
		"{lo}", start.Add(-longReach).Format("TIMESTAMP '2006-01-02 15:04:05'"), "{cols}", strings.Join(cols, ", "),
		"{last}", end.AddDate(0, 0, -1).Format("DATE '2006-01-02'"), "{cat}", strconv.FormatInt(cat, 10),
		"{rowflags}", packFacts(rowFacts, 0), "{flags}", packFacts(periodFacts, len(rowFacts)), "{unflags}", unpackFacts(), "{kept}", kept, "{long}", s.longSource(kept)).Replace(index766SQL)
	args := []any{start, end, end.AddDate(0, 0, -1), cat,
		rules.AnnounceLead["ministry"], rules.AnnounceLead["province"], rules.PublishWithin["ministry"], rules.PublishWithin["province"],
		fb["handled"], fb["refused"], fb["supplement_requested"], codes, kinds, members, of, dates, working}
	return q, args, nil
}

func scanIndex766(rows *sql.Rows) (map[string]*Index766Counts, error) {
	out := map[string]*Index766Counts{}
	for rows.Next() {
		var k Index766Counts
		var avgs []any
		if err := rows.Scan(&k.UnitCode, &k.Kind,
			&k.ProcsInForce, &k.ProcsAnnounced, &k.AnnouncedOnTime, &k.PublishedOnTime, &k.ComponentsKnown, &k.ComponentsComplete,
			&k.OfferedOnline, &k.OnlineUsed, &k.FeeProcs, &k.FeeIntegrated,
			&k.Received, &k.SyncedKnown, &k.Synced, &k.OnlineCounting, &k.OnlinePaper,
			&k.ElectronicKnown, &k.PaperReceived, &k.FeeDossiers, &k.PaidOnline,
			&k.DigitizedOK, &k.ReusedKnown, &k.Reused, &k.StoreKnown, &k.Store, &k.VNeIDKnown, &k.VNeID,
			&k.Handled, &k.HandledOnTime, &k.HandledComplained, &k.SupplementUndated, &k.MissingProcedures,
			&k.Ended, &k.EndedDays, &k.EndedPaper, &k.EndedPaperKnown, &k.EndedPaperElectronic,
			&k.FeedbackReceived, &k.FeedbackClassified, &k.FeedbackDisliked, &k.FeedbackLateReceived, &k.FeedbackHandled,
			&k.FeedbackHandledOnTime, &avgs); err != nil {
			return nil, fmt.Errorf("index766: %w", err)
		}
		for _, a := range avgs {
			m, _ := a.(map[string]any)
			pd := ProcedureDays{}
			pd.Code, _ = m["code"].(string)
			pd.NameVI, _ = m["name"].(string)
			n, _ := m["n"].(int64)
			pd.Dossiers = int(n)
			pd.Days, _ = m["days"].(float64)
			k.Averages = append(k.Averages, pd)
		}
		out[k.UnitCode] = &k
	}
	return out, rows.Err()
}
