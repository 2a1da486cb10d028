package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

func runRankings(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("rankings", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	ind := fs.String("indicator", "", "indicator code (see egovkpi serve: /api/v1/indicators)")
	period := fs.String("period", "", "month, quarter, year, YTD or range (default: the latest month)")
	group := fs.String("group", "provinces", "provinces or ministries")
	bounds := fs.String("boundaries", "current", "current or historical")
	format := fs.String("format", "table", "table, json or csv")
	lang := fs.String("lang", "vi", "vi or en (unit names in the table)")
	defsFile := fs.String("indicators", "", "indicator definitions file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *ind == "" {
		return fmt.Errorf("--indicator is required")
	}
	g, err := data.ParseGroup(*group)
	if err != nil {
		return err
	}
	b, err := metrics.ParseBoundaries(*bounds)
	if err != nil {
		return err
	}
	if *format != "table" && *format != "json" && *format != "csv" {
		return fmt.Errorf("--format %q: use table, json or csv", *format)
	}
	store, eng, err := openEngine(ctx, *db, *defsFile)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	var p data.Period
	if *period == "" {
		m, err := eng.DefaultMonth(ctx, g)
		if err != nil {
			return err
		}
		p = data.MonthPeriod(m)
	} else if p, err = data.ParsePeriod(*period); err != nil {
		return err
	}
	r, err := eng.Rankings(ctx, metrics.RankingQuery{Indicator: *ind, Period: p, Group: g, Boundaries: b})
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		w := csv.NewWriter(stdout)
		// csv.Writer keeps its first error: Flush and Error below report it
		_ = w.Write([]string{"rank", "unit_code", "unit_name_vi", "unit_name_en", "value", "numerator", "denominator", "previous_rank", "rank_change", "target", "target_met"})
		for _, row := range r.Rows {
			_ = w.Write([]string{intp(row.Rank), row.UnitCode, row.UnitNameVI, row.UnitNameEN, floatp(row.Value, r.Def.Decimals()),
				int64p(row.Numerator), int64p(row.Denominator), intp(row.PreviousRank), intp(row.RankChange),
				floatp(row.Target, 2), boolp(row.TargetMet)})
		}
		w.Flush()
		return w.Error()
	}
	return printTable(stdout, r, *lang)
}

func printTable(w io.Writer, r *metrics.Ranking, lang string) error {
	dec := r.Def.Decimals()
	fmt.Fprintf(w, "%s — %s — %s (%s)\n", r.Def.Name(lang), r.Period, r.Group.Name(lang), r.Boundaries)
	head := []string{data.Pick(lang, "Hạng", "Rank"), "±", data.Pick(lang, "Đơn vị", "Unit"), data.Pick(lang, "Giá trị", "Value"), data.Pick(lang, "Tử số / mẫu số", "Numerator / denominator"), data.Pick(lang, "Mục tiêu", "Target")}
	rows := [][]string{head}
	for _, row := range r.Rows {
		v := "—"
		if row.Value != nil {
			v = data.FormatNumber(*row.Value, dec, lang)
		}
		nd := "—"
		if row.Numerator != nil {
			nd = data.FormatNumber(float64(*row.Numerator), 0, lang) + " / " + data.FormatNumber(float64(*row.Denominator), 0, lang)
		}
		ch := "–"
		if row.RankChange != nil && *row.RankChange > 0 {
			ch = "▲" + strconv.Itoa(*row.RankChange)
		} else if row.RankChange != nil && *row.RankChange < 0 {
			ch = "▼" + strconv.Itoa(-*row.RankChange)
		}
		tm := ""
		if row.TargetMet != nil {
			tm = "✘ " + data.Pick(lang, "Chưa đạt", "Not met")
			if *row.TargetMet {
				tm = "✔ " + data.Pick(lang, "Đạt", "Met")
			}
		}
		rank := intp(row.Rank)
		if rank == "" {
			rank = "—"
		}
		name := row.UnitNameVI
		if lang == "en" {
			name = row.UnitNameEN
		}
		rows = append(rows, []string{rank, ch, name, v, nd, tm})
	}
	width := make([]int, len(head))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], displayWidth(c))
		}
	}
	right := []bool{true, false, false, true, true, false}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-displayWidth(c))
			if right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			b.WriteString("  ")
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	if r.National.Value != nil {
		fmt.Fprintf(w, "%s: %s (%s / %s)\n", data.Pick(lang, "Cả nước", "National"), data.FormatNumber(*r.National.Value, dec, lang),
			data.FormatNumber(float64(r.National.Numerator), 0, lang), data.FormatNumber(float64(r.National.Denominator), 0, lang))
	}
	return nil
}

// displayWidth counts what a terminal shows: precomposed Vietnamese letters are one cell.
func displayWidth(s string) int { return utf8.RuneCountInString(norm.NFC.String(s)) }

func intp(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func int64p(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func floatp(p *float64, dec int) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', dec, 64)
}

func boolp(p *bool) string {
	if p == nil {
		return ""
	}
	return strconv.FormatBool(*p)
}
