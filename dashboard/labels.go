package dashboard

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// What a reader sees instead of the codes the data keeps: statuses, sources, audit
// actions and their details, measures, indicators and capabilities by their names, and
// report schedules in words (issue 18 #3). The codes stay in the data and the API.

// statusLabel names a submission's or a run's status.
func statusLabel(lang, status string) string {
	if _, ok := messages["status."+status]; ok {
		return T(lang, "status."+status)
	}
	return status
}

// sourceLabel names where a submission came from: the demo data, an upload through the
// page, the API, the command line, a dossier export or a scheduled source, with its file.
func sourceLabel(lang, source, file string) string {
	name, rest, _ := strings.Cut(source, ":")
	label := source
	if _, ok := messages["src."+name]; ok {
		label = T(lang, "src."+name)
		if rest != "" {
			label += " " + rest
		}
	}
	if file != "" {
		label += " · " + file
	}
	return label
}

// actorLabel names who did something: a person by their username, the demo data and
// the scheduled sources by what they are.
func actorLabel(lang, actor string) string {
	switch {
	case actor == "demo":
		return T(lang, "src.demo")
	case actor == "system":
		return T(lang, "actor.system")
	case strings.HasPrefix(actor, "source:"):
		return T(lang, "src.source") + " " + strings.TrimPrefix(actor, "source:")
	}
	return actor
}

// auditAction names an audit entry's action.
func auditAction(lang, action string) string {
	if _, ok := messages["act."+action]; ok {
		return T(lang, "act."+action)
	}
	return strings.ReplaceAll(action, "_", " ")
}

// codeName is the name of a measure, an indicator or a capability code, in lang; the
// code itself when it names none of them.
func codeName(defs *metrics.Defs, lang, code string) string {
	if i := data.MeasureIndex(code); i >= 0 {
		return pick(lang, data.Measures[i].LabelVI, data.Measures[i].LabelEN)
	}
	if defs != nil {
		if in, ok := defs.Indicator(code); ok {
			return in.Name(lang)
		}
		if c, ok := defs.Capability(code); ok {
			return pick(lang, c.NameVI, c.NameEN)
		}
	}
	return code
}

// auditDetail writes an audit entry's detail as a sentence a reader follows: the
// changes of a superseded report measure by measure, an upload's file and outcome, an
// import's year and size, never the JSON the log keeps.
func auditDetail(defs *metrics.Defs, lang string, e data.AuditEntry) string {
	d := e.Detail
	if len(d) == 0 {
		return ""
	}
	num := func(v any) string {
		switch x := v.(type) {
		case float64:
			dec := 0
			if x != float64(int64(x)) {
				dec = 2
			}
			return FormatNumber(x, dec, lang)
		case int:
			return FormatNumber(float64(x), 0, lang)
		case int64:
			return FormatNumber(float64(x), 0, lang)
		case nil:
			return "—"
		}
		return fmt.Sprint(v)
	}
	var parts []string
	add := func(key string, v any) {
		if v == nil {
			return
		}
		label := strings.ReplaceAll(key, "_", " ")
		if _, ok := messages["det."+key]; ok {
			label = T(lang, "det."+key)
		}
		parts = append(parts, label+": "+detailValue(defs, lang, key, v, num))
	}
	if ch, ok := d["changes"].(map[string]any); ok {
		codes := make([]string, 0, len(ch))
		for k := range ch {
			codes = append(codes, k)
		}
		sort.Slice(codes, func(i, j int) bool { return data.MeasureIndex(codes[i]) < data.MeasureIndex(codes[j]) })
		var cs []string
		for _, k := range codes {
			pair, _ := ch[k].([]any)
			if len(pair) == 2 {
				cs = append(cs, codeName(defs, lang, k)+" "+num(pair[0])+" → "+num(pair[1]))
			}
		}
		if len(cs) > 0 {
			parts = append(parts, T(lang, "det.changes")+": "+strings.Join(cs, "; "))
		}
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		if d["key"] == "sources" && (k == "old" || k == "new") {
			continue // whole TOML files: the sources page shows the one in force
		}
		if k != "changes" && k != "sha256" && k != "submission_id" {
			keys = append(keys, k)
		}
	}
	// what was done first, then with what, then the rest by name
	order := map[string]int{"key": 1, "old": 2, "new": 3, "export": 4, "file": 5, "kind": 6, "status": 7, "source": 8, "version": 9}
	sort.Slice(keys, func(i, j int) bool {
		oi, oj := order[keys[i]], order[keys[j]]
		if oi == 0 {
			oi = 99
		}
		if oj == 0 {
			oj = 99
		}
		return oi < oj || oi == oj && keys[i] < keys[j]
	})
	for _, k := range keys {
		add(k, d[k])
	}
	return strings.Join(parts, " · ")
}

// detailValue writes one value of an audit detail: statuses, sources, roles and
// settings by their names, numbers in the reader's format, lists and maps flattened.
func detailValue(defs *metrics.Defs, lang, key string, v any, num func(any) string) string {
	switch x := v.(type) {
	case string:
		switch key {
		case "status":
			return statusLabel(lang, x)
		case "source":
			return sourceLabel(lang, x, "")
		case "role":
			return T(lang, "role."+x)
		case "group", "boundaries":
			return T(lang, x)
		case "key":
			return T(lang, "set."+x)
		case "old", "new":
			if w, ok := cronWords(lang, x); ok {
				return w
			}
		case "measure", "indicator", "capability":
			return codeName(defs, lang, x)
		case "period", "month", "from", "to":
			if p, err := data.ParsePeriod(x); err == nil {
				return p.Label(lang)
			}
		}
		if x == "" {
			return "—"
		}
		return x
	case bool:
		if x {
			return T(lang, "maturity.yes")
		}
		return T(lang, "maturity.no")
	case float64, int, int64, nil:
		if key == "year" {
			return fmt.Sprint(v)
		}
		return num(v)
	case []any:
		var out []string
		for _, y := range x {
			out = append(out, detailValue(defs, lang, key, y, num))
		}
		return strings.Join(out, ", ")
	case map[string]any:
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		var out []string
		for _, k := range ks {
			out = append(out, codeName(defs, lang, k)+" "+detailValue(defs, lang, k, x[k], num))
		}
		return strings.Join(out, ", ")
	}
	return fmt.Sprint(v)
}

// cronWords writes a report schedule as people say it ("02:00 ngày 11 hằng tháng",
// "02:00 on the 11th of every month"), for the forms the product uses: every day, every
// week on one weekday, every month on one day, every year on one day. Any other form
// is not read (false): the caller shows it as it is.
func cronWords(lang, spec string) (string, bool) {
	f := strings.Fields(spec)
	if len(f) != 5 {
		return "", false
	}
	minute, err1 := strconv.Atoi(f[0])
	hour, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || minute < 0 || minute > 59 || hour < 0 || hour > 23 {
		return "", false
	}
	at := fmt.Sprintf("%02d:%02d", hour, minute)
	day, month, wday := f[2], f[3], f[4]
	num := func(s string, lo, hi int) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && n >= lo && n <= hi
	}
	switch {
	case day == "*" && month == "*" && wday == "*":
		return pick(lang, at+" hằng ngày", at+" every day"), true
	case day == "*" && month == "*":
		w, ok := num(wday, 0, 7)
		if !ok {
			return "", false
		}
		vi := []string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"}
		en := []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
		return pick(lang, at+" "+vi[w]+" hằng tuần", at+" every "+en[w]), true
	case month == "*" && wday == "*":
		d, ok := num(day, 1, 31)
		if !ok {
			return "", false
		}
		return pick(lang, fmt.Sprintf("%s ngày %d hằng tháng", at, d), fmt.Sprintf("%s on day %d of every month", at, d)), true
	case wday == "*":
		d, ok1 := num(day, 1, 31)
		m, ok2 := num(month, 1, 12)
		if !ok1 || !ok2 {
			return "", false
		}
		return pick(lang, fmt.Sprintf("%s ngày %d/%d hằng năm", at, d, m), fmt.Sprintf("%s on %d %s every year", at, d, data.NewMonth(2000, m).Time().Format("January"))), true
	}
	return "", false
}

// The template functions of these labels; registered here, beside them, so that the
// pages' shared function table (pages.go) needs no edit for each.
func init() {
	funcs["status"] = statusLabel
	funcs["source"] = sourceLabel
	funcs["actor"] = actorLabel
	funcs["cron"] = func(lang, spec string) string {
		if w, ok := cronWords(lang, spec); ok {
			return w
		}
		return spec
	}
}

// httpText is what echo's own errors say (an unknown page, a method not allowed, a body
// that did not bind), in the reader's language.
func httpText(lang string, status int) string {
	key := "http." + strconv.Itoa(status)
	if _, ok := messages[key]; ok {
		return T(lang, key)
	}
	if status >= 500 {
		return T(lang, "err.internal")
	}
	return T(lang, "http.400")
}

// axisMonth writes a month of a chart's axis as a reader writes it: 10/2026, Oct 2026
// (the data keeps 2026-10).
func axisMonth(lang, month string) string {
	m, err := data.ParseMonth(month)
	if err != nil {
		return month
	}
	if lang == "en" {
		return m.Time().Format("Jan 2006")
	}
	return fmt.Sprintf("%d/%d", m.Num(), m.Year())
}
