package checkin_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// openpyxlRows opens an XLSX file with openpyxl, a spreadsheet reader
// written apart from the library that made the file (Debian's
// python3-openpyxl, which deploy/local/chromium.sh installs), and returns
// the first sheet's cells as text. Without it the check is skipped, except
// under CI.
func openpyxlRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import openpyxl").Run() == nil {
			py = path
			break
		}
	}
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("openpyxl not found (apt-get install python3-openpyxl): the XLSX is not opened by a second reader")
		}
		t.Skip("openpyxl not found: the XLSX is not opened by a second reader (apt-get install python3-openpyxl)")
	}
	file := filepath.Join(t.TempDir(), "export.xlsx")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const script = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb.worksheets[0]
print(json.dumps([["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]))
`
	out, err := exec.Command(py, "-c", script, file).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("openpyxl cannot open the XLSX: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("openpyxl: %v", err)
	}
	var rows [][]string
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("openpyxl output: %v", err)
	}
	return rows
}
