package checkin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation"
	"vigil/internal/view"
)

// filterLabels are the translation keys of the "any" and "none" choices of
// a filter form: the attendee list and the prints word them each their
// own way.
type filterLabels struct {
	AnyKind, AnyDelegation, AnyZone, NoZone string
}

// filterChoices are the kind, delegation and zone choices that the
// attendee list's and the prints' filter forms share, the chosen ones
// selected: kinds in their fixed order, delegations as dels gives them
// (precedence), zones by name and then "without a zone".
func filterChoices(p *view.Page, cer Ceremony, dels []ListDelegation, kind string, delegationID, zoneID int64, l filterLabels) (kinds, delegs, zones []listOption) {
	kinds = append(kinds, listOption{Value: "", Label: p.T(l.AnyKind)})
	for _, k := range delegation.Kinds {
		kinds = append(kinds, listOption{Value: k, Label: p.T("delegation.kind." + k), Selected: kind == k})
	}
	delegs = append(delegs, listOption{Value: "", Label: p.T(l.AnyDelegation)})
	for _, dl := range dels {
		delegs = append(delegs, listOption{Value: strconv.FormatInt(dl.ID, 10), Label: dl.Name, Selected: delegationID == dl.ID})
	}
	sorted := make([]Zone, 0, len(cer.Zones))
	for _, z := range cer.Zones {
		sorted = append(sorted, z)
	}
	slices.SortFunc(sorted, func(a, b Zone) int { return strings.Compare(a.Name, b.Name) })
	zones = append(zones, listOption{Value: "", Label: p.T(l.AnyZone)})
	for _, z := range sorted {
		zones = append(zones, listOption{Value: strconv.FormatInt(z.ID, 10), Label: z.Name, Selected: zoneID == z.ID})
	}
	zones = append(zones, listOption{Value: "none", Label: p.T(l.NoZone), Selected: zoneID == ListNone})
	return kinds, delegs, zones
}

// pathCeremony reads the ceremony from the path (of the current edition)
// for a page whose store may be missing: 404 when wired is false.
func (h *Handler) pathCeremony(c echo.Context, wired bool) (Ceremony, error) {
	id, err := pathID(c, "ceremony")
	if err != nil {
		return Ceremony{}, err
	}
	if !wired {
		return Ceremony{}, echo.NewHTTPError(http.StatusNotFound)
	}
	cer, err := h.ceremony(c.Request().Context(), id)
	if err != nil {
		return Ceremony{}, notFound(err)
	}
	return cer, nil
}
