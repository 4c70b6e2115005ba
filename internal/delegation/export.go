package delegation

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation/sheet"
	"vigil/internal/view"
)

// exportHeader is the export's header row: the import's columns under
// their English labels, which the import recognises.
func exportHeader() []string {
	h := make([]string, len(importFields))
	for i, f := range importFields {
		h[i] = importLabels[f]
	}
	return h
}

// exportVIP writes the VIP flag as the import reads it.
func exportVIP(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// rowWriter is what both spreadsheet writers do.
type rowWriter interface {
	Write(row []string) error
	Close() error
}

// exportGuests calls each with every guest matching q, in the order of q
// (precedence by default), as a row of importFields. Rows come from a
// database cursor, one at a time, so twenty thousand guests never sit in
// memory together.
func (s *Store) exportGuests(ctx context.Context, q GuestQuery, each func(row []string) error) error {
	where, order := s.guestsMatching(ctx, q), q.order()
	rows, err := where.Select(`g.honorific, g.given_name, g.family_name, g.printed_name, g.position, g.organisation,
		coalesce(d.name, ''), g.email, g.phone, g.language, g.accessibility_needs, g.dietary_needs, g.vip,
		g.restricted_notes`).Order(order).Rows()
	if err != nil {
		return fmt.Errorf("delegation: export guests: %w", err)
	}
	defer rows.Close()
	row := make([]string, len(importFields))
	dest := make([]any, len(importFields))
	var vip bool
	for i := range row {
		dest[i] = &row[i]
	}
	dest[importFieldIndex[impVIP]] = &vip
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("delegation: export guests: scan: %w", err)
		}
		row[importFieldIndex[impVIP]] = exportVIP(vip)
		if err := each(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("delegation: export guests: %w", err)
	}
	return nil
}

// exportQuery reads the directory's filters from the query string: the
// export holds what the directory page shows.
func exportQuery(c echo.Context) GuestQuery {
	q := GuestQuery{
		Text: c.QueryParam("q"), Kind: c.QueryParam("kind"), Language: c.QueryParam("language"),
		Sort: c.QueryParam("sort"), Locale: view.Locale(c),
	}
	if id, err := strconv.ParseInt(c.QueryParam("delegation"), 10, 64); err == nil && id > 0 {
		q.DelegationID = id
	}
	switch strings.ToLower(c.QueryParam("vip")) {
	case "on", "1", "true", "yes":
		q.VIPOnly = true
	}
	return q
}

// ExportCSV serves GET /guests/export.csv: the directory as CSV (UTF-8
// with BOM, so Excel reads the names right).
func (h *Handler) ExportCSV(c echo.Context) error {
	return h.export(c, "csv", "text/csv; charset=utf-8", func() (rowWriter, error) {
		return sheet.NewCSVWriter(c.Response()), nil
	})
}

// ExportXLSX serves GET /guests/export.xlsx: the directory as a workbook.
func (h *Handler) ExportXLSX(c echo.Context) error {
	return h.export(c, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func() (rowWriter, error) {
		return sheet.NewXLSXWriter(c.Response(), "Guests")
	})
}

// export streams the guests matching the directory's filters through the
// writer open makes, every cell neutralised against formula injection.
// With ?template=1 it is the header alone: a blank file to fill in.
func (h *Handler) export(c echo.Context, ext, contentType string, open func() (rowWriter, error)) error {
	q := exportQuery(c)
	template := c.QueryParam("template") == "1"
	name := "guests-" + h.now().Format("2006-01-02") + "." + ext
	if template {
		name = "guests-template." + ext
	}
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, contentType)
	resp.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	resp.Header().Set("Cache-Control", "no-store") // restricted notes are in it
	w, err := open()
	if err != nil {
		return err
	}
	err = w.Write(exportHeader())
	if err == nil && !template {
		err = h.store.exportGuests(c.Request().Context(), q, w.Write)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if resp.Committed {
			// The status is sent; the error page cannot replace a half
			// file, so the log is the only place this shows.
			slog.Error("delegation: export failed mid-stream", "request_id", view.RequestID(c), "err", err)
		}
		return fmt.Errorf("delegation: export %s: %w", ext, err)
	}
	if !resp.Committed {
		resp.WriteHeader(http.StatusOK)
	}
	return nil
}
