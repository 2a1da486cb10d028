package ingest

import (
	"errors"
	"slices"

	"github.com/egovkpi/egovkpi/data"
)

// communeHeaders name a column of communes (xã, phường, đặc khu): a row's unit is then the
// commune it names, found within the province another identifying column names (a
// commune's name alone is not unique: 246 names are shared by 576 communes).
var communeHeaders = set("ma xa", "ten xa", "xa", "xa, phuong", "xa/phuong", "xa phuong", "ma xa, phuong", "ma xa/phuong",
	"ten xa, phuong", "xa, phuong, dac khu", "don vi cap xa", "commune", "commune code", "ward", "commune/ward")

// rowCommune is the commune cell of a row, if any, and the province the row's other
// identifying cells name ("" when none does).
func rowCommune(reg *data.Registry, cs columns, row []string) (text string, col int, province string) {
	for _, c := range cs.communes {
		if t := at(row, c); t != "" {
			text, col = t, c
			break
		}
	}
	if text == "" || isTotalLabel(text) || sectionLabel.MatchString(text) {
		return "", -1, ""
	}
	for _, c := range cs.ids {
		if slices.Contains(cs.communes, c) {
			continue
		}
		if t := at(row, c); t != "" {
			if p, ok := reg.Find(t, reg.AnyMonth(t)); ok && p.Group == data.Provinces {
				return text, col, reg.Current(p.Code)
			}
		}
	}
	return text, col, ""
}

// resolveCommune finds the row's commune in month m; the problem's text otherwise (an
// ambiguous name lists the candidates with their codes).
func resolveCommune(reg *data.Registry, province, text string, m data.Month, lang string) (data.Unit, string) {
	u, err := reg.ResolveCommune(province, text, m)
	if err == nil {
		return u, ""
	}
	var de *data.Error
	if errors.As(err, &de) {
		return data.Unit{}, de.Message(lang)
	}
	return data.Unit{}, err.Error()
}
