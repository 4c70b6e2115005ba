package delegation

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// duplicatesShown bounds the duplicates page; merging the first ones
// brings the next into view.
const duplicatesShown = 100

type duplicateSide struct {
	ID         int64
	Name       string
	Email      string
	Delegation string
	Position   string
}

type duplicateRow struct {
	A, B     duplicateSide
	Percent  int
	SameName bool
}

func side(r GuestRow) duplicateSide {
	g := Guest{Honorific: r.Honorific, GivenName: r.GivenName, FamilyName: r.FamilyName, PrintedName: r.PrintedName}
	return duplicateSide{ID: r.ID, Name: g.DisplayName(), Email: r.Email, Delegation: r.DelegationName, Position: r.Position}
}

// Duplicates shows GET /guests/duplicates: pairs of guests that may be one
// person, each with "compare and merge" and "not the same person".
func (h *Handler) Duplicates(c echo.Context) error {
	pairs, err := h.store.Duplicates(c.Request().Context(), duplicatesShown)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "duplicates.title")
	p.Nav = "guests"
	rows := make([]duplicateRow, len(pairs))
	for i, x := range pairs {
		rows[i] = duplicateRow{A: side(x.A), B: side(x.B), Percent: int(x.Similarity*100 + 0.5), SameName: x.SameName}
	}
	p.Data = rows
	return h.view.Render(c, http.StatusOK, tmplDuplicates, p)
}

// pairIDs reads two guest ids from the form or query.
func pairIDs(c echo.Context, a, b string) (int64, int64, error) {
	x, err1 := strconv.ParseInt(c.FormValue(a), 10, 64)
	y, err2 := strconv.ParseInt(c.FormValue(b), 10, 64)
	if err1 != nil || err2 != nil || x <= 0 || y <= 0 || x == y {
		return 0, 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return x, y, nil
}

// MarkDistinct handles POST /guests/duplicates/distinct (a, b).
func (h *Handler) MarkDistinct(c echo.Context) error {
	a, b, err := pairIDs(c, "a", "b")
	if err != nil {
		return err
	}
	if err := h.store.MarkDistinct(c.Request().Context(), a, b); err != nil {
		return notFound(err)
	}
	h.view.Flash(c, view.FlashSuccess, "duplicates.marked_distinct")
	return c.Redirect(http.StatusSeeOther, "/guests/duplicates")
}

// mergeField is one row of the merge form: the two values, and which one
// is kept.
type mergeField struct {
	Name      string
	Label     string
	Keep      string
	Drop      string
	Different bool
	TakeDrop  bool
}

type mergeData struct {
	Keep, Drop duplicateSide
	Fields     []mergeField
}

// mergeValues are a guest's fields as the merge form shows them.
func (h *Handler) mergeValues(c echo.Context, p *view.Page, g *Guest) (map[string]string, error) {
	m := guestValues(g)
	m["delegation_id"] = ""
	if g.DelegationID != nil {
		d, err := h.store.Delegation(c.Request().Context(), *g.DelegationID)
		if err != nil {
			return nil, err
		}
		m["delegation_id"] = d.Name
	}
	m["vip"] = p.T("guest.vip.no")
	if g.VIP {
		m["vip"] = p.T("guest.vip.yes")
	}
	m["language"] = p.T("guest.language." + g.Language)
	return m, nil
}

// MergeForm shows GET /guests/merge?keep=ID&drop=ID: the two guests side
// by side; where they differ, the organizer picks the value to keep. By
// default the kept guest's value stays, unless it is empty.
func (h *Handler) MergeForm(c echo.Context) error {
	keepID, dropID, err := pairIDs(c, "keep", "drop")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	keep, err := h.store.Guest(ctx, keepID)
	if err != nil {
		return notFound(err)
	}
	drop, err := h.store.Guest(ctx, dropID)
	if err != nil {
		return notFound(err)
	}
	p := h.view.Page(c, "duplicates.merge.title")
	p.Nav = "guests"
	kv, err := h.mergeValues(c, p, keep)
	if err != nil {
		return err
	}
	dv, err := h.mergeValues(c, p, drop)
	if err != nil {
		return err
	}
	d := mergeData{
		Keep: duplicateSide{ID: keep.ID, Name: keep.DisplayName(), Email: keep.Email},
		Drop: duplicateSide{ID: drop.ID, Name: drop.DisplayName(), Email: drop.Email},
	}
	for _, f := range mergeable {
		mf := mergeField{Name: f, Label: "guest.field." + f, Keep: kv[f], Drop: dv[f]}
		mf.Different = mf.Keep != mf.Drop
		mf.TakeDrop = mf.Different && mf.Keep == ""
		d.Fields = append(d.Fields, mf)
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplMerge, p)
}

// Merge handles POST /guests/merge: keep, drop, and take_<field>=drop for
// each field whose value comes from the guest merged away.
func (h *Handler) Merge(c echo.Context) error {
	keepID, dropID, err := pairIDs(c, "keep", "drop")
	if err != nil {
		return err
	}
	take := MergeFields{}
	for _, f := range mergeable {
		if c.FormValue("take_"+f) == "drop" {
			take[f] = true
		}
	}
	g, err := h.store.MergeGuests(c.Request().Context(), keepID, dropID, take, h.movers...)
	if errors.Is(err, ErrNotFound) {
		// Merged already (a second click) or deleted meanwhile.
		h.view.Flash(c, view.FlashError, "duplicates.merge.gone")
		return c.Redirect(http.StatusSeeOther, "/guests/duplicates")
	}
	if err != nil {
		return err
	}
	return h.done(c, "duplicates.merged", g.FullName(), guestURL(g.ID))
}
