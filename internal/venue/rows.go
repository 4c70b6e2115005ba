package venue

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// rowFlow is the add, edit and delete flow of the rows a page lists and
// edits in place: a venue's zones and gates, a ceremony's resources and
// transport. T is the row and In what its form binds to.
type rowFlow[T, In any] struct {
	rowPage
	// param names the row's id in the path.
	param string

	bind   func(echo.Context) (In, int, *view.Form)
	values func(*T) map[string]string
	name   func(*T) string

	// The store's methods for these rows.
	load        func(ctx context.Context, parent, id int64) (*T, error)
	storeCreate func(ctx context.Context, parent int64, in In) (*T, error)
	storeUpdate func(ctx context.Context, parent, id int64, version int, in In) (*T, error)
	storeDelete func(ctx context.Context, parent, id int64) (*T, error)

	// field is the form field told about a stale save or a taken name.
	field string
	// Message keys; nameTaken and inUse are "" for rows whose store never
	// answers ErrNameTaken or ErrInUse.
	nameTaken, inUse          string
	created, updated, deleted string
}

// rowPage is the page a rowFlow's rows are listed and edited on.
type rowPage struct {
	h *Handler
	c echo.Context
	// err is why the parent (the venue or ceremony in the path) could not
	// be loaded; every answer is then err.
	err error
	// parent is the id of the venue or ceremony the rows belong to.
	parent int64
	// page makes the page a refused form or delete is shown on again;
	// render shows it with the edit form of row edit open (0: the add
	// form).
	page   func() *view.Page
	render func(status int, p *view.Page, edit int64) error
	// back is where a change sends the browser: the page, at these rows.
	back string
}

// handleCreate handles the add form.
func (f *rowFlow[T, In]) handleCreate() error {
	if f.err != nil {
		return f.err
	}
	return f.save(0)
}

// handleUpdate handles the edit form of the row in the path.
func (f *rowFlow[T, In]) handleUpdate() error {
	if f.err != nil {
		return f.err
	}
	id, err := pathID(f.c, f.param)
	if err != nil {
		return err
	}
	if _, err := f.row(id); err != nil {
		return err
	}
	return f.save(id)
}

// row loads row id of the parent; a 404 when there is none.
func (f *rowFlow[T, In]) row(id int64) (*T, error) {
	r, err := f.load(f.c.Request().Context(), f.parent, id)
	return r, notFound(err)
}

// save adds a row (id 0) or saves row id. A refused form is shown again
// with its errors; a stale one with what is saved now, so that the editor
// decides again.
func (f *rowFlow[T, In]) save(id int64) error {
	ctx := f.c.Request().Context()
	in, version, form := f.bind(f.c)
	p := f.page()
	p.Form = form
	if !form.Valid() {
		return f.render(http.StatusUnprocessableEntity, p, id)
	}
	var r *T
	var err error
	if id == 0 {
		r, err = f.storeCreate(ctx, f.parent, in)
	} else {
		r, err = f.storeUpdate(ctx, f.parent, id, version, in)
	}
	switch {
	case errors.Is(err, ErrNameTaken) && f.nameTaken != "":
		form.Add(f.field, f.nameTaken)
		return f.render(http.StatusUnprocessableEntity, p, id)
	case errors.Is(err, ErrStale):
		current, err := f.row(id)
		if err != nil {
			return err
		}
		p.Form = view.NewForm(f.values(current))
		p.Form.Add(f.field, "form.error.stale")
		return f.render(http.StatusConflict, p, id)
	case err != nil:
		return notFound(err)
	}
	key := f.created
	if id != 0 {
		key = f.updated
	}
	return f.h.done(f.c, key, f.name(r), f.back)
}

// handleDelete handles the delete button of the row in the path. A row
// still in use stays, and the page says why.
func (f *rowFlow[T, In]) handleDelete() error {
	if f.err != nil {
		return f.err
	}
	id, err := pathID(f.c, f.param)
	if err != nil {
		return err
	}
	r, err := f.storeDelete(f.c.Request().Context(), f.parent, id)
	if errors.Is(err, ErrInUse) && f.inUse != "" {
		current, err := f.row(id)
		if err != nil {
			return err
		}
		p := f.page()
		p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T(f.inUse, "Name", f.name(current))}
		return f.render(http.StatusConflict, p, 0)
	}
	if err != nil {
		return notFound(err)
	}
	return f.h.done(f.c, f.deleted, f.name(r), f.back)
}

// done flashes the success message key about name and sends the browser
// to url.
func (h *Handler) done(c echo.Context, key, name, url string) error {
	h.view.Flash(c, view.FlashSuccess, key, "Name", name)
	return c.Redirect(http.StatusSeeOther, url)
}
