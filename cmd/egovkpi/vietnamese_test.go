package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/egovkpi/egovkpi/dashboard"
	"github.com/egovkpi/egovkpi/data"
)

// Issue 18 #3: no English and no raw code on a Vietnamese page. Every page is read over
// real HTTP, on the demo database, as the committee, an admin and an officer; its visible
// text (and the titles, labels, placeholders and alternative texts a reader meets, the
// texts scripts show, the charts' names and labels) is checked against the English side
// of the message catalogue and the codes a reader should never see. The same walk in
// English checks, more lightly, that no Vietnamese-only text of the catalogue is left.

// vnPages are the pages walked: every page of dashboard/routes.go that answers HTML, with
// the error pages a reader can reach.
var vnPages = []string{
	"/", "/?group=ministries", "/?indicator=on_time_rate", "/trends", "/map", "/completeness", "/maturity", "/benchmark",
	"/units/01", "/units/BTC", "/units/00004", "/dossiers", "/upload", "/reports", "/runs", "/sources", "/audit", "/login",
	"/worklist", "/worklist?unit=01", "/reconcile",
	"/completeness?period=2019-01", "/dossiers?month=2019-01",
	// error pages: an unknown indicator, an unknown unit, an unknown page, a bad period
	"/?indicator=ontime_rate", "/units/99", "/no-such-page", "/trends?period=abc",
}

// visible is what a reader of page sees or hears: the text between tags (scripts, styles
// and the text areas a user edits left out), the values of title, aria-label,
// placeholder and alt, the data-t-* texts scripts show, and the strings of the charts'
// options (series names, category labels, titles), one piece per line.
func visible(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, m := range attrRe.FindAllStringSubmatch(page, -1) {
		v := html.UnescapeString(m[2])
		if m[1] == "data-option" {
			var o any
			if err := json.Unmarshal([]byte(v), &o); err != nil {
				t.Errorf("a chart's option is not JSON: %v", err)
				continue
			}
			out = append(out, chartStrings(o, "")...)
			continue
		}
		out = append(out, v)
	}
	body := dropRe.ReplaceAllString(page, "\n")
	for _, piece := range strings.Split(tagRe.ReplaceAllString(body, "\n"), "\n") {
		if s := strings.TrimSpace(html.UnescapeString(piece)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var (
	attrRe = regexp.MustCompile(`\s(title|aria-label|placeholder|alt|data-t-[a-z-]+|data-option)="([^"]*)"`)
	dropRe = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<textarea\b.*?</textarea>|<!--.*?-->`)
	tagRe  = regexp.MustCompile(`(?s)<[^>]*>`)
)

// chartStrings are the strings of a chart's option a reader sees: names, texts and
// category data (not types, colours or formatters).
func chartStrings(o any, key string) []string {
	var out []string
	switch v := o.(type) {
	case map[string]any:
		for k, x := range v {
			out = append(out, chartStrings(x, k)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, chartStrings(x, key)...)
		}
	case string:
		switch key {
		case "name", "text", "subtext", "data":
			out = append(out, v)
		}
	}
	return out
}

// englishOnly are the English sides of the catalogue a Vietnamese page must not show:
// the literal parts (around %d, %s) of every entry longer than a few letters whose
// Vietnamese side differs.
func catalogueSide(side int) []string {
	seen := map[string]bool{}
	for _, pair := range dashboard.Catalogue() {
		if pair[0] == pair[1] {
			continue
		}
		for _, part := range regexp.MustCompile(`%[a-z]`).Split(pair[side], -1) {
			part = strings.Trim(part, " :.,;()—·")
			if len([]rune(part)) >= 6 && strings.ContainsFunc(part, unicode.IsLetter) {
				seen[part] = true
			}
		}
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// containsPhrase finds phrase in s as whole words (not "Total" inside "Totals").
func containsPhrase(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		a, b := i+j, i+j+len(phrase)
		before, after := ' ', ' '
		if a > 0 {
			before = []rune(s[:a])[len([]rune(s[:a]))-1]
		}
		if b < len(s) {
			after = []rune(s[b:])[0]
		}
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		i = a + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// capabilityCodes are the maturity checklist's codes (metrics/indicators.toml): a reader
// sees their names.
var capabilityCodes = regexp.MustCompile(`\b(PORTAL|LGSP|NDXP|DOC_AXIS|ONE_STOP|SERVICE_CENTRE|PAYMENT|POPULATION_DB|DIGITAL_SIGNATURE|COMMUNE_NETWORK|OPEN_DATA|SECURITY_LEVELS|SOC)\b`)

// badNumber finds a number not written the Vietnamese way: thousands grouped by dots
// (7.304, not 7304 or 7,304) and decimals after a comma (97,36, not 97.36). Years
// (1990–2100) and codes with leading zeros (00091, 01) are not quantities.
func badNumber(s string) string {
	for _, loc := range numberRe.FindAllStringIndex(s, -1) {
		n := s[loc[0]:loc[1]]
		if loc[0] > 0 && strings.ContainsAny(s[loc[0]-1:loc[0]], ",.") {
			continue // the decimals of a number already read
		}
		switch {
		case vnNumber.MatchString(n):
		case len(n) > 1 && n[0] == '0' && !strings.ContainsAny(n, ",."):
		case len(n) == 4 && (strings.HasPrefix(n, "19") || strings.HasPrefix(n, "20") || n == "2100"):
		default:
			return n
		}
	}
	return ""
}

var (
	numberRe = regexp.MustCompile(`\d[\d.,]*\d|\d`)
	vnNumber = regexp.MustCompile(`^\d{1,3}(\.\d{3})*(,\d+)?$`)
	// section numbers of Decision 766 (1.1, 2.3) and a licence's version are not quantities
	notQuantities = regexp.MustCompile(`^\d\.\d+ · |ODbL\) 1\.0|\d+\.\d+\.\d+`)
)

// unitCodes are the official codes of the units (a commune's 10126 is a code, not a
// number to group by thousands).
var unitCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, u := range data.Reference().All() {
		m[u.Code] = true
	}
	return m
}()

// rawCodes are what a reader should never be shown, each with what it is.
var rawCodes = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a measure or indicator code", regexp.MustCompile(`\b[a-z][a-z0-9]*_[a-z0-9_]+\b`)},
	{"a capability code", regexp.MustCompile(`(^|[^\p{L}\d_])[A-Z]+_[A-Z_]+($|[^\p{L}\d_])`)},
	{"a status code", regexp.MustCompile(`\b(current|superseded|accepted|rejected|failed|waiting|dry_run|on_time|missing|pending)\b`)},
	{"a source's code", regexp.MustCompile(`(^|[^\w.-])demo($|[^\w.-])|\bupload ·|\bapi ·|\bsource ·`)},
	{"a cron string", regexp.MustCompile(`(^|\s)[\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+(\s|$)`)},
	{"the browser's file picker", regexp.MustCompile(`Choose Files?|No file chosen`)},
	{"a command", regexp.MustCompile(`egovkpi [a-z]+|--[a-z]+`)},
	// (not inside an identifier such as the dossier 01-2026-10-00091)
	{"an ISO period", regexp.MustCompile(`(^|[^\w-])(19|20)\d\d-(0[1-9]|1[0-2]|Q[1-4]|H[12])($|[^\w-])`)},
	{"raw JSON", regexp.MustCompile(`\{"|":\s*[\["{0-9]`)},
}

// Words of English that no Vietnamese sentence has: an English message the catalogue
// does not hold (a server error's words) still shows by them.
var englishWords = map[string]bool{"the": true, "of": true, "with": true, "is": true, "and": true, "cannot": true,
	"unknown": true, "use": true, "no": true, "not": true, "found": true, "must": true, "this": true, "from": true, "for": true}

// vietnameseProblems lists what in the pieces of text is English or a raw code; allow
// are substrings the reader typed (an unknown code echoed back in quotes).
func vietnameseProblems(pieces []string, english []string, allow ...string) []string {
	var bad []string
	for _, p := range pieces {
		q := notQuantities.ReplaceAllString(p, "")
		for _, a := range allow {
			q = strings.ReplaceAll(q, a, "")
		}
		for _, e := range english {
			if containsPhrase(q, e) {
				bad = append(bad, fmt.Sprintf("English %q in %q", e, p))
			}
		}
		for _, c := range rawCodes {
			if m := c.re.FindString(q); m != "" {
				bad = append(bad, fmt.Sprintf("%s %q in %q", c.what, m, p))
			}
		}
		if n := badNumber(q); n != "" && !unitCodes[strings.TrimSpace(q)] {
			bad = append(bad, fmt.Sprintf("a number not in Vietnamese format %q in %q", n, p))
		}
		if m := capabilityCodes.FindString(q); m != "" && strings.TrimSpace(q) == m {
			bad = append(bad, fmt.Sprintf("a capability code %q in %q", m, p))
		}
		for _, w := range strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if englishWords[strings.ToLower(w)] {
				bad = append(bad, fmt.Sprintf("the English word %q in %q", w, p))
				break
			}
		}
	}
	return bad
}

func TestNoEnglishOnVietnamesePages(t *testing.T) {
	s := startServer(t, true)
	english := catalogueSide(1)
	if len(english) < 100 {
		t.Fatalf("the catalogue's English side has %d entries: the check would check nothing", len(english))
	}
	// the UN's countries and regions, where Vietnamese readers have a name of their own
	for _, c := range data.UNCountries().All() {
		if c.NameVI != c.Name && len(c.Name) >= 5 {
			english = append(english, c.Name)
		}
		for _, r := range []string{c.Region, c.Subregion} {
			if data.RegionName("vi", r) != r && !slices.Contains(english, r) {
				english = append(english, r)
			}
		}
	}
	seenCodes := map[string]bool{}
	for _, user := range []string{"committee1", "admin1", "officer01"} {
		for _, path := range vnPages {
			t.Run(user+path, func(t *testing.T) {
				code, b := s.do(t, "GET", path, user, nil)
				page := string(b)
				if !strings.Contains(page, "<html") {
					t.Fatalf("%d: not a page: %.200s", code, page)
				}
				seenCodes[fmt.Sprint(code)] = true
				if path == "/benchmark" {
					for _, want := range []string{"Việt Nam", "Đông Nam Á", "Lào", "Campuchia"} {
						if !strings.Contains(page, want) {
							t.Errorf("the UN survey's page lacks %q", want)
						}
					}
				}
				for _, p := range vietnameseProblems(visible(t, page), english, `“ontime_rate”`, `“99”`, `“abc”`) {
					t.Error(p)
				}
				// a period field holds the period as the page writes it (Tháng 10/2026), never
				// the ISO code, and that text is read back as the same period
				for _, in := range regexp.MustCompile(`<input name="period" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
					v := html.UnescapeString(in[1])
					if p, err := data.ParsePeriod(v); v != "" && (err != nil || p.Label("vi") != v) {
						t.Errorf("period field %q: %v, %v", v, p, err)
					}
				}
				// the browser's own file button never shows: the input is hidden behind a
				// label whose text is the catalogue's
				for _, in := range regexp.MustCompile(`<input[^>]*type="file"[^>]*>`).FindAllString(page, -1) {
					if !strings.Contains(in, `class="file-input"`) {
						t.Errorf("a file input the browser labels itself (Choose Files): %s", in)
					}
					id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(in)
					if id == nil || !regexp.MustCompile(`<label[^>]*for="`+id[1]+`"[^>]*class="button[^"]*"[^>]*>[^<]*`+regexp.QuoteMeta(dashboard.T("vi", "upload.choose"))).MatchString(page) {
						t.Errorf("no label of the catalogue's text for the file input %s", in)
					}
				}
			})
		}
	}
	// a forbidden write as a page answers (the officer saving the report schedule)
	t.Run("forbidden write page", func(t *testing.T) {
		code, b := s.do(t, "POST", "/reports/schedule", "officer01", strings.NewReader("schedule=0+2+11+*+*"), "Content-Type", "application/x-www-form-urlencoded")
		if code != 403 {
			t.Fatalf("%d, want 403", code)
		}
		for _, p := range vietnameseProblems(visible(t, string(b)), english) {
			t.Error(p)
		}
	})
	for _, want := range []string{"200", "403", "404", "400"} {
		if !seenCodes[want] {
			t.Errorf("the walk met no %s page: %v", want, seenCodes)
		}
	}

	// the API's errors: in Vietnamese when asked by ?lang=vi or Accept-Language: vi, in
	// English when asked in English
	other := []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n79,2026-10,5\n")
	apiCases := []struct {
		name, method, path, user string
		body                     func() (string, []byte)
		status                   int
		allow                    []string
	}{
		{"unknown indicator", "GET", "/api/v1/rankings?indicator=ontime_rate", "committee1", nil, 400, []string{`“ontime_rate”`}},
		{"unknown unit", "GET", "/api/v1/units/99/series?indicator=level4_share", "committee1", nil, 404, []string{`“99”`}},
		{"bad period", "GET", "/api/v1/rankings?indicator=level4_share&period=abc", "committee1", nil, 400, []string{`“abc”`}},
		{"bad group", "GET", "/api/v1/units?group=villages", "committee1", nil, 400, []string{`“villages”`}},
		{"unknown route", "GET", "/api/v1/nothing", "committee1", nil, 404, nil},
		{"a period without data", "GET", "/api/v1/rankings?indicator=level4_share&period=2031-01", "committee1", nil, 404, nil},
		{"no indicator", "GET", "/api/v1/rankings", "committee1", nil, 400, nil},
		{"bad boundaries", "GET", "/api/v1/rankings?indicator=level4_share&boundaries=old", "committee1", nil, 400, []string{`“old”`}},
		{"766 for communes", "GET", "/api/v1/composite?name=index766&group=communes", "committee1", nil, 400, nil},
		{"766 of no unit", "GET", "/api/v1/units/99/index766", "committee1", nil, 404, []string{`“99”`}},
		{"dossiers limit", "GET", "/api/v1/dossiers/late?limit=x", "committee1", nil, 400, []string{`“x”`}},
		{"not allowed", "GET", "/api/v1/users", "officer01", nil, 403, nil},
		{"not signed in", "GET", "/api/v1/units", "", nil, 401, nil},
		{"binding", "POST", "/api/v1/locks", "committee1", func() (string, []byte) { return "application/json", []byte(`{"period": 7`) }, 400, nil},
		{"another unit's data", "POST", "/api/v1/submissions", "officer01", func() (string, []byte) {
			body, ct := multipartFile(t, "hcm.csv", other)
			return ct, body.Bytes()
		}, 403, nil},
	}
	for _, tc := range apiCases {
		for _, how := range []string{"query", "header"} {
			t.Run("api "+tc.name+" "+how, func(t *testing.T) {
				for _, lang := range []string{"vi", "en"} {
					path, hdr := tc.path, []string{"Accept-Language", lang + ";q=0.9"}
					if how == "query" {
						sep := "?"
						if strings.Contains(path, "?") {
							sep = "&"
						}
						path, hdr = path+sep+"lang="+lang, nil
					}
					var body *strings.Reader
					if tc.body != nil {
						ct, b := tc.body()
						body = strings.NewReader(string(b))
						hdr = append(hdr, "Content-Type", ct)
					} else {
						body = strings.NewReader("")
					}
					code, b := s.do(t, tc.method, path, tc.user, body, hdr...)
					var e struct {
						Error struct{ Code, Message string }
					}
					if err := json.Unmarshal(b, &e); err != nil || code != tc.status || e.Error.Message == "" {
						t.Fatalf("%s %s: %d %s, want %d with a message", tc.method, path, code, b, tc.status)
					}
					if lang == "vi" {
						for _, p := range vietnameseProblems([]string{e.Error.Message}, english, tc.allow...) {
							t.Errorf("%s: %s", path, p)
						}
						if !strings.ContainsFunc(e.Error.Message, func(r rune) bool { return r > unicode.MaxASCII }) {
							t.Errorf("%s: %q is not Vietnamese", path, e.Error.Message)
						}
					} else if strings.ContainsFunc(e.Error.Message, isVietnameseLetter) {
						t.Errorf("%s in English: %q", path, e.Error.Message)
					}
				}
			})
		}
	}
}

// isVietnameseLetter is a letter with a Vietnamese diacritic.
func isVietnameseLetter(r rune) bool {
	return unicode.IsLetter(r) && r > unicode.MaxASCII && strings.ContainsRune("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ", unicode.ToLower(r))
}

// TestNoVietnameseOnEnglishPages is the lighter check the other way: an English page
// shows no Vietnamese-only text of the catalogue where an English one exists, and none of
// the page's own words is Vietnamese (unit, country and people's names aside: they are
// looked for only in the catalogue).
func TestNoVietnameseOnEnglishPages(t *testing.T) {
	s := startServer(t, true)
	vietnamese := catalogueSide(0)
	for _, user := range []string{"committee1", "admin1", "officer01"} {
		for _, path := range vnPages {
			t.Run(user+path, func(t *testing.T) {
				u, _ := url.Parse(path)
				q := u.Query()
				q.Set("lang", "en")
				u.RawQuery = q.Encode()
				_, b := s.do(t, "GET", u.String(), user, nil)
				for _, p := range visible(t, string(b)) {
					for _, v := range vietnamese {
						if containsPhrase(p, v) {
							t.Errorf("Vietnamese %q in %q", v, p)
						}
					}
				}
			})
		}
	}
}

// TestFilePickerInBrowser: the upload page's file picker is the page's own label in the
// reader's language; the browser's input (whose button says "Choose Files" in any
// language) is there for the keyboard and the label, but takes no room and shows nothing.
func TestFilePickerInBrowser(t *testing.T) {
	type pickerState struct {
		InputW, InputH, LabelW, LabelH float64
		Opacity, Text                  string
		Controls, Focusable            bool
	}
	ctx := browser(t)
	s := startServer(t, false)
	w := watchPage(ctx)
	signIn(t, ctx, s, "officer01")
	for _, lang := range []string{"vi", "en"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/upload?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`label[for="file"]`))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pickerState](`(() => {
  const i = document.getElementById("file"), l = document.querySelector('label[for="file"]');
  const r = i.getBoundingClientRect(), lr = l.getBoundingClientRect();
  i.focus();
  return {InputW: r.width, InputH: r.height, LabelW: lr.width, LabelH: lr.height, Opacity: getComputedStyle(i).opacity,
    Text: l.textContent.trim(), Controls: l.control === i, Focusable: document.activeElement === i};
})()`))
		if err != nil {
			t.Fatal(err)
		}
		if got.InputW > 1 || got.InputH > 1 || got.Opacity != "0" {
			t.Errorf("%s: the browser's file input shows: %+v", lang, got)
		}
		if got.Text != dashboard.T(lang, "upload.choose") || got.LabelW < 40 || got.LabelH < 10 || !got.Controls {
			t.Errorf("%s: the label: %+v, want %q over the input", lang, got, dashboard.T(lang, "upload.choose"))
		}
		if !got.Focusable {
			t.Errorf("%s: the file input cannot take the keyboard's focus", lang)
		}
	}
	w.check(t)
}
