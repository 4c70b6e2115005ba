// Package sheet reads and writes the protocol office's guest spreadsheets
// (CSV and XLSX). It knows nothing of guests, databases or HTTP: Read turns an
// upload into a Table of strings, and the writers stream rows out. Both
// directions assume hostile files: uploads are bounded in size, rows,
// columns, cell length and unpacked size, and every written cell is
// neutralised against formula injection.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits bound what Read accepts. A zero field takes its default, so callers
// can set only the limits they care about.
type Limits struct {
	MaxBytes    int64 // size of the uploaded file (default 10 MiB)
	MaxRows     int   // data rows after the header (default 20000)
	MaxUnpacked int64 // XLSX: total uncompressed size of the zip entries (default 100 MiB)
	MaxColumns  int   // columns up to the last non-empty cell of any row (default 100)
	MaxCell     int   // runes per cell (default 4000)
}

// DefaultLimits returns the limits for the guest import: far above a real
// guest list, far below what would hurt the server.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxRows: 20000, MaxUnpacked: 100 << 20, MaxColumns: 100, MaxCell: 4000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxUnpacked <= 0 {
		l.MaxUnpacked = d.MaxUnpacked
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxCell <= 0 {
		l.MaxCell = d.MaxCell
	}
	return l
}

// Table is a read sheet: the header row and the data rows, every row
// padded or trimmed to len(Header).
type Table struct {
	Format    string     // "csv" or "xlsx"
	Encoding  string     // CSV: "utf-8", "utf-8-bom", "utf-16le", "utf-16be" or "windows-1251"; "" for XLSX
	Delimiter rune       // CSV: ',', ';' or '\t'; 0 for XLSX
	Header    []string   // trimmed of surrounding spaces; trailing empty header cells are dropped
	Rows      [][]string // data rows, empty rows skipped; a header-only file gives none
	// Line[i] is the row number of Rows[i] as a spreadsheet program shows it
	// (the header is usually row 1), so import errors can point at a row the
	// user can find. For CSV a record that spans several lines (a quoted
	// cell with line breaks) is one row, as in Excel, and blank lines count.
	Line []int
}

// Error is a refusal that the user should read: Key is a translation key and
// Args are name/value pairs for its placeholders, ready for i18n's
// T(loc, e.Key, e.Args...). Err, when set, is the underlying cause for logs.
type Error struct {
	Key  string
	Args []any
	Err  error
}

// The keys of Error. The catalogs in internal/i18n translate them.
const (
	KeyTooLarge         = "import.error.too_large"
	KeyTooManyRows      = "import.error.too_many_rows"
	KeyTooManyColumns   = "import.error.too_many_columns"
	KeyUnpackedTooLarge = "import.error.unpacked_too_large"
	KeyNotSpreadsheet   = "import.error.not_a_spreadsheet"
	KeyOldXLS           = "import.error.old_xls"
	KeyCorrupt          = "import.error.corrupt"
	KeyEmpty            = "import.error.empty"
	KeyCellTooLong      = "import.error.cell_too_long"
)

// Error describes the refusal for logs; users see the translated Key.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sheet: ")
	b.WriteString(e.Key)
	for i := 0; i+1 < len(e.Args); i += 2 {
		fmt.Fprintf(&b, " %v=%v", e.Args[i], e.Args[i+1])
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func refuse(key string, cause error, args ...any) *Error {
	return &Error{Key: key, Args: args, Err: cause}
}

// Magic numbers of files people upload by mistake. Old .xls (OLE2) gets its
// own message because the fix is simple: "save as .xlsx".
var (
	magicXLSX = []byte("PK\x03\x04")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicJunk = [][]byte{
		[]byte("%PDF"), []byte("\x89PNG"), {0xFF, 0xD8, 0xFF}, []byte("GIF8"),
		[]byte("\x1f\x8b"), []byte("Rar!"), []byte("7z\xbc\xaf"), []byte("{\\rtf"),
		[]byte("PK"), // any other zip flavour (empty or spanned archives)
	}
)

// Read reads a CSV or XLSX upload. name is the uploaded file's name; its
// extension is only a hint, the content decides (a CSV renamed to .xlsx
// still reads). Every refusal is an *Error, including a failing r and a
// panic inside the XLSX library, so the caller has one kind of error to
// show. Read keeps the (bounded) file in memory.
func Read(name string, r io.Reader, lim Limits) (t *Table, err error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, refuse(KeyCorrupt, fmt.Errorf("read upload: %w", err))
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, refuse(KeyTooLarge, nil, "Max", humanSize(lim.MaxBytes))
	}
	if len(data) == 0 {
		return nil, refuse(KeyEmpty, nil)
	}
	// excelize is large and has panicked on malformed files before; a bad
	// upload must cost the user an error message, not the server a request.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, refuse(KeyCorrupt, fmt.Errorf("panic: %v", p))
		}
	}()
	switch {
	case bytes.HasPrefix(data, magicXLSX):
		return readXLSX(data, lim)
	case bytes.HasPrefix(data, magicOLE):
		return nil, refuse(KeyOldXLS, nil)
	}
	for _, m := range magicJunk {
		if bytes.HasPrefix(data, m) {
			return nil, refuse(KeyNotSpreadsheet, nil)
		}
	}
	t, err = readCSV(data, lim)
	var e *Error
	if errors.As(err, &e) && e.Key == KeyNotSpreadsheet && isXLSXName(name) {
		// Binary content under an .xlsx name is a damaged workbook rather
		// than the wrong kind of file.
		e.Key = KeyCorrupt
	}
	return t, err
}

func isXLSXName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return true
	}
	return false
}

// builder collects rows into a Table, enforcing the limits that CSV and
// XLSX share, so both formats refuse the same things the same way.
type builder struct {
	t   *Table
	lim Limits
}

// add takes one row of the file at spreadsheet row line. It may keep cells.
func (b *builder) add(cells []string, line int) error {
	// Trailing empty cells are formatting noise (Excel exports ";;;;"), so
	// they count neither as columns nor as content.
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	if n == 0 {
		return nil // an empty row
	}
	if n > b.lim.MaxColumns {
		return refuse(KeyTooManyColumns, nil, "Max", b.lim.MaxColumns)
	}
	t := b.t
	if t.Header != nil {
		if len(t.Rows) >= b.lim.MaxRows {
			return refuse(KeyTooManyRows, nil, "Max", b.lim.MaxRows)
		}
		n = len(t.Header)
	}
	row := make([]string, n)
	copy(row, cells)
	for i, c := range row {
		if utf8.RuneCountInString(c) > b.lim.MaxCell {
			return refuse(KeyCellTooLong, nil, "Row", line, "Max", b.lim.MaxCell)
		}
		row[i] = Restore(c)
	}
	if t.Header == nil {
		for i, c := range row {
			row[i] = strings.TrimFunc(c, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
		}
		t.Header = row
		return nil
	}
	t.Rows = append(t.Rows, row)
	t.Line = append(t.Line, line)
	return nil
}

func (b *builder) table() (*Table, error) {
	if b.t.Header == nil {
		return nil, refuse(KeyEmpty, nil)
	}
	return b.t, nil
}

// humanSize renders a limit for a message: "10 MB", "512 KB".
func humanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
