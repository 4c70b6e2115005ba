package checkin

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation/sheet"
	"vigil/internal/view"
)

// sheetWriter is a CSV or XLSX writer of the sheet package.
type sheetWriter interface {
	Write(row []string) error
	Close() error
}

// sheetTypes are the content types of the spreadsheet downloads, by
// extension.
var sheetTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// sendSheet sends a spreadsheet download, file, as CSV or XLSX after its
// extension ext (the XLSX's one sheet named sheetName): write gives it
// the rows. Every cell goes through the sheet package's writers, which
// neutralise formula injection. what names the export in errors.
func sendSheet(c echo.Context, what, ext, file, sheetName string, write func(w sheetWriter) error) error {
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, sheetTypes[ext])
	resp.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+url.PathEscape(file)+`"`)
	resp.Header().Set("Cache-Control", "no-store")
	var w sheetWriter = sheet.NewCSVWriter(resp)
	if ext == "xlsx" {
		x, err := sheet.NewXLSXWriter(resp, sheetName)
		if err != nil {
			return fmt.Errorf("checkin: export %s: %w", what, err)
		}
		w = x
	}
	err := write(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if resp.Committed {
			// The status is sent; an error page cannot replace half a
			// file, so the log is the only place this shows.
			slog.Error("checkin: "+what+" export failed mid-stream", "request_id", view.RequestID(c), "err", err)
		}
		return fmt.Errorf("checkin: export %s %s: %w", what, ext, err)
	}
	if !resp.Committed {
		resp.WriteHeader(http.StatusOK)
	}
	return nil
}
