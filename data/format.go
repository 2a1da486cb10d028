package data

import (
	"math"
	"strconv"
	"strings"
)

// FormatNumber prints v with dec decimals in the reader's convention: 86,5 and 3.451 in
// Vietnamese, 86.5 and 3,451 in English. It lives here, below every package that writes
// for a reader (pages, charts, upload messages, workbooks), so that all of them print
// numbers alike; dashboard.FormatNumber is this one.
func FormatNumber(v float64, dec int, lang string) string {
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(v), 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	thou, point := ".", ","
	if lang == "en" {
		thou, point = ",", "."
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}
