package delegation

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Delegations is being written.
func (h *Handler) Delegations(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// NewDelegation is being written.
func (h *Handler) NewDelegation(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// CreateDelegation is being written.
func (h *Handler) CreateDelegation(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// Delegation is being written.
func (h *Handler) Delegation(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// UpdateDelegation is being written.
func (h *Handler) UpdateDelegation(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// DeleteDelegation is being written.
func (h *Handler) DeleteDelegation(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// Guests is being written.
func (h *Handler) Guests(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// NewGuest is being written.
func (h *Handler) NewGuest(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// CreateGuest is being written.
func (h *Handler) CreateGuest(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// Duplicates is being written.
func (h *Handler) Duplicates(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// MarkDistinct is being written.
func (h *Handler) MarkDistinct(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// MergeForm is being written.
func (h *Handler) MergeForm(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// Merge is being written.
func (h *Handler) Merge(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// Guest is being written.
func (h *Handler) Guest(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// UpdateGuest is being written.
func (h *Handler) UpdateGuest(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

// DeleteGuest is being written.
func (h *Handler) DeleteGuest(c echo.Context) error { return echo.NewHTTPError(http.StatusNotImplemented) }

