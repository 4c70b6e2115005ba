package sheet

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// guestRow is a row as the protocol office fills it: 14 columns, mostly
// text, a date and a phone number stored as a number.
func guestRow(i int) []any {
	return []any{
		i, azNames, azMore, "Azərbaycan Respublikası", "Nazir müavini", "Xarici İşlər Nazirliyi",
		fmt.Sprintf("guest%d@example.az", i), 994501234567 + i, time.Date(2025, 5, 9, 0, 0, 0, 0, time.UTC),
		"A", i % 40, "VIP", "Gülər xanımla", ruName,
	}
}

func BenchmarkReadXLSX10000(b *testing.B) {
	data := workbook(b, func(f *excelize.File) {
		for r := 1; r <= 10001; r++ {
			row := guestRow(r)
			if r == 1 {
				row = []any{"No", "Surname", "Name", "Country", "Title", "Organisation", "Email", "Phone", "Arrival", "Zone", "Seat", "Category", "Companion", "Interpreter"}
			}
			must(b, f.SetSheetRow("Sheet1", fmt.Sprint("A", r), &row))
		}
	})
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		tab, err := Read("guests.xlsx", bytes.NewReader(data), DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		if len(tab.Rows) != 10000 || tab.Rows[9999][8] != "2025-05-09" {
			b.Fatalf("read %d rows, last %q", len(tab.Rows), tab.Rows[len(tab.Rows)-1])
		}
	}
}

func BenchmarkWriteXLSX10000(b *testing.B) {
	rows := make([][]string, 10001)
	for i := range rows {
		for _, v := range guestRow(i) {
			rows[i] = append(rows[i], fmt.Sprint(v))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewXLSXWriter(io.Discard, "Guests")
		if err != nil {
			b.Fatal(err)
		}
		for _, row := range rows {
			if err := w.Write(row); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
