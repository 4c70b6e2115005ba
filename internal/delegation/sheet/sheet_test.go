package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Names from the protocol office's lists: every Azerbaijani letter that
// Windows-1252 lacks, and Cyrillic.
const (
	azNames = "Əliyev Şahin"
	azMore  = "İsmayıl Ağayev"
	azLast  = "Çələbi Gülər Ömər"
	ruName  = "Иванов Сергей"
)

func utf16Bytes(t testing.TB, s string, order unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cp1251(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// workbook builds an XLSX in memory with excelize, as Excel would save it
// (shared strings, styles), for the reader to read.
func workbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	build(f)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		enc    string
		delim  rune
		header []string
		rows   [][]string
		lines  []int
	}{
		{
			name:  "comma utf-8",
			data:  []byte("Name,Phone\r\n" + azNames + ",+994 12 555 01 01\r\n" + ruName + ",994501234567\r\n"),
			enc:   "utf-8",
			delim: ',', header: []string{"Name", "Phone"},
			rows:  [][]string{{azNames, "+994 12 555 01 01"}, {ruName, "994501234567"}},
			lines: []int{2, 3},
		},
		{
			name:  "semicolon utf-8 with BOM",
			data:  []byte("\uFEFFName;Country\n" + azMore + ";Azərbaycan\n"),
			enc:   "utf-8-bom",
			delim: ';', header: []string{"Name", "Country"},
			rows:  [][]string{{azMore, "Azərbaycan"}},
			lines: []int{2},
		},
		{
			name:  "Excel unicode text: utf-16le with BOM, tab",
			data:  utf16Bytes(t, "Name\tCity\r\n"+azLast+"\tBakı\r\n"+ruName+"\tМосква\r\n", unicode.LittleEndian),
			enc:   "utf-16le",
			delim: '\t', header: []string{"Name", "City"},
			rows:  [][]string{{azLast, "Bakı"}, {ruName, "Москва"}},
			lines: []int{2, 3},
		},
		{
			name:  "utf-16be with BOM",
			data:  utf16Bytes(t, "Name;City\n"+azNames+";Şəki\n", unicode.BigEndian),
			enc:   "utf-16be",
			delim: ';', header: []string{"Name", "City"},
			rows:  [][]string{{azNames, "Şəki"}},
			lines: []int{2},
		},
		{
			name:  "windows-1251, semicolon",
			data:  cp1251(t, "Фамилия Имя;Город\r\n"+ruName+";Москва\r\n"),
			enc:   "windows-1251",
			delim: ';', header: []string{"Фамилия Имя", "Город"},
			rows:  [][]string{{ruName, "Москва"}},
			lines: []int{2},
		},
		{
			name: "quoted delimiters, quotes and line breaks; empty rows keep row numbers",
			data: []byte("Name,Note\n" +
				"\"" + azNames + ", jr\",\"line 1\nline 2\"\n" + // rows 2 (two lines)
				"\n" + // row 3, blank
				",,\n" + // row 4, only delimiters
				azMore + ",\"said \"\"salam\"\"\"\n" + // row 5
				"   \n" + // row 6, spaces
				"\"a\n\nb\",c\n"), // row 7, a cell with a blank line in it
			enc:   "utf-8",
			delim: ',', header: []string{"Name", "Note"},
			rows:  [][]string{{azNames + ", jr", "line 1\nline 2"}, {azMore, `said "salam"`}, {"a\n\nb", "c"}},
			lines: []int{2, 5, 7},
		},
		{
			name:  "blank lines before the header",
			data:  []byte("\n\n Name ; Phone ;;\nx;1\n"),
			enc:   "utf-8",
			delim: ';', header: []string{"Name", "Phone"},
			rows:  [][]string{{"x", "1"}},
			lines: []int{4},
		},
		{
			name:  "Excel's sep= line",
			data:  []byte("sep=;\r\nA,1;B\r\n2,5;x\r\n"),
			enc:   "utf-8",
			delim: ';', header: []string{"A,1", "B"},
			rows:  [][]string{{"2,5", "x"}},
			lines: []int{2},
		},
		{
			name:  "rows padded and trimmed to the header",
			data:  []byte("A,B,C\n1\n1,2,3,,,\n1,2,3,4\n"),
			enc:   "utf-8",
			delim: ',', header: []string{"A", "B", "C"},
			rows:  [][]string{{"1", "", ""}, {"1", "2", "3"}, {"1", "2", "3"}},
			lines: []int{2, 3, 4},
		},
		{
			name:  "neutralised cells are restored",
			data:  []byte("Phone\n'+994 12 555 01 01\n'=1+1\n'hello\n''=x\n"),
			enc:   "utf-8",
			delim: ',', header: []string{"Phone"},
			rows:  [][]string{{"+994 12 555 01 01"}, {"=1+1"}, {"'hello"}, {"'=x"}},
			lines: []int{2, 3, 4, 5},
		},
		{
			name:  "old Mac line ends",
			data:  []byte("A;B\r1;2\r"),
			enc:   "utf-8",
			delim: ';', header: []string{"A", "B"},
			rows:  [][]string{{"1", "2"}},
			lines: []int{2},
		},
		{
			name:  "header only",
			data:  []byte("Name,Phone\r\n"),
			enc:   "utf-8",
			delim: ',', header: []string{"Name", "Phone"},
		},
		{
			name:  "a .xlsx that is really a CSV",
			data:  []byte("Name\n" + azNames + "\n"),
			enc:   "utf-8",
			delim: ',', header: []string{"Name"},
			rows:  [][]string{{azNames}},
			lines: []int{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read("guests.csv", bytes.NewReader(tt.data), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			want := &Table{Format: "csv", Encoding: tt.enc, Delimiter: tt.delim, Header: tt.header, Rows: tt.rows, Line: tt.lines}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestReadXLSX(t *testing.T) {
	data := workbook(t, func(f *excelize.File) {
		// A hidden first sheet: Read takes the first visible one.
		// (excelize silently keeps the selected sheet visible.)
		guests, err := f.NewSheet("Guests")
		must(t, err)
		must(t, f.SetCellValue("Sheet1", "A1", "lookup"))
		f.SetActiveSheet(guests)
		must(t, f.SetSheetVisible("Sheet1", false))

		ddmmyyyy := "dd.mm.yyyy"
		dotted, err := f.NewStyle(&excelize.Style{CustomNumFmt: &ddmmyyyy})
		must(t, err)
		bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}) // General, styled
		must(t, err)
		zeros := "0000000000"
		padded, err := f.NewStyle(&excelize.Style{CustomNumFmt: &zeros})
		must(t, err)

		s := "Guests"
		must(t, f.SetSheetRow(s, "A1", &[]any{" Name ", "Arrival", "Phone", "Local", "Seats", "Landed", "VIP"}))
		must(t, f.SetSheetRow(s, "A2", &[]any{azNames, time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), 994501234567, 501234567, 2, time.Date(2025, 3, 14, 13, 45, 0, 0, time.UTC), true}))
		// Row 3 empty, row 4:
		must(t, f.SetSheetRow(s, "A4", &[]any{ruName, 45731, 994125550101, 123, 2.5, "", false}))
		must(t, f.SetCellStyle(s, "B4", "B4", dotted))
		clock, err := f.NewStyle(&excelize.Style{NumFmt: 18}) // h:mm AM/PM
		must(t, err)
		must(t, f.SetCellValue(s, "F4", 0.5625))
		must(t, f.SetCellStyle(s, "F4", "F4", clock))
		must(t, f.SetCellStyle(s, "C2", "C4", bold))
		must(t, f.SetCellStyle(s, "D2", "D4", padded))
		must(t, f.SetSheetRow(s, "A6", &[]any{azMore + "\n" + azLast, "", "'+994 12 555 01 01", "", "", "", ""}))
	})
	got, err := Read("guests.xlsx", bytes.NewReader(data), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{
		Format: "xlsx",
		Header: []string{"Name", "Arrival", "Phone", "Local", "Seats", "Landed", "VIP"},
		Rows: [][]string{
			{azNames, "2025-03-15", "994501234567", "0501234567", "2", "2025-03-14 13:45", "TRUE"},
			{ruName, "2025-03-15", "994125550101", "0000000123", "2.5", "13:30", "FALSE"},
			{azMore + "\n" + azLast, "", "+994 12 555 01 01", "", "", "", ""},
		},
		Line: []int{2, 4, 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestCodeKind(t *testing.T) {
	tests := map[string]int{
		"General": fmtGeneral, "0": fmtOther, "0.00E+00": fmtOther, `#,##0 "days"`: fmtOther,
		"[Red]0.00": fmtOther, "@": fmtOther, "000000": fmtOther,
		"dd.mm.yyyy": fmtDate, "[$-419]d mmmm yyyy": fmtDate, "mmm-yy": fmtDate, `d\-m`: fmtDate,
		"h:mm AM/PM": fmtTime, "[h]:mm:ss": fmtTime, "mm:ss": fmtTime,
		"dd/mm/yyyy hh:mm": fmtDateTime, "yyyy-mm-dd\"T\"hh:mm:ss": fmtDateTime,
		`"unclosed`: fmtOther, "[unclosed": fmtOther, "0;[Red]dd": fmtOther,
	}
	for code, want := range tests {
		if got := codeKind(code); got != want {
			t.Errorf("codeKind(%q) = %d, want %d", code, got, want)
		}
	}
}

// Cells that spreadsheets would take for formulas, and values that look
// neutralised already: all must come back exactly.
var tricky = [][]string{
	{"Name", "Phone", "Note"},
	{azNames, "+994 12 555 01 01", "=1+1"},
	{azMore, "@x", "-5"},
	{azLast, "\tx", "\rx"},
	{ruName, "'=already", "'plain"},
	{"=HYPERLINK(\"http://x\",\"y\")", "''+1", "a,b;c\td"},
	{"multi\nline", `"quoted"`, " padded "},
	{"", "", "last"},
}

func TestRoundTrip(t *testing.T) {
	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		w := NewCSVWriter(&buf)
		for _, row := range tricky {
			must(t, w.Write(row))
		}
		must(t, w.Close())
		raw := buf.Bytes()
		if !bytes.HasPrefix(raw, bomUTF8) || !bytes.Contains(raw, []byte("\r\n")) {
			t.Errorf("want a BOM and CRLF line ends: %q", raw)
		}
		r := csv.NewReader(bytes.NewReader(raw[len(bomUTF8):]))
		records, err := r.ReadAll()
		must(t, err)
		checkSafe(t, records)
		checkTable(t, "export.csv", raw)
	})
	t.Run("xlsx", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := NewXLSXWriter(&buf, "Qonaqlar: 2025/26 [final]")
		must(t, err)
		for _, row := range tricky {
			must(t, w.Write(row))
		}
		must(t, w.Close())

		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		must(t, err)
		defer func() { must(t, f.Close()) }()
		sheet := f.GetSheetName(0)
		if sheet != "Qonaqlar_ 2025_26 _final_" {
			t.Errorf("sheet name %q", sheet)
		}
		records, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		must(t, err)
		checkSafe(t, records)
		for r, row := range records {
			for c := range row {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				must(t, err)
				if formula, err := f.GetCellFormula(sheet, cell); err != nil || formula != "" {
					t.Errorf("%s: formula %q, %v", cell, formula, err)
				}
				if typ, err := f.GetCellType(sheet, cell); err != nil || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeUnset) {
					t.Errorf("%s: cell type %v, %v", cell, typ, err)
				}
			}
		}
		panes, err := f.GetPanes(sheet)
		must(t, err)
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("header not frozen: %+v", panes)
		}
		styleID, err := f.GetCellStyle(sheet, "C1")
		must(t, err)
		style, err := f.GetStyle(styleID)
		must(t, err)
		if style.Font == nil || !style.Font.Bold {
			t.Errorf("header not bold: %+v", style.Font)
		}
		checkTable(t, "export.xlsx", buf.Bytes())
	})
}

// checkSafe fails if a written cell would start a formula.
func checkSafe(t *testing.T, records [][]string) {
	t.Helper()
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
				t.Errorf("written cell %q starts a formula", cell)
			}
		}
	}
}

// checkTable reads an export back and wants tricky exactly.
func checkTable(t *testing.T, name string, data []byte) {
	t.Helper()
	got, err := Read(name, bytes.NewReader(data), DefaultLimits())
	must(t, err)
	if !reflect.DeepEqual(got.Header, tricky[0]) || !reflect.DeepEqual(got.Rows, tricky[1:]) {
		t.Errorf("round trip:\ngot  %q %q\nwant %q %q", got.Header, got.Rows, tricky[0], tricky[1:])
	}
	if want := []int{2, 3, 4, 5, 6, 7, 8}; !reflect.DeepEqual(got.Line, want) {
		t.Errorf("lines %v, want %v", got.Line, want)
	}
}

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "x": "x", "=1+1": "'=1+1", "+994": "'+994", "-5": "'-5", "@x": "'@x",
		"\tx": "'\tx", "\rx": "'\rx", "'=x": "''=x", "'x": "'x", "'": "'", "a=b": "a=b",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
		if got := Restore(Neutralize(in)); got != in {
			t.Errorf("Restore(Neutralize(%q)) = %q", in, got)
		}
	}
}

func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"", "=1", "'=1", "''+", "'", "x", "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Neutralize(s)
		if n != "" && strings.IndexByte(formulaStarts, n[0]) >= 0 {
			t.Errorf("Neutralize(%q) = %q starts a formula", s, n)
		}
		if got := Restore(n); got != s {
			t.Errorf("Restore(Neutralize(%q)) = %q", s, got)
		}
	})
}

// zipOf builds a zip archive of the named entries.
func zipOf(t testing.TB, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write(data)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// damage breaks the signature of the second entry's local header, which
// only shows when that entry is read.
func damage(xlsx []byte) []byte {
	b := bytes.Clone(xlsx)
	i := bytes.Index(b[4:], []byte("PK\x03\x04")) + 4
	b[i+3] = 5
	return b
}

func TestReadRefuses(t *testing.T) {
	small := Limits{MaxBytes: 1 << 20, MaxRows: 2, MaxUnpacked: 1 << 20, MaxColumns: 3, MaxCell: 6}
	valid := workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Phone"}))
		must(t, f.SetSheetRow("Sheet1", "A2", &[]any{azNames, 994501234567}))
	})
	many := map[string][]byte{}
	for i := range maxZipEntries + 1 {
		many[fmt.Sprintf("f%d", i)] = nil
	}
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name string
		file string
		data []byte
		lim  Limits
		key  string
		args []any
	}{
		{"too large", "g.csv", bytes.Repeat([]byte("a,b\n"), 300), Limits{MaxBytes: 1000}, KeyTooLarge, []any{"Max", "1000 B"}},
		{"too large, default", "g.csv", make([]byte, 10<<20+1), Limits{}, KeyTooLarge, []any{"Max", "10 MB"}},
		{"too many rows, csv", "g.csv", []byte("A\n1\n\n2\n3\n"), small, KeyTooManyRows, []any{"Max", 2}},
		{"too many rows, xlsx", "g.xlsx", workbook(t, func(f *excelize.File) {
			for r := 1; r <= 4; r++ {
				must(t, f.SetCellValue("Sheet1", fmt.Sprint("A", r), r))
			}
		}), small, KeyTooManyRows, []any{"Max", 2}},
		{"too many columns, header", "g.csv", []byte("a;b;c;d\n"), small, KeyTooManyColumns, []any{"Max", 3}},
		{"too many columns, a far cell in a data row", "g.xlsx", workbook(t, func(f *excelize.File) {
			must(t, f.SetCellValue("Sheet1", "A1", "Name"))
			must(t, f.SetCellValue("Sheet1", "XFD2", "far"))
		}), small, KeyTooManyColumns, []any{"Max", 3}},
		{"cell too long, runes counted", "g.csv", []byte("Name\nИвановы\n"), small, KeyCellTooLong, []any{"Row", 2, "Max", 6}},
		{"cell too long, header", "g.csv", []byte("Surname\n"), small, KeyCellTooLong, []any{"Row", 1, "Max", 6}},
		{"zip bomb: one large entry", "g.xlsx", zipOf(t, map[string][]byte{"xl/worksheets/sheet1.xml": make([]byte, 2<<20)}), small, KeyUnpackedTooLarge, []any{"Max", "1 MB"}},
		{"zip bomb: entries adding up", "g.xlsx", zipOf(t, map[string][]byte{"a": make([]byte, 600<<10), "b": make([]byte, 600<<10)}), small, KeyUnpackedTooLarge, []any{"Max", "1 MB"}},
		{"zip bomb: too many entries", "g.xlsx", zipOf(t, many), Limits{}, KeyUnpackedTooLarge, []any{"Max", "100 MB"}},
		{"old xls", "g.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...), Limits{}, KeyOldXLS, nil},
		{"pdf", "g.csv", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"), Limits{}, KeyNotSpreadsheet, nil},
		{"png", "g.xlsx", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), Limits{}, KeyNotSpreadsheet, nil},
		{"html saved as xls", "g.xls", []byte("<html><table><tr><td>x</td></tr></table></html>"), Limits{}, KeyNotSpreadsheet, nil},
		{"random bytes", "g.csv", random, Limits{}, KeyNotSpreadsheet, nil},
		{"random bytes named xlsx", "g.xlsx", random, Limits{}, KeyCorrupt, nil},
		{"truncated xlsx", "g.xlsx", valid[:len(valid)/2], Limits{}, KeyCorrupt, nil},
		{"xlsx with a damaged entry", "g.xlsx", damage(valid), Limits{}, KeyCorrupt, nil},
		{"a zip that is no workbook", "g.xlsx", zipOf(t, map[string][]byte{"word/document.xml": []byte("<w/>")}), Limits{}, KeyNotSpreadsheet, nil},
		{"empty file", "g.csv", nil, Limits{}, KeyEmpty, nil},
		{"only empty rows", "g.csv", []byte(" \r\n,,,\r\n\r\n"), Limits{}, KeyEmpty, nil},
		{"empty workbook", "g.xlsx", workbook(t, func(*excelize.File) {}), Limits{}, KeyEmpty, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(tt.file, bytes.NewReader(tt.data), tt.lim)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, %v; want *Error %s", got, err, tt.key)
			}
			if e.Key != tt.key || !reflect.DeepEqual(e.Args, tt.args) {
				t.Errorf("got %s %v, want %s %v (%v)", e.Key, e.Args, tt.key, tt.args, e)
			}
		})
	}
	t.Run("failing reader", func(t *testing.T) {
		_, err := Read("g.csv", iotest.ErrReader(errors.New("connection reset")), Limits{})
		var e *Error
		if !errors.As(err, &e) || e.Key != KeyCorrupt || !strings.Contains(err.Error(), "connection reset") {
			t.Errorf("got %v", err)
		}
	})
}
