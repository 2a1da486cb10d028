#!/bin/sh
# Makes, once, the reports written by LibreOffice Calc that the tests read (issue 20): they
# are committed, so neither the tests nor CI need LibreOffice. Run it again only to change
# them: apt-get install --no-install-recommends libreoffice-calc-nogui, then sh make.sh.
#
#   bao-cao-tong-hop.fods → .xlsx and .ods: a consolidated report as an office makes it —
#     title rows, a merged two-row header with line breaks, STT, code and name columns, one
#     city's numbers pasted as Vietnamese-formatted text, a "Tổng cộng" row of SUM formulas
#     labelled in the name column with the code column empty.
#   bao-cao-theo-muc.csv → .ods: sections (I., II.), subtotals "Cộng (I)", "Toàn quốc",
#     numbers with spaces as thousands separators, opened in Calc as UTF-8 CSV.
set -eu
cd "$(dirname "$0")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
calc() { soffice --headless "-env:UserInstallation=file://$profile" "$@" --outdir . >/dev/null; }
calc --convert-to 'xlsx:Calc MS Excel 2007 XML' bao-cao-tong-hop.fods
calc --convert-to ods bao-cao-tong-hop.fods
# 44: comma, 34: double quote, 76: UTF-8, 1: from the first line
calc --infilter='CSV:44,34,76,1' --convert-to ods bao-cao-theo-muc.csv
ls -l bao-cao-tong-hop.xlsx bao-cao-tong-hop.ods bao-cao-theo-muc.ods
