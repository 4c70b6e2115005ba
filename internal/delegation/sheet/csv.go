package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

func readCSV(data []byte, lim Limits) (*Table, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, refuse(KeyCorrupt, err)
	}
	if looksBinary(text) {
		return nil, refuse(KeyNotSpreadsheet, nil)
	}
	// Files from old Mac tools end lines with a lone CR, which encoding/csv
	// does not take for a line break.
	if !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	delim, text := delimiter(text)
	b := builder{t: &Table{Format: "csv", Encoding: enc, Delimiter: delim}, lim: lim}

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = delim, true, -1
	// encoding/csv skips blank lines, but Excel shows each as an empty row,
	// so row numbers are counted from the line each record starts on:
	// every line between two records that no record consumed was blank.
	row, lines, off := 0, 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, refuse(KeyCorrupt, err)
		}
		start, _ := cr.FieldPos(0)
		row += start - lines
		next := int(cr.InputOffset())
		lines += strings.Count(text[off:next], "\n")
		off = next
		if err := b.add(rec, row); err != nil {
			return nil, err
		}
	}
	return b.table()
}

// decodeText turns the upload into UTF-8 and names the encoding it came in.
// Excel writes UTF-8 with a BOM ("CSV UTF-8"), UTF-16LE with a BOM ("Unicode
// text") and, on Russian-locale Windows, plain Windows-1251 ("CSV"). Text
// that is not valid UTF-8 is taken for the last, the only legacy code page
// the protocol office meets.
func decodeText(data []byte) (text, enc string, err error) {
	var b []byte
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return string(data[len(bomUTF8):]), "utf-8-bom", nil
	case bytes.HasPrefix(data, bomUTF16LE):
		enc = "utf-16le"
		b, err = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	case bytes.HasPrefix(data, bomUTF16BE):
		enc = "utf-16be"
		b, err = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	default:
		enc = "windows-1251"
		b, err = charmap.Windows1251.NewDecoder().Bytes(data)
	}
	return string(b), enc, err
}

// looksBinary tells junk (an executable, an archive, a UTF-16 file without
// its BOM) from text: text has no NUL and hardly any control characters,
// while any decoding of random bytes has one in eight.
func looksBinary(text string) bool {
	ctl := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == 0:
			return true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F:
			ctl++
		}
	}
	if ctl*100 > len(text) {
		return true
	}
	// An HTML or XML document (often saved as .xls by older systems) would
	// otherwise read as a one-column sheet of markup.
	head := strings.ToLower(strings.TrimLeft(text[:min(len(text), 64)], " \t\r\n\uFEFF"))
	for _, p := range []string{"<?xml", "<!doctype", "<html", "<table"} {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

// delimiter picks the delimiter from the header line: Excel writes ';' where
// the decimal separator is a comma (as in az and ru locales), ',' elsewhere,
// and TAB for "Unicode text". It honours Excel's own "sep=;" first line and
// returns the text without it.
func delimiter(text string) (rune, string) {
	if rest, ok := strings.CutPrefix(text, "sep="); ok {
		if r, size := utf8.DecodeRuneInString(rest); r == ',' || r == ';' || r == '\t' {
			if line, after, _ := strings.Cut(rest[size:], "\n"); strings.TrimSpace(line) == "" {
				return r, after
			}
		}
	}
	var comma, semicolon, tab int
	quoted, started := false, false
	for _, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '\n' && started:
			return pick(comma, semicolon, tab), text
		case r == ',':
			comma++
		case r == ';':
			semicolon++
		case r == '\t':
			tab++
		}
		started = started || r > ' '
	}
	return pick(comma, semicolon, tab), text
}

// pick prefers ',' on a tie, the format's own default.
func pick(comma, semicolon, tab int) rune {
	switch {
	case semicolon > comma && semicolon >= tab:
		return ';'
	case tab > comma && tab > semicolon:
		return '\t'
	}
	return ','
}
