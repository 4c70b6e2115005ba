package view

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Pager is one page of a long list, with links that keep the filters.
type Pager struct {
	Page    int
	Pages   int
	PerPage int
	Total   int64
	PrevURL string
	NextURL string
}

// Offset is the first row of the page.
func (p Pager) Offset() int { return (p.Page - 1) * p.PerPage }

// Paginate reads ?page= and builds the pager for total rows.
func Paginate(c echo.Context, total int64, perPage int) Pager {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	pages := int((total + int64(perPage) - 1) / int64(perPage))
	if pages < 1 {
		pages = 1
	}
	if page > pages {
		page = pages
	}
	p := Pager{Page: page, Pages: pages, PerPage: perPage, Total: total}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range c.QueryParams() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return c.Request().URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// PageOf reads ?page= before the total is known, for the query's offset;
// Paginate then clamps it.
func PageOf(c echo.Context, perPage int) (offset int) {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return (page - 1) * perPage
}
