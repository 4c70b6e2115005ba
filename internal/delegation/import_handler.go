package delegation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation/sheet"
	"vigil/internal/view"
)

// Template names of the spreadsheet import.
const (
	tmplImportUpload  = "delegation/import_upload"
	tmplImportMapping = "delegation/import_mapping"
	tmplImportPreview = "delegation/import_preview"
	tmplImportDone    = "delegation/import_done"
)

// importViews are the templates of the spreadsheet import.
var importViews = []string{tmplImportUpload, tmplImportMapping, tmplImportPreview, tmplImportDone}

// importPerPage is how many rows one page of the preview shows; every row
// is checked whatever the page.
const importPerPage = 200

// importURL is the address of upload id's pages.
func importURL(id int64, step string) string {
	u := "/guests/import/" + strconv.FormatInt(id, 10)
	if step != "" {
		u += "/" + step
	}
	return u
}

// Upload ------------------------------------------------------------------------

type importUploadData struct {
	MaxMB   int64
	MaxRows int
}

func (h *Handler) renderImportUpload(c echo.Context, status int, form *view.Form) error {
	p := h.view.Page(c, "import.upload.title")
	p.Nav = "guests"
	if form != nil {
		p.Form = form
	}
	lim := sheet.DefaultLimits()
	p.Data = importUploadData{MaxMB: lim.MaxBytes >> 20, MaxRows: lim.MaxRows}
	return h.view.Render(c, status, tmplImportUpload, p)
}

// ImportForm shows GET /guests/import: the upload form.
func (h *Handler) ImportForm(c echo.Context) error {
	return h.renderImportUpload(c, http.StatusOK, nil)
}

// Upload handles POST /guests/import: reads the file and keeps it for the
// next steps, or shows why it cannot be read. Nothing is stored for a
// refused file.
func (h *Handler) Upload(c echo.Context) error {
	refuse := func(key string, args ...any) error {
		f := view.NewForm(map[string]string{})
		f.Add("file", key, args...)
		return h.renderImportUpload(c, http.StatusUnprocessableEntity, f)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
			return refuse("import.upload.error.no_file")
		}
		return fmt.Errorf("delegation: read upload: %w", err)
	}
	lim := sheet.DefaultLimits()
	if fh.Size > lim.MaxBytes {
		return refuse(sheet.KeyTooLarge, "Max", fmt.Sprintf("%d MB", lim.MaxBytes>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("delegation: open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxBytes+1))
	if err != nil {
		return fmt.Errorf("delegation: read upload: %w", err)
	}
	name := importFilename(fh.Filename)
	t, err := sheet.Read(name, bytes.NewReader(data), lim)
	if err != nil {
		var se *sheet.Error
		if errors.As(err, &se) {
			return refuse(se.Key, se.Args...)
		}
		return fmt.Errorf("delegation: read sheet: %w", err)
	}
	if len(t.Rows) == 0 {
		return refuse("import.upload.error.no_rows")
	}
	id, err := h.store.createImport(c.Request().Context(), view.User(c).ID, name, data, t.Header)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, importURL(id, ""))
}

// importFilename keeps the last part of an uploaded file's name, at most
// 200 characters: browsers on Windows have sent whole paths.
func importFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.ToValidUTF8(strings.TrimSpace(name), "")
	if name == "" || name == "." || name == "/" {
		return "upload"
	}
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// loadImport reads upload :id; unknown ids are 404.
func (h *Handler) loadImport(c echo.Context) (*guestImport, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	gi, err := h.store.guestImportByID(c.Request().Context(), id)
	return gi, notFound(err)
}

// Mapping -----------------------------------------------------------------------

type importMappingColumn struct {
	Field    string // the form field: col0, col1 …
	Letter   string
	Header   string
	Samples  []string
	Selected string
}

type importMappingData struct {
	ID         int64
	Filename   string
	Rows       int
	Remembered bool
	Columns    []importMappingColumn
	Fields     []string
}

// ImportMapping shows GET /guests/import/:id: which column is which field.
func (h *Handler) ImportMapping(c echo.Context) error {
	gi, err := h.loadImport(c)
	if err != nil {
		return err
	}
	if gi.Status == importCommitted {
		return h.renderImportDone(c, gi)
	}
	t, err := gi.table()
	if err != nil {
		return err
	}
	m, err := gi.mapping()
	if err != nil {
		return err
	}
	remembered := false
	if m, _ = fitMapping(m, t.Header); m == nil {
		r, err := h.store.rememberedMapping(c.Request().Context(), gi.HeaderKey)
		if err != nil {
			return err
		}
		if m, _ = fitMapping(r, t.Header); m != nil {
			remembered = true
		} else {
			m = autoMap(t.Header)
		}
	}
	return h.renderImportMapping(c, http.StatusOK, gi, t, m, remembered, nil)
}

func (h *Handler) renderImportMapping(c echo.Context, status int, gi *guestImport, t *sheet.Table, m []string, remembered bool, form *view.Form) error {
	p := h.view.Page(c, "import.mapping.title")
	p.Nav = "guests"
	if form != nil {
		p.Form = form
	}
	d := importMappingData{ID: gi.ID, Filename: gi.Filename, Rows: len(t.Rows), Remembered: remembered, Fields: importFields}
	for i, hd := range t.Header {
		col := importMappingColumn{Field: importColumnField(i), Letter: importColumnLetter(i), Header: hd, Selected: m[i]}
		for _, row := range t.Rows {
			if len(col.Samples) == 3 {
				break
			}
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				col.Samples = append(col.Samples, importShort(row[i], 60))
			}
		}
		d.Columns = append(d.Columns, col)
	}
	p.Data = d
	return h.view.Render(c, status, tmplImportMapping, p)
}

// importShort cuts s to n characters for a sample.
func importShort(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// SaveImportMapping handles POST /guests/import/:id/mapping.
func (h *Handler) SaveImportMapping(c echo.Context) error {
	gi, err := h.loadImport(c)
	if err != nil {
		return err
	}
	if gi.Status == importCommitted {
		return c.Redirect(http.StatusSeeOther, importURL(gi.ID, "done"))
	}
	t, err := gi.table()
	if err != nil {
		return err
	}
	m := make([]string, len(t.Header))
	bad := false
	for i := range m {
		v := c.FormValue(importColumnField(i))
		if v != "" && !slices.Contains(importFields, v) {
			bad = true
			v = ""
		}
		m[i] = v
	}
	form := checkMapping(m)
	if bad {
		form.Add("mapping", "import.mapping.error.unknown")
	}
	if !form.Valid() {
		return h.renderImportMapping(c, http.StatusUnprocessableEntity, gi, t, m, false, form)
	}
	err = h.store.saveImportMapping(c.Request().Context(), gi.ID, m)
	if errors.Is(err, errImportCommitted) {
		return c.Redirect(http.StatusSeeOther, importURL(gi.ID, "done"))
	}
	if err != nil {
		return notFound(err)
	}
	return c.Redirect(http.StatusSeeOther, importURL(gi.ID, "preview"))
}

// Preview -----------------------------------------------------------------------

// How the preview lists rows.
const (
	importShowAll         = "all"
	importShowErrorsFirst = "errors_first"
	importShowProblems    = "problems"
)

var importShows = []string{importShowAll, importShowErrorsFirst, importShowProblems}

type importPreviewCell struct {
	Value   string
	Changed bool
}

type importPreviewRow struct {
	Line     int
	Cells    []importPreviewCell
	Errors   []string
	Warnings []string
	Action   string
	GuestID  int64
	Changed  string
}

type importPreviewData struct {
	ID                                        int64
	Filename                                  string
	Total                                     int
	Created, Updated, Unchanged, Failed, Warn int
	// Columns are the mapped fields, in the export's order.
	Columns []string
	Rows    []importPreviewRow
	Pager   view.Pager
	Show    string
	Shows   []string
	// ToImport is how many rows a commit would write or keep.
	ToImport int
	// Stale: the directory changed while the commit ran.
	Stale bool
}

// ImportPreview shows GET /guests/import/:id/preview: what the import
// would do, row by row.
func (h *Handler) ImportPreview(c echo.Context) error {
	gi, err := h.loadImport(c)
	if err != nil {
		return err
	}
	if gi.Status == importCommitted {
		return h.renderImportDone(c, gi)
	}
	plan, err := h.store.planStoredImport(c.Request().Context(), gi)
	if errors.Is(err, errImportNotMapped) {
		return c.Redirect(http.StatusSeeOther, importURL(gi.ID, ""))
	}
	if err != nil {
		return err
	}
	return h.renderImportPreview(c, http.StatusOK, gi, plan, nil, false)
}

func (h *Handler) renderImportPreview(c echo.Context, status int, gi *guestImport, plan *importPlan, form *view.Form, stale bool) error {
	p := h.view.Page(c, "import.preview.title")
	p.Nav = "guests"
	if form != nil {
		p.Form = form
	}
	show := c.QueryParam("show")
	if !slices.Contains(importShows, show) {
		show = importShowAll
	}
	rows := plan.Rows
	switch show {
	case importShowErrorsFirst:
		rows = slices.Clone(rows)
		slices.SortStableFunc(rows, func(a, b importRow) int { return importRank(a) - importRank(b) })
	case importShowProblems:
		rows = slices.DeleteFunc(slices.Clone(rows), func(r importRow) bool { return len(r.Errors) == 0 && len(r.Warnings) == 0 })
	}
	d := importPreviewData{
		ID: gi.ID, Filename: gi.Filename, Total: len(plan.Rows),
		Created: plan.Created, Updated: plan.Updated, Unchanged: plan.Unchanged, Failed: plan.Failed, Warn: plan.Warned,
		Show: show, Shows: importShows, ToImport: plan.Created + plan.Updated + plan.Unchanged, Stale: stale,
	}
	for i, f := range importFields {
		if plan.Mapped[i] {
			d.Columns = append(d.Columns, f)
		}
	}
	d.Pager = view.Paginate(c, int64(len(rows)), importPerPage)
	// A refused commit shows this page at the commit's address; its page
	// links must still lead to the preview.
	preview := importURL(gi.ID, "preview")
	for _, u := range []*string{&d.Pager.PrevURL, &d.Pager.NextURL} {
		if i := strings.IndexByte(*u, '?'); i >= 0 {
			*u = preview + (*u)[i:]
		}
	}
	end := min(d.Pager.Offset()+importPerPage, len(rows))
	for _, r := range rows[d.Pager.Offset():end] {
		pr := importPreviewRow{Line: r.Line, Action: r.Action, GuestID: r.GuestID}
		for i := range importFields {
			if plan.Mapped[i] {
				pr.Cells = append(pr.Cells, importPreviewCell{Value: r.Values[i], Changed: slices.Contains(r.Changed, importFields[i])})
			}
		}
		for _, m := range r.Errors {
			pr.Errors = append(pr.Errors, importMsgText(p, m))
		}
		for _, m := range r.Warnings {
			pr.Warnings = append(pr.Warnings, importMsgText(p, m))
		}
		var changed []string
		for _, f := range r.Changed {
			changed = append(changed, p.T("import.field."+f))
		}
		pr.Changed = strings.Join(changed, ", ")
		d.Rows = append(d.Rows, pr)
	}
	p.Data = d
	return h.view.Render(c, status, tmplImportPreview, p)
}

// importRank puts rows with errors first, then rows with warnings.
func importRank(r importRow) int {
	switch {
	case len(r.Errors) > 0:
		return 0
	case len(r.Warnings) > 0:
		return 1
	}
	return 2
}

// importMsgText translates a row's message; a field named in it is
// translated too.
func importMsgText(p *view.Page, m importMsg) string {
	args := slices.Clone(m.Args)
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == "Field" {
			if k, ok := args[i+1].(string); ok {
				args[i+1] = p.T(k)
			}
		}
	}
	return p.T(m.Key, args...)
}

// Commit ------------------------------------------------------------------------

// CommitImport handles POST /guests/import/:id/commit: imports every valid
// row in one transaction, or nothing.
func (h *Handler) CommitImport(c echo.Context) error {
	gi, err := h.loadImport(c)
	if err != nil {
		return err
	}
	skip := c.FormValue("skip_errors") == "on"
	res, again, err := h.store.commitImport(c.Request().Context(), gi.ID, skip)
	var hasErrors *importHasErrors
	switch {
	case errors.As(err, &hasErrors):
		f := view.NewForm(map[string]string{})
		f.Add("skip_errors", "import.commit.error.has_errors", "Count", hasErrors.plan.Failed)
		return h.renderImportPreview(c, http.StatusUnprocessableEntity, gi, hasErrors.plan, f, false)
	case errors.Is(err, errImportNotMapped):
		return c.Redirect(http.StatusSeeOther, importURL(gi.ID, ""))
	case errors.Is(err, ErrStale) || errors.Is(err, ErrEmailTaken):
		// Someone changed the directory while the import ran: show the
		// preview as it is now.
		plan, perr := h.store.planStoredImport(c.Request().Context(), gi)
		if perr != nil {
			return perr
		}
		return h.renderImportPreview(c, http.StatusConflict, gi, plan, nil, true)
	case err != nil:
		return notFound(err)
	}
	if !again {
		h.view.Flash(c, view.FlashSuccess, "import.done.flash", "Created", res.Created, "Updated", res.Updated)
	}
	return c.Redirect(http.StatusSeeOther, importURL(gi.ID, "done"))
}

// Done --------------------------------------------------------------------------

type importDoneData struct {
	ID                                   int64
	Filename                             string
	Created, Updated, Unchanged, Skipped int
}

// ImportDone shows GET /guests/import/:id/done: what the import did.
func (h *Handler) ImportDone(c echo.Context) error {
	gi, err := h.loadImport(c)
	if err != nil {
		return err
	}
	if gi.Status != importCommitted {
		return c.Redirect(http.StatusSeeOther, importURL(gi.ID, "preview"))
	}
	return h.renderImportDone(c, gi)
}

func (h *Handler) renderImportDone(c echo.Context, gi *guestImport) error {
	res, err := gi.result()
	if err != nil {
		return err
	}
	p := h.view.Page(c, "import.done.title")
	p.Nav = "guests"
	p.Data = importDoneData{ID: gi.ID, Filename: gi.Filename, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, Skipped: res.Skipped}
	return h.view.Render(c, http.StatusOK, tmplImportDone, p)
}
