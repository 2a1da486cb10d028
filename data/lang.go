package data

// Pick chooses a text by the reader's language: English for "en", Vietnamese otherwise
// (Vietnamese first, as everywhere in egovkpi). Pages, workbooks, the CLI and error
// messages all choose through it.
func Pick(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}

// Name is the group's name in the reader's language.
func (g Group) Name(lang string) string {
	switch g {
	case Provinces:
		return Pick(lang, "Tỉnh, thành phố", "Provinces")
	case Ministries:
		return Pick(lang, "Bộ, ngành", "Ministries")
	case Communes:
		return Pick(lang, "Xã, phường, đặc khu", "Communes")
	}
	return string(g)
}
