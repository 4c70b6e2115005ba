package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
)

// fuzzLimits are small so that the fuzzer reaches the limits often.
var fuzzLimits = Limits{MaxBytes: 256 << 10, MaxRows: 50, MaxUnpacked: 1 << 20, MaxColumns: 20, MaxCell: 200}

// checkRead holds for any input: a refusal is an *Error with a key, and a
// table keeps the shape that the import relies on.
func checkRead(t *testing.T, tab *Table, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Key == "" {
			t.Fatalf("error is not a keyed *Error: %v", err)
		}
		if tab != nil {
			t.Fatalf("a table with an error")
		}
		return
	}
	lim := fuzzLimits
	if n := len(tab.Header); n == 0 || n > lim.MaxColumns {
		t.Fatalf("header of %d cells", n)
	}
	if len(tab.Rows) != len(tab.Line) || len(tab.Rows) > lim.MaxRows {
		t.Fatalf("%d rows, %d lines", len(tab.Rows), len(tab.Line))
	}
	for i, row := range tab.Rows {
		if len(row) != len(tab.Header) {
			t.Fatalf("row %d has %d cells, header %d", i, len(row), len(tab.Header))
		}
		if tab.Line[i] < 2 || i > 0 && tab.Line[i] <= tab.Line[i-1] {
			t.Fatalf("lines %v", tab.Line)
		}
		for _, c := range row {
			if utf8.RuneCountInString(c) > lim.MaxCell {
				t.Fatalf("cell of %d runes", utf8.RuneCountInString(c))
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Name,Phone\r\n" + azNames + ",'+994 12 555 01 01\r\n\r\n\"a\nb\",\"x\"\"y\"\r\n"))
	f.Add(cp1251(f, "Фамилия;Телефон\r\n"+ruName+";994501234567\r\n"))
	f.Add(utf16Bytes(f, "Name\tCity\r\n"+azLast+"\tBakı\r\n", unicode.LittleEndian))
	f.Add([]byte("sep=;\n\"unclosed;a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read("guests.csv", bytes.NewReader(data), fuzzLimits)
		checkRead(t, tab, err)
	})
}

// smallWorkbook is a valid XLSX with the cell kinds the reader treats
// specially: shared strings, a date, a time, a General number, a padded
// number, a boolean.
func smallWorkbook(t testing.TB) []byte {
	return workbook(t, func(f *excelize.File) {
		hhmm := "hh:mm"
		clock, err := f.NewStyle(&excelize.Style{CustomNumFmt: &hhmm})
		must(t, err)
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Arrival", "Phone", "Time", "VIP"}))
		must(t, f.SetSheetRow("Sheet1", "A2", &[]any{azNames, time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), 994501234567, 0.5, true}))
		must(t, f.SetSheetRow("Sheet1", "A4", &[]any{"'=1+1", "", 1.5e-7, 0.75, false}))
		must(t, f.SetCellStyle("Sheet1", "D2", "D4", clock))
	})
}

func FuzzReadXLSX(f *testing.F) {
	valid := smallWorkbook(f)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(damage(valid))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read("guests.xlsx", bytes.NewReader(data), fuzzLimits)
		checkRead(t, tab, err)
	})
}

// FuzzReadXLSXParts fuzzes the XML inside a workbook rather than the zip
// around it: mutations of a whole XLSX nearly all break its deflate streams
// or checksums, so FuzzReadXLSX alone would hardly reach excelize's parsers
// or the number format rewriting.
func FuzzReadXLSXParts(f *testing.F) {
	parts := map[string][]byte{}
	valid := smallWorkbook(f)
	zr, err := zip.NewReader(bytes.NewReader(valid), int64(len(valid)))
	must(f, err)
	for _, e := range zr.File {
		rc, err := e.Open()
		must(f, err)
		parts[e.Name], err = io.ReadAll(rc)
		must(f, err)
		must(f, rc.Close())
	}
	const sheet, styles, strings = "xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/sharedStrings.xml"
	f.Add(parts[sheet], parts[styles], parts[strings])
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="d"><v>2025-03-15T00:00:00Z</v></c></row>`+
		`<row r="3"><c r="A3" s="1"><v>45731</v></c><c r="XFD3" t="e"><v>#N/A</v></c></row></sheetData></worksheet>`),
		[]byte(`<styleSheet><numFmts><numFmt numFmtId="164" formatCode="[$-419]d mmmm yyyy;@"/></numFmts>`+
			`<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>`),
		[]byte(`<sst><si><t>x</t></si></sst>`))
	f.Fuzz(func(t *testing.T, sheetXML, stylesXML, stringsXML []byte) {
		files := map[string][]byte{}
		for name, data := range parts {
			files[name] = data
		}
		files[sheet], files[styles], files[strings] = sheetXML, stylesXML, stringsXML
		tab, err := Read("guests.xlsx", bytes.NewReader(zipOf(t, files)), fuzzLimits)
		checkRead(t, tab, err)
	})
}
