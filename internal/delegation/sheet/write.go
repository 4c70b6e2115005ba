package sheet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// formulaStarts are the first characters that make Excel, LibreOffice or
// Google Sheets take a cell for a formula (OWASP "CSV injection").
const formulaStarts = "=+-@\t\r"

// dangerous reports whether s, once any leading apostrophes are ignored,
// starts like a formula. Ignoring them lets Neutralize escape a value that
// already looks neutralised, so Restore(Neutralize(s)) == s for every s.
func dangerous(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}

// Neutralize makes a cell safe for spreadsheets: a value starting with
// = + - @ TAB or CR gets a leading apostrophe, so a guest named
// "=HYPERLINK(…)" stays text when the export is opened. A value that is
// already an apostrophe followed by such a character gets one more, so that
// Restore gives it back unchanged.
func Neutralize(s string) string {
	if dangerous(s) {
		return "'" + s
	}
	return s
}

// Restore undoes Neutralize on import: a leading apostrophe followed by
// = + - @ TAB or CR (after any further apostrophes) is removed. An exported
// "'+994 12 555 01 01" thus imports as "+994 12 555 01 01".
func Restore(s string) string {
	if strings.HasPrefix(s, "'") && dangerous(s) {
		return s[1:]
	}
	return s
}

var errClosed = errors.New("sheet: writer is closed")

// CSVWriter writes UTF-8 CSV with a BOM (without it Excel reads UTF-8 as the
// local code page and garbles Azerbaijani and Cyrillic), comma-delimited,
// with CRLF line ends, every cell passed through Neutralize.
//
// It does its own quoting because encoding/csv's CRLF mode drops a lone CR
// inside a cell; and it quotes every cell holding ';' or TAB too, so that
// the delimiter sniffing of Read (and of people's spreadsheet programs)
// cannot mistake the header line for a semicolon- or TAB-separated one.
type CSVWriter struct {
	w      *bufio.Writer
	line   []byte
	bom    bool // written
	closed bool
}

// NewCSVWriter returns a CSVWriter on w. Nothing is written until the first
// Write or Close.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriter(w)}
}

// Write writes one row.
func (w *CSVWriter) Write(row []string) error {
	if w.closed {
		return errClosed
	}
	if !w.bom {
		w.bom = true
		w.line = append(w.line[:0], bomUTF8...)
	} else {
		w.line = w.line[:0]
	}
	for i, c := range row {
		if i > 0 {
			w.line = append(w.line, ',')
		}
		c = Neutralize(c)
		if strings.ContainsAny(c, "\",;\t\r\n") || strings.TrimSpace(c) != c {
			w.line = append(w.line, '"')
			w.line = append(w.line, strings.ReplaceAll(c, `"`, `""`)...)
			w.line = append(w.line, '"')
		} else {
			w.line = append(w.line, c...)
		}
	}
	w.line = append(w.line, '\r', '\n')
	if _, err := w.w.Write(w.line); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	return nil
}

// Close flushes what is buffered; it does not close the underlying writer.
func (w *CSVWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if !w.bom {
		w.bom = true
		if _, err := w.w.Write(bomUTF8); err != nil {
			return fmt.Errorf("sheet: write csv: %w", err)
		}
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	return nil
}

// XLSXWriter streams an XLSX with one sheet through excelize's
// StreamWriter, so an export of many rows does not build the sheet in
// memory. The first row is the header: bold and frozen. Every cell is a
// string cell passed through Neutralize, never a formula or a number, so
// phone numbers keep their "+" and leading zeros.
type XLSXWriter struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	bold   int
	row    int
	closed bool
	cells  []any
}

// NewXLSXWriter starts a workbook whose only sheet is named sheetName
// (made valid for Excel: at most 31 characters, none of : \ / ? * [ ]).
func NewXLSXWriter(w io.Writer, sheetName string) (*XLSXWriter, error) {
	f := excelize.NewFile()
	x, err := newXLSXWriter(w, f, sheetTitle(sheetName))
	if err != nil {
		if cerr := f.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, fmt.Errorf("sheet: new xlsx: %w", err)
	}
	return x, nil
}

func newXLSXWriter(w io.Writer, f *excelize.File, name string) (*XLSXWriter, error) {
	if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	// The stream writer writes the sheet's used range before the rows,
	// as "A1"; readers that trust it (openpyxl in read-only mode, and so
	// pandas) then see one cell. Without the element they read the rows.
	if err := f.SetSheetDimension(name, ""); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	// Panes must be set before the first row is streamed.
	err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err != nil {
		return nil, err
	}
	return &XLSXWriter{w: w, f: f, sw: sw, bold: bold}, nil
}

// sheetTitle makes name acceptable as an Excel sheet name.
func sheetTitle(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	units := 0 // Excel counts the 31 characters in UTF-16 units
	for i, r := range name {
		if units += utf16.RuneLen(r); units > 31 {
			name = name[:i]
			break
		}
	}
	name = strings.Trim(strings.TrimSpace(name), "'")
	if name == "" {
		return "Sheet1"
	}
	return name
}

// Write writes one row; the first row written is the header.
func (x *XLSXWriter) Write(row []string) error {
	if x.closed {
		return errClosed
	}
	x.row++
	x.cells = x.cells[:0]
	for _, c := range row {
		if x.row == 1 {
			x.cells = append(x.cells, excelize.Cell{StyleID: x.bold, Value: Neutralize(c)})
		} else {
			x.cells = append(x.cells, Neutralize(c))
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err == nil {
		err = x.sw.SetRow(cell, x.cells)
	}
	if err != nil {
		return fmt.Errorf("sheet: write xlsx row %d: %w", x.row, err)
	}
	return nil
}

// Close flushes the stream and writes the workbook to w; it does not close
// w. The workbook's temporary files are removed even when writing fails.
func (x *XLSXWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	err := x.sw.Flush()
	if err == nil {
		_, err = x.f.WriteTo(x.w)
	}
	if cerr := x.f.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("sheet: write xlsx: %w", err)
	}
	return nil
}
