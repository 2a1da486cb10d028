package ingest

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

var (
	digits      = regexp.MustCompile(`^\d+$`)
	numberLike  = regexp.MustCompile(`^[\s\-+]*[\d.,\s\x{00a0}\x{2009}\x{202f}]+%?\s*$|^-?\d+(\.\d+)?[eE][+-]?\d+$`)
	thousandsVI = regexp.MustCompile(`^\d{1,3}(\.\d{3})+$`)
	thousandsEN = regexp.MustCompile(`^\d{1,3}(,\d{3})+$`)
	decimalVI   = regexp.MustCompile(`^\d{1,3}(\.\d{3})*,\d+$|^\d+,\d+$`)
	decimalEN   = regexp.MustCompile(`^\d{1,3}(,\d{3})*\.\d+$|^\d+\.\d+$|^\d+(\.\d+)?[eE][+-]?\d+$`)
)

// parseCount reads a whole, non-negative count written the Vietnamese way (3.451), the
// English way where unambiguous (3,451), as a spreadsheet's raw number (3451 or
// 3451.0000000001), or as text. An empty cell is not reported (not zero).
func parseCount(raw, lang string) (v int64, empty bool, problem string) {
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n >= 0 && n <= math.MaxInt32 {
		return n, false, "" // the common case, without allocating
	}
	s := strings.Map(func(r rune) rune {
		// spaces, no-break spaces and thin spaces are thousands separators too (12 000)
		if r == ' ' || r == '\u00a0' || r == '\t' || r == '\u2009' || r == '\u202f' {
			return -1
		}
		return r
	}, raw)
	if s == "" || s == "-" || s == "—" {
		return 0, true, ""
	}
	bad := func() (int64, bool, string) {
		return 0, false, msg(lang, "%q không phải là số", "%q is not a number", raw)
	}
	if strings.HasSuffix(s, "%") {
		return 0, false, msg(lang, "%q là tỷ lệ; hãy ghi số lượng (số nguyên)", "%q is a rate; write the count (a whole number)", raw)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	var f float64
	switch {
	case digits.MatchString(s):
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return bad()
		}
		f = float64(n)
		if !neg && n <= math.MaxInt32 {
			return n, false, ""
		}
	case thousandsVI.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(s, ".", ""), 64)
	case thousandsEN.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	case decimalVI.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", "."), 64)
	case decimalEN.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	default:
		return bad()
	}
	if neg && f != 0 {
		return 0, false, msg(lang, "%q là số âm; số lượng không được âm", "%q is negative; a count cannot be", raw)
	}
	if f > math.MaxInt32 {
		return 0, false, msg(lang, "%q quá lớn cho số liệu một tháng của một đơn vị", "%q is too large for one unit's month", raw)
	}
	if math.Abs(f-math.Round(f)) > 1e-6 {
		return 0, false, msg(lang, "%q không phải là số nguyên", "%q is not a whole number", raw)
	}
	return int64(math.Round(f)), false, ""
}
