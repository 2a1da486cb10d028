package reports

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// officeTools finds LibreOffice and poppler's tools. Under CI (.ci/run installs them) their
// absence is a failure; on a developer's machine without them the test is skipped.
func officeTools(t *testing.T) (soffice, pdftotext, pdftoppm string) {
	t.Helper()
	var paths []string
	for _, name := range []string{"soffice", "pdftotext", "pdftoppm"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; .ci/run installs libreoffice-calc-nogui and poppler-utils", name)
			}
			t.Skipf("%s is not installed (apt-get install libreoffice-calc-nogui poppler-utils)", name)
		}
		paths = append(paths, p)
	}
	return paths[0], paths[1], paths[2]
}

// toPDF converts a workbook with LibreOffice, as an agency's analyst opens it; a private
// profile so that parallel runs do not share (and lock) one.
func toPDF(t *testing.T, soffice string, xlsx []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "monthly.xlsx")
	if err := os.WriteFile(in, xlsx, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "monthly.pdf")
	if _, err := os.Stat(pdf); err != nil {
		t.Fatalf("soffice wrote no PDF: %v", err)
	}
	return pdf
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out
}

// pdfLine is a line of text as pdftotext -bbox-layout places it, in points.
type pdfLine struct {
	XMin, YMin, XMax, YMax float64
	Text                   string
	Words                  []pdfWord
}

type pdfWord struct {
	XMin, YMin float64
	Text       string
}

// pdfLines reads one page's lines with their positions.
func pdfLines(t *testing.T, pdftotext, pdf string, page int) []pdfLine {
	t.Helper()
	p := strconv.Itoa(page)
	raw := run(t, pdftotext, "-bbox-layout", "-f", p, "-l", p, pdf, "-")
	type word struct {
		XMin float64 `xml:"xMin,attr"`
		YMin float64 `xml:"yMin,attr"`
		Text string  `xml:",chardata"`
	}
	type line struct {
		XMin  float64 `xml:"xMin,attr"`
		YMin  float64 `xml:"yMin,attr"`
		XMax  float64 `xml:"xMax,attr"`
		YMax  float64 `xml:"yMax,attr"`
		Words []word  `xml:"word"`
	}
	type block struct {
		Lines []line `xml:"line"`
	}
	type flow struct {
		Blocks []block `xml:"block"`
	}
	var doc struct {
		Flows []flow `xml:"body>doc>page>flow"`
	}
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("pdftotext -bbox-layout: %v", err)
	}
	var lines []pdfLine
	for _, f := range doc.Flows {
		for _, b := range f.Blocks {
			for _, l := range b.Lines {
				pl := pdfLine{XMin: l.XMin, YMin: l.YMin, XMax: l.XMax, YMax: l.YMax}
				var words []string
				for _, w := range l.Words {
					words = append(words, w.Text)
					pl.Words = append(pl.Words, pdfWord(w))
				}
				pl.Text = strings.Join(words, " ")
				lines = append(lines, pl)
			}
		}
	}
	return lines
}

// TestMonthlyWorkbookInLibreOffice converts the monthly workbook with LibreOffice Calc and
// reads what it printed: the chart's best unit on top and its values rising left to right,
// every header whole, rank, change and code apart, the arrows of the change column, and the
// chart's bars in one colour in the page's picture.
func TestMonthlyWorkbookInLibreOffice(t *testing.T) {
	soffice, pdftotext, pdftoppm := officeTools(t)
	_, eng := demoStore(t, data.Reference(), data.NewMonth(2026, 10))
	ctx := context.Background()
	p, _ := data.ParsePeriod("2026-10")
	xlsx, err := Monthly(ctx, eng, Options{Period: p, Group: data.Provinces, Lang: "vi", Author: "analyst1", DataChanged: fixed, Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	defs := eng.Defs()
	comp, err := eng.Composite(ctx, metrics.CompositeQuery{Name: defs.Composites[0].Code, Period: p, Group: data.Provinces, Boundaries: metrics.Current})
	if err != nil {
		t.Fatal(err)
	}
	var ranked []metrics.CompositeRow
	for _, r := range comp.Rows {
		if r.Total != nil {
			ranked = append(ranked, r)
		}
	}
	if len(ranked) < 3 || *ranked[0].Total <= *ranked[len(ranked)-1].Total {
		t.Fatalf("the demo month ranks %d units; the test needs a best and a worst", len(ranked))
	}
	best, worst := ranked[0], ranked[len(ranked)-1]

	start := time.Now()
	pdf := toPDF(t, soffice, xlsx)
	t.Logf("LibreOffice converted the workbook in %v", time.Since(start).Round(time.Millisecond))
	text := string(run(t, pdftotext, "-layout", pdf, "-"))
	page1 := string(run(t, pdftotext, "-layout", "-f", "1", "-l", "1", pdf, "-"))
	lines := pdfLines(t, pdftotext, pdf, 1)

	// the table's right edge: the end of the grade's header; the chart lies to its right
	tableRight := -1.0
	var gradeHead pdfLine
	for _, l := range lines {
		if strings.HasSuffix(l.Text, "Xếp loại") {
			tableRight, gradeHead = l.XMax, l
		}
	}
	if tableRight < 0 {
		t.Fatalf("no grade header on the first page:\n%s", page1)
	}
	var chart []pdfLine
	for _, l := range lines {
		if l.XMin > tableRight+5 {
			chart = append(chart, l)
		}
	}

	t.Run("best unit on top of the chart", func(t *testing.T) {
		y := map[string]float64{}
		for _, l := range chart {
			y[l.Text] = l.YMin
		}
		yb, okb := y[best.UnitNameVI]
		yw, okw := y[worst.UnitNameVI]
		if !okb || !okw {
			t.Fatalf("the chart's labels do not name %q and %q: %v", best.UnitNameVI, worst.UnitNameVI, texts(chart))
		}
		if yb >= yw {
			t.Errorf("%s (best, %.2f) is drawn at y=%.0f, below %s (worst, %.2f) at y=%.0f", best.UnitNameVI, *best.Total, yb, worst.UnitNameVI, *worst.Total, yw)
		}
	})

	t.Run("values rise left to right", func(t *testing.T) {
		// the value axis's labels: the row of the chart with the most numbers
		rows := map[int][]pdfWord{}
		for _, l := range chart {
			for _, w := range l.Words {
				if _, err := strconv.ParseFloat(w.Text, 64); err == nil {
					rows[int(math.Round(w.YMin))] = append(rows[int(math.Round(w.YMin))], w)
				}
			}
		}
		var axis []pdfWord
		for _, r := range rows {
			if len(r) > len(axis) {
				axis = r
			}
		}
		if len(axis) < 3 {
			t.Fatalf("no value axis in the chart: %v", texts(chart))
		}
		sort.Slice(axis, func(i, j int) bool { return axis[i].XMin < axis[j].XMin })
		for i := 1; i < len(axis); i++ {
			a, _ := strconv.ParseFloat(axis[i-1].Text, 64)
			b, _ := strconv.ParseFloat(axis[i].Text, 64)
			if b <= a {
				t.Fatalf("the value axis reads %v from left to right", axis)
			}
		}
		// and the best unit's total lies within it
		lo, _ := strconv.ParseFloat(axis[0].Text, 64)
		hi, _ := strconv.ParseFloat(axis[len(axis)-1].Text, 64)
		if *best.Total < lo || *best.Total > hi {
			t.Errorf("the axis %v–%v does not hold the best total %.2f", lo, hi, *best.Total)
		}
	})

	t.Run("headers whole", func(t *testing.T) {
		heads := []string{"Hạng", "Thay đổi", "Mã", "Đơn vị", "Tổng điểm", "Xếp loại"}
		for _, g := range defs.Composites[0].Groups {
			heads = append(heads, g.NameVI+" ("+strconv.FormatFloat(g.Points(), 'g', -1, 64)+")")
		}
		if !slicesContains(heads, "Cung cấp dịch vụ trực tuyến (22)") {
			t.Fatalf("the composite's groups changed (%v): the issue's example header is gone", heads)
		}
		for _, h := range heads {
			if !strings.Contains(page1, h) {
				t.Errorf("header %q is not printed whole on the first page", h)
			}
		}
		for _, h := range []string{"Hạng kỳ trước", "Mẫu số", "Mục tiêu"} {
			if !strings.Contains(text, h) {
				t.Errorf("indicator header %q is not printed whole", h)
			}
		}
	})

	t.Run("rank, change and code apart, arrows kept", func(t *testing.T) {
		// the summary's row of the best unit: rank, ▲/▼/– change, code, name, each apart
		row := regexp.MustCompile(`(?m)^\s*1\s{2,}(▲ ?\d+|▼ ?\d+|–)\s{2,}` + regexp.QuoteMeta(best.UnitCode) + `\s{2,}` + regexp.QuoteMeta(best.UnitNameVI) + `\s`)
		if !row.MatchString(page1) {
			t.Errorf("the summary's first row is not rank, change, code and name apart:\n%s", firstLines(page1, 8))
		}
		// no rank runs into its code anywhere ("1 19")
		if m := regexp.MustCompile(`(?m)^\s*\d{1,2} \d{2} .*$`).FindString(text); m != "" {
			t.Errorf("a rank runs into its code: %q", m)
		}
		up, down := 0, 0
		for _, r := range comp.Rows {
			if r.RankChange != nil && *r.RankChange > 0 {
				up++
			}
			if r.RankChange != nil && *r.RankChange < 0 {
				down++
			}
		}
		if up == 0 || down == 0 {
			t.Fatalf("the demo month has %d units up and %d down; the test needs both", up, down)
		}
		if n := strings.Count(page1, "▲"); n != up {
			t.Errorf("%d ▲ on the first page, %d units moved up", n, up)
		}
		if n := strings.Count(page1, "▼"); n != down {
			t.Errorf("%d ▼ on the first page, %d units moved down", n, down)
		}
	})

	t.Run("one bar colour", func(t *testing.T) {
		dir := t.TempDir()
		run(t, pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "page"))
		img := readPNG(t, dir)
		// the chart's part of the picture (the table has its red header and grade colours)
		x0 := int((tableRight + 5) * 50 / 72)
		hues := saturatedHues(img, x0)
		if len(hues) != 1 {
			t.Errorf("the chart's bars are drawn in %d colours (hue buckets with pixel counts %v), not one", len(hues), hues)
		}
	})

	t.Run("grades inside the table", func(t *testing.T) {
		// the table's edge is where its header's red fill ends, in the page's picture
		dir := t.TempDir()
		run(t, pdftoppm, "-png", "-r", "72", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "page"))
		img := readPNG(t, dir) // 72 dpi: a pixel is a point
		y := int((gradeHead.YMin + gradeHead.YMax) / 2)
		edge := -1
		// from the end of the header's white text to the end of the red behind it
		for x := int(gradeHead.XMax) + 2; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if h, s, _ := hsv(float64(r>>8), float64(g>>8), float64(b>>8)); s > 0.5 && (h < 20 || h > 340) {
				edge = x
			} else if edge >= 0 {
				break
			}
		}
		if edge < 0 {
			t.Fatalf("no red header behind %q at y=%d", gradeHead.Text, y)
		}
		grades := map[string]bool{}
		for _, g := range defs.Grades {
			grades[g.LabelVI] = true
		}
		n := 0
		for _, l := range lines {
			if grades[l.Text] || grades[lastWords(l.Text, 2)] || grades[lastWords(l.Text, 1)] {
				n++
				if l.XMax > float64(edge)+1 {
					t.Errorf("%q ends at %.0f pt, past the table's edge at %d pt", l.Text, l.XMax, edge)
				}
			}
		}
		if n < len(ranked) {
			t.Errorf("%d grades found on the first page, %d units ranked", n, len(ranked))
		}
	})

	// the README's picture of the first page, at a readable resolution, cropped to what is printed
	if dir := os.Getenv("EGOVKPI_SCREENSHOTS"); dir != "" {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join("..", dir)
		}
		tmp := t.TempDir()
		run(t, pdftoppm, "-png", "-r", "130", "-f", "1", "-l", "1", pdf, filepath.Join(tmp, "page"))
		img := crop(readPNG(t, tmp), 24)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "monthly-workbook.png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lastWords is the last n words of s.
func lastWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[max(0, len(f)-n):], " ")
}

func texts(ls []pdfLine) []string {
	var s []string
	for _, l := range ls {
		s = append(s, l.Text)
	}
	return s
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstLines(s string, n int) string {
	ls := strings.Split(s, "\n")
	return strings.Join(ls[:min(n, len(ls))], "\n")
}

// readPNG reads the one picture pdftoppm wrote into dir.
func readPNG(t *testing.T, dir string) image.Image {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(files) != 1 {
		t.Fatalf("pdftoppm wrote %v", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// saturatedHues counts the clearly coloured pixels right of x0 by hue, in 30° buckets,
// keeping the buckets that hold more than a few pixels (anti-aliased edges blend colours).
func saturatedHues(img image.Image, x0 int) map[int]int {
	counts := map[int]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := max(x0, b.Min.X); x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			h, s, v := hsv(float64(r>>8), float64(g>>8), float64(bl>>8))
			if s > 0.45 && v > 0.25 {
				counts[int(h/30)%12]++
			}
		}
	}
	for k, n := range counts {
		if n < 20 {
			delete(counts, k)
		}
	}
	return counts
}

func hsv(r, g, b float64) (h, s, v float64) {
	mx, mn := max(r, g, b), min(r, g, b)
	v = mx / 255
	if mx == 0 || mx == mn {
		return 0, 0, v
	}
	s = (mx - mn) / mx
	d := mx - mn
	switch mx {
	case r:
		h = 60 * math.Mod((g-b)/d, 6)
	case g:
		h = 60 * ((b-r)/d + 2)
	default:
		h = 60 * ((r-g)/d + 4)
	}
	if h < 0 {
		h += 360
	}
	return h, s, v
}

// crop cuts the white margins of a page's picture down to margin pixels.
func crop(img image.Image, margin int) image.Image {
	b := img.Bounds()
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 245 || g>>8 < 245 || bl>>8 < 245 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if box.Empty() {
		return img
	}
	box = box.Inset(-margin).Intersect(b)
	out := image.NewRGBA(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(out, out.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	draw.Draw(out, out.Bounds(), img, box.Min, draw.Src)
	return out
}
