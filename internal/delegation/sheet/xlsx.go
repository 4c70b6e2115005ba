package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxZipEntries bounds the zip directory: a real workbook has dozens of
// entries, a zip bomb may have millions of tiny ones.
const maxZipEntries = 10000

func readXLSX(data []byte, lim Limits) (t *Table, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, refuse(KeyCorrupt, err)
	}
	// The declared sizes are checked before excelize inflates anything;
	// archive/zip refuses an entry that inflates past its declared size, so
	// a lying directory cannot get around this.
	bomb := refuse(KeyUnpackedTooLarge, nil, "Max", humanSize(lim.MaxUnpacked))
	if len(zr.File) > maxZipEntries {
		return nil, bomb
	}
	var total uint64
	workbook := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(lim.MaxUnpacked) || total > uint64(lim.MaxUnpacked) {
			return nil, bomb
		}
		workbook = workbook || strings.HasSuffix(strings.ToLower(f.Name), "workbook.xml")
	}
	if !workbook {
		return nil, refuse(KeyNotSpreadsheet, nil) // a .docx, an .ods, a plain zip
	}

	// excelize spills parts larger than UnzipXMLSizeLimit to temporary
	// files, and leaks them when opening fails half-way: give it a
	// directory of its own and remove it whatever happens.
	tmp, err := os.MkdirTemp("", "vigil-sheet-")
	if err != nil {
		return nil, refuse(KeyCorrupt, fmt.Errorf("temporary directory: %w", err))
	}
	defer func() {
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			t, err = nil, refuse(KeyCorrupt, fmt.Errorf("remove temporary directory: %w", rmErr))
		}
	}()
	// UnzipSizeLimit repeats the check above inside excelize;
	// UnzipXMLSizeLimit keeps a sheet or string table larger than 16 MiB on
	// disk rather than in memory while Rows streams it.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxUnpacked,
		UnzipXMLSizeLimit: min(lim.MaxUnpacked, 16<<20),
		TmpDir:            tmp,
	})
	if err != nil {
		return nil, refuse(KeyCorrupt, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			t, err = nil, refuse(KeyCorrupt, fmt.Errorf("close workbook: %w", cerr))
		}
	}()

	sheet, ok := firstVisibleSheet(f)
	if !ok {
		return nil, refuse(KeyCorrupt, nil)
	}
	if err := normalizeNumberFormats(f); err != nil {
		return nil, refuse(KeyCorrupt, err)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, refuse(KeyCorrupt, err)
	}
	defer func() {
		if cerr := rows.Close(); cerr != nil && err == nil {
			t, err = nil, refuse(KeyCorrupt, cerr)
		}
	}()
	b := builder{t: &Table{Format: "xlsx"}, lim: lim}
	// Next also stops at each row missing from the file (empty rows are not
	// stored), so counting calls gives the row numbers Excel shows.
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, refuse(KeyCorrupt, err)
		}
		if err := b.add(cells, line); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, refuse(KeyCorrupt, err)
	}
	return b.table()
}

// firstVisibleSheet is the sheet Excel opens on for most files; the
// protocol office keeps notes and lookups on hidden sheets.
func firstVisibleSheet(f *excelize.File) (string, bool) {
	list := f.GetSheetList()
	for _, name := range list {
		if visible, err := f.GetSheetVisible(name); err == nil && visible {
			return name, true
		}
	}
	if len(list) > 0 {
		return list[0], true
	}
	return "", false
}

// Kinds of number format, as far as an import cares.
const (
	fmtOther = iota // leave as excelize formats it: "0.00", "000000" (keeps leading zeros)
	fmtGeneral
	fmtDate
	fmtTime
	fmtDateTime
)

// normalizeNumberFormats rewrites the workbook's cell styles in memory
// before reading. Rows() reads cells as displayed, and a display format is
// the wrong thing to import in two cases: dates come out in the author's
// locale ("15.03.25", "3/15/25"), and General numbers come out shortened
// the way Excel shows them in a narrow column ("9.945012346E+11" for a
// phone number). So date and time formats become ISO ones, and General
// becomes "no format", for which excelize returns the stored number in
// full. The streaming reader exposes no cell styles, so this is the only
// way to tell a date from a number without loading the whole sheet. (A
// cell of the rare ISO-date type t="d" without a style still reads as a
// serial number: excelize converts it before any format applies.)
//
// The ISO codes carry an explicit locale, [$-409]: without one excelize
// scans its whole language table for every date cell, which made reading
// 10,000 dates take a quarter of a second.
func normalizeNumberFormats(f *excelize.File) error {
	ss := f.Styles
	if ss == nil || ss.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	// NewStyle below appends styles of our own; only the file's are rewritten.
	n := len(ss.CellXfs.Xf)
	// General points at an id excelize knows no format for, so it returns
	// the stored value.
	iso := map[int]*int{fmtGeneral: new(-1)}
	for _, k := range []struct {
		kind int
		code string
	}{{fmtDate, "[$-409]yyyy-mm-dd"}, {fmtTime, "[$-409]hh:mm"}, {fmtDateTime, "[$-409]yyyy-mm-dd hh:mm"}} {
		style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &k.code})
		if err != nil {
			return fmt.Errorf("add %s format: %w", k.code, err)
		}
		if style < 0 || style >= len(ss.CellXfs.Xf) || ss.CellXfs.Xf[style].NumFmtID == nil {
			return fmt.Errorf("add %s format: style %d has no number format", k.code, style)
		}
		iso[k.kind] = ss.CellXfs.Xf[style].NumFmtID
	}
	for i := range ss.CellXfs.Xf[:n] {
		xf := &ss.CellXfs.Xf[i]
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		if to, ok := iso[formatKind(id, custom)]; ok {
			xf.NumFmtID = to
		}
	}
	return nil
}

// formatKind classifies a number format by its id: a custom code from the
// workbook, else one of Excel's built-in ids.
func formatKind(id int, custom map[int]string) int {
	if code, ok := custom[id]; ok {
		return codeKind(code)
	}
	switch {
	case id == 0:
		return fmtGeneral
	case 14 <= id && id <= 17, 27 <= id && id <= 31, 50 <= id && id <= 58:
		return fmtDate
	case 18 <= id && id <= 21, 32 <= id && id <= 35, 45 <= id && id <= 47:
		return fmtTime
	case id == 22:
		return fmtDateTime
	}
	return fmtOther
}

// codeKind classifies a custom format code by the date and time letters in
// its first section, skipping quoted text, escapes and [colour]/[$-locale]
// tags. "m" alone is a month; beside "h" or "s" it is taken for minutes.
func codeKind(code string) int {
	if strings.EqualFold(strings.TrimSpace(code), "general") {
		return fmtGeneral
	}
	var date, clock, month bool
	for i := 0; i < len(code); i++ {
		switch c := code[i] | 0x20; { // ASCII lower case
		case code[i] == ';':
			i = len(code)
		case code[i] == '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case code[i] == '\\', code[i] == '_', code[i] == '*':
			i++ // the next character is literal or padding
		case code[i] == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				j = len(code) - i
			}
			tag := strings.ToLower(code[i+1 : i+j])
			if tag != "" && strings.Trim(tag, "hms") == "" {
				clock = true // elapsed time: [h]:mm:ss
			}
			i += j
		case c == 'y' || c == 'd':
			date = true
		case c == 'h' || c == 's':
			clock = true
		case c == 'm':
			month = true
		}
	}
	date = date || month && !clock
	switch {
	case date && clock:
		return fmtDateTime
	case date:
		return fmtDate
	case clock:
		return fmtTime
	}
	return fmtOther
}
