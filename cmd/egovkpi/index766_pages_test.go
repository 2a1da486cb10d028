package main

import (
	"bytes"
	"html"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIndex766Pages: with the demo's records of the 766 index, the home page shows that
// index by default with the portal's six groups, and a unit's page its radar against the
// national figure and, per indicator, what it would take, in Vietnamese (and in English).
func TestIndex766Pages(t *testing.T) {
	// the demo as `make run` serves it (serve --demo): with its 766 records
	s := startServer(t, true)
	code, page := s.do(t, "GET", "/", "analyst1", nil)
	if code != 200 {
		t.Fatalf("home page: %d", code)
	}
	if !bytes.Contains(page, []byte(`<option value="composite:index766" selected>Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)`)) {
		t.Error("the home page's default index is not index766")
	}
	for _, g := range []string{"CKMB", "TDGQ", "ONLINE", "TTTT", "MDSH", "MDHL"} {
		if !bytes.Contains(page, []byte(`data-group="`+g+`"`)) {
			t.Errorf("the leaderboard lacks the group %s", g)
		}
	}
	for _, want := range []string{"Công khai, minh bạch", "Tiến độ, kết quả giải quyết", "Mức độ hài lòng", `id="board"`, "▲", "▼"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the leaderboard lacks %q", want)
		}
	}
	rows := regexp.MustCompile(`<tr>\s*<td data-v="(\d+)">`).FindAllSubmatch(page, -1)
	if len(rows) != 34 {
		t.Errorf("%d ranked rows, want the 34 provinces", len(rows))
	}
	// an explicit choice still wins; the ministries have the index too
	if _, page := s.do(t, "GET", "/?indicator=composite:service_index", "analyst1", nil); bytes.Contains(page, []byte(`data-group="CKMB"`)) ||
		!bytes.Contains(page, []byte(`<option value="composite:service_index" selected>`)) {
		t.Error("an explicit service_index is not shown")
	}
	if _, page := s.do(t, "GET", "/?group=ministries", "analyst1", nil); !bytes.Contains(page, []byte(`data-group="MDHL"`)) {
		t.Error("the ministries' leaderboard is not the 766 index")
	}
	// a month before the records: the catalogue alone does not make it the default
	if _, page := s.do(t, "GET", "/?period=2019-03", "analyst1", nil); !bytes.Contains(page, []byte(`<option value="composite:service_index" selected>`)) ||
		bytes.Contains(page, []byte(`composite:index766`)) {
		t.Error("2019-03 without dossier records: the default is not the service index")
	}

	code, page = s.do(t, "GET", "/units/01", "analyst1", nil)
	if code != 200 {
		t.Fatalf("unit page: %d", code)
	}
	for _, want := range []string{`id="index766"`, `id="radar766"`, `&#34;type&#34;:&#34;radar&#34;`, "Cả nước", "CKMB</strong> · Công khai, minh bạch",
		"2.1 · Tỷ lệ hồ sơ giải quyết đúng hạn", "Để đạt tối đa"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the unit page lacks %q", want)
		}
	}
	take := regexp.MustCompile(`<td class="take">([^<]*)</td>`).FindAllSubmatch(page, -1)
	line := regexp.MustCompile(`^[\d.]+ [^\d→]+ nữa → \+\d+(,\d)? điểm$`)
	var lines []string
	n := 0
	for _, m := range take {
		l := html.UnescapeString(string(m[1]))
		lines = append(lines, l)
		if line.MatchString(l) {
			n++
		}
	}
	if n < 3 || !strings.Contains(strings.Join(lines, "\n"), "hồ sơ đúng hạn nữa → +") {
		t.Errorf("what it would take, in Vietnamese: %q", lines)
	}
	if _, page := s.do(t, "GET", "/units/01?lang=en", "analyst1", nil); !regexp.MustCompile(`<td class="take">[\d,]+ more dossiers on time → (\+|&#43;)\d+(\.\d)? points</td>`).Match(page) {
		t.Error("what it would take, in English, is missing")
	}
}

// TestDemo766Flag: serve --demo takes the 766 records unless --demo-766=false, and
// a demo served without them keeps the service index as the home page's default.
func TestDemo766Flag(t *testing.T) {
	for _, c := range []struct {
		args    []string
		without bool
	}{
		{[]string{"--demo"}, false},
		{[]string{"--demo", "--demo-766=false"}, true},
		{[]string{"--demo", "--demo-766"}, false},
	} {
		cfg, err := parseServe(c.args, io.Discard)
		if err != nil || cfg.DemoWithout766 != c.without {
			t.Errorf("%v: without the 766 records %v (%v), want %v", c.args, cfg.DemoWithout766, err, c.without)
		}
	}
	db := filepath.Join(t.TempDir(), "e2e.duckdb")
	tok := makeUsers(t, db)
	s := startServerOn(t, db, true, func(c *ServeConfig) { c.DemoWithout766 = true })
	s.tok = tok
	code, page := s.do(t, "GET", "/", "analyst1", nil)
	if code != 200 || bytes.Contains(page, []byte(`<option value="composite:index766" selected>`)) || bytes.Contains(page, []byte(`data-group="CKMB"`)) {
		t.Errorf("home page of the demo without its 766 records: %d, the 766 index shown", code)
	}
	// no records, no catalogue: no unit ranked on the index
	if code, b := s.do(t, "GET", "/api/v1/composite?name=index766&group=provinces", "analyst1", nil); code != 200 || !bytes.Contains(b, []byte(`"rank":null`)) || bytes.Contains(b, []byte(`"rank":1`)) {
		t.Errorf("index766 without records: %d %.200s", code, b)
	}
}
