package browsertest

import (
	"regexp"
	"strings"
	"testing"
)

// pdfRows splits the text of a printed table's page (pdftotext -layout,
// the lines after its header) into rows: a row is the line rowStart
// matches and the lines its wrapped cells continue on, up to the next row.
// Blank lines and those skip matches (the page's footer) are left out. A
// page that starts with the rest of a row is an error: a row split by the
// page break.
func pdfRows(t *testing.T, page int, lines []string, rowStart *regexp.Regexp, skip func(string) bool) [][]string {
	t.Helper()
	var blocks [][]string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" || skip(l) {
			continue
		}
		if rowStart.MatchString(l) {
			blocks = append(blocks, []string{l})
			continue
		}
		if len(blocks) == 0 {
			t.Errorf("page %d starts with the rest of a row split by the page break: %q", page, l)
			continue
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], l)
	}
	return blocks
}
