package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"vigil/internal/auth"
)

// Access is who may use a route.
type Access int

const (
	// Bare routes skip sessions and CSRF entirely: static files and probes
	// must not touch the session table.
	Bare Access = iota
	// Public routes are open to anyone, signed in or not.
	Public
	// Staff routes need a signed-in staff member or organizer.
	Staff
	// Organizer routes need a signed-in organizer.
	Organizer
)

func (a Access) String() string {
	return [...]string{"bare", "public", "staff", "organizer"}[a]
}

// Route is one line of the route table.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler echo.HandlerFunc
}

// Routes is the one route table: every URL Vigil answers, with the role it
// needs. Find a page's code by its path here. The security tests walk this
// table, so a route added anywhere else would go untested — add it here.
func (s *Server) Routes() []Route {
	h := s.h
	return []Route{
		// Probes and assets.
		{http.MethodGet, "/healthz", Bare, s.healthz},
		{http.MethodGet, "/readyz", Bare, s.readyz},
		{http.MethodGet, "/static/*", Bare, s.assets.Handler},

		// Sign-in and language.
		{http.MethodGet, "/login", Public, h.Auth.LoginForm},
		{http.MethodPost, "/login", Public, h.Auth.Login},
		{http.MethodPost, "/logout", Public, h.Auth.Logout},
		{http.MethodPost, "/language", Public, s.setLanguage},

		// Dashboard: the current edition at a glance.
		{http.MethodGet, "/", Staff, h.Ceremony.Dashboard},

		// Users (organizers manage accounts).
		{http.MethodGet, "/users", Organizer, h.Auth.List},
		{http.MethodGet, "/users/new", Organizer, h.Auth.New},
		{http.MethodPost, "/users", Organizer, h.Auth.Create},
		{http.MethodGet, "/users/:id", Organizer, h.Auth.Edit},
		{http.MethodPost, "/users/:id", Organizer, h.Auth.Update},
		{http.MethodPost, "/users/:id/password", Organizer, h.Auth.ResetPassword},

		// Planning: commemoration, editions, ceremonies, run-of-show
		// (ceremony package).
		// BEGIN ceremony routes
		{http.MethodGet, "/commemoration", Organizer, h.Ceremony.EditCommemoration},
		{http.MethodPost, "/commemoration", Organizer, h.Ceremony.UpdateCommemoration},
		{http.MethodGet, "/editions", Staff, h.Ceremony.Editions},
		{http.MethodPost, "/editions", Organizer, h.Ceremony.CreateEdition},
		{http.MethodGet, "/editions/:year", Staff, h.Ceremony.Edition},
		{http.MethodPost, "/editions/:year", Organizer, h.Ceremony.UpdateEdition},
		{http.MethodPost, "/editions/:year/next", Organizer, h.Ceremony.StartNext},
		{http.MethodGet, "/editions/:year/day", Staff, h.Ceremony.Day},
		{http.MethodGet, "/editions/:year/ceremonies/new", Organizer, h.Ceremony.NewCeremony},
		{http.MethodPost, "/editions/:year/ceremonies", Organizer, h.Ceremony.CreateCeremony},
		{http.MethodGet, "/editions/:year/ceremonies/:id", Staff, h.Ceremony.Ceremony},
		{http.MethodPost, "/editions/:year/ceremonies/:id", Organizer, h.Ceremony.UpdateCeremony},
		{http.MethodPost, "/editions/:year/ceremonies/:id/status", Organizer, h.Ceremony.SetStatus},
		{http.MethodPost, "/editions/:year/ceremonies/:id/delete", Organizer, h.Ceremony.DeleteCeremony},
		{http.MethodGet, "/editions/:year/ceremonies/:id/programme", Staff, h.Ceremony.Programme},
		{http.MethodPost, "/editions/:year/ceremonies/:id/programme", Organizer, h.Ceremony.CreateItem},
		{http.MethodGet, "/editions/:year/ceremonies/:id/programme/print", Staff, h.Ceremony.PrintProgramme},
		{http.MethodPost, "/editions/:year/ceremonies/:id/programme/:item", Organizer, h.Ceremony.UpdateItem},
		{http.MethodPost, "/editions/:year/ceremonies/:id/programme/:item/delete", Organizer, h.Ceremony.DeleteItem},
		{http.MethodPost, "/editions/:year/ceremonies/:id/programme/:item/move", Organizer, h.Ceremony.MoveItem},
		// END ceremony routes

		// Venues, zones, gates and logistics: resources, transport,
		// tasks (venue package).
		// BEGIN venue routes
		{http.MethodGet, "/venues", Staff, h.Venue.List},
		{http.MethodGet, "/venues/new", Organizer, h.Venue.New},
		{http.MethodPost, "/venues", Organizer, h.Venue.Create},
		{http.MethodGet, "/venues/:id", Staff, h.Venue.Show},
		{http.MethodPost, "/venues/:id", Organizer, h.Venue.Update},
		{http.MethodPost, "/venues/:id/delete", Organizer, h.Venue.Delete},
		{http.MethodPost, "/venues/:id/zones", Organizer, h.Venue.CreateZone},
		{http.MethodPost, "/venues/:id/zones/:zone", Organizer, h.Venue.UpdateZone},
		{http.MethodPost, "/venues/:id/zones/:zone/delete", Organizer, h.Venue.DeleteZone},
		{http.MethodPost, "/venues/:id/gates", Organizer, h.Venue.CreateGate},
		{http.MethodPost, "/venues/:id/gates/:gate", Organizer, h.Venue.UpdateGate},
		{http.MethodPost, "/venues/:id/gates/:gate/delete", Organizer, h.Venue.DeleteGate},
		{http.MethodGet, "/editions/:year/ceremonies/:id/logistics", Staff, h.Venue.Logistics},
		{http.MethodPost, "/editions/:year/ceremonies/:id/resources", Organizer, h.Venue.CreateResource},
		{http.MethodPost, "/editions/:year/ceremonies/:id/resources/:rid", Organizer, h.Venue.UpdateResource},
		{http.MethodPost, "/editions/:year/ceremonies/:id/resources/:rid/delete", Organizer, h.Venue.DeleteResource},
		{http.MethodPost, "/editions/:year/ceremonies/:id/transport", Organizer, h.Venue.CreateTransport},
		{http.MethodPost, "/editions/:year/ceremonies/:id/transport/:tid", Organizer, h.Venue.UpdateTransport},
		{http.MethodPost, "/editions/:year/ceremonies/:id/transport/:tid/delete", Organizer, h.Venue.DeleteTransport},
		{http.MethodGet, "/editions/:year/tasks", Staff, h.Venue.Tasks},
		{http.MethodPost, "/editions/:year/tasks", Organizer, h.Venue.CreateTask},
		{http.MethodGet, "/editions/:year/tasks/print", Staff, h.Venue.PrintTasks},
		{http.MethodPost, "/editions/:year/tasks/:task", Organizer, h.Venue.UpdateTask},
		{http.MethodPost, "/editions/:year/tasks/:task/delete", Organizer, h.Venue.DeleteTask},
		// Staff may mark their own tasks done; the handler checks whose it is.
		{http.MethodPost, "/editions/:year/tasks/:task/status", Staff, h.Venue.SetTaskStatus},
		{http.MethodGet, "/editions/:year/transport/print", Staff, h.Venue.PrintTransport},
		{http.MethodGet, "/my/tasks", Staff, h.Venue.MyTasks},
		// END venue routes

		// Delegations and the guest directory (delegation package).
		// BEGIN delegation routes
		{http.MethodGet, "/delegations", Staff, h.Delegation.Delegations},
		{http.MethodGet, "/delegations/new", Organizer, h.Delegation.NewDelegation},
		{http.MethodPost, "/delegations", Organizer, h.Delegation.CreateDelegation},
		{http.MethodGet, "/delegations/:id", Staff, h.Delegation.Delegation},
		{http.MethodPost, "/delegations/:id", Organizer, h.Delegation.UpdateDelegation},
		{http.MethodPost, "/delegations/:id/delete", Organizer, h.Delegation.DeleteDelegation},
		{http.MethodGet, "/guests", Staff, h.Delegation.Guests},
		{http.MethodGet, "/guests/new", Organizer, h.Delegation.NewGuest},
		{http.MethodPost, "/guests", Organizer, h.Delegation.CreateGuest},
		{http.MethodGet, "/guests/duplicates", Organizer, h.Delegation.Duplicates},
		{http.MethodPost, "/guests/duplicates/distinct", Organizer, h.Delegation.MarkDistinct},
		{http.MethodGet, "/guests/merge", Organizer, h.Delegation.MergeForm},
		{http.MethodPost, "/guests/merge", Organizer, h.Delegation.Merge},
		{http.MethodGet, "/guests/:id", Staff, h.Delegation.Guest},
		{http.MethodPost, "/guests/:id", Organizer, h.Delegation.UpdateGuest},
		{http.MethodPost, "/guests/:id/delete", Organizer, h.Delegation.DeleteGuest},
		// END delegation routes

		// Spreadsheet import and export of the directory (delegation package).
		// BEGIN import routes
		{http.MethodGet, "/guests/import", Organizer, h.Delegation.ImportForm},
		{http.MethodPost, "/guests/import", Organizer, h.Delegation.Upload},
		{http.MethodGet, "/guests/import/:id", Organizer, h.Delegation.ImportMapping},
		{http.MethodPost, "/guests/import/:id/mapping", Organizer, h.Delegation.SaveImportMapping},
		{http.MethodGet, "/guests/import/:id/preview", Organizer, h.Delegation.ImportPreview},
		{http.MethodPost, "/guests/import/:id/commit", Organizer, h.Delegation.CommitImport},
		{http.MethodGet, "/guests/import/:id/done", Organizer, h.Delegation.ImportDone},
		// Exports hold restricted notes: organizers only.
		{http.MethodGet, "/guests/export.csv", Organizer, h.Delegation.ExportCSV},
		{http.MethodGet, "/guests/export.xlsx", Organizer, h.Delegation.ExportXLSX},
		// END import routes

		// Delegations in an edition and the wreath-laying order
		// (delegation package).
		// BEGIN participation routes
		{http.MethodGet, "/editions/:year/delegations", Staff, h.Delegation.EditionDelegations},
		{http.MethodPost, "/editions/:year/delegations", Organizer, h.Delegation.InviteDelegations},
		{http.MethodPost, "/editions/:year/delegations/carry", Organizer, h.Delegation.CarryOver},
		{http.MethodGet, "/editions/:year/delegations/:pid", Staff, h.Delegation.Participation},
		{http.MethodPost, "/editions/:year/delegations/:pid", Organizer, h.Delegation.UpdateParticipation},
		{http.MethodPost, "/editions/:year/delegations/:pid/delete", Organizer, h.Delegation.DeleteParticipation},
		{http.MethodGet, "/editions/:year/wreaths", Staff, h.Delegation.Wreaths},
		{http.MethodGet, "/editions/:year/wreaths/print", Staff, h.Delegation.PrintWreaths},
		// END participation routes

		// The guest's answer pages, opened by the personal link, no account
		// (invitation package).
		// BEGIN rsvp routes
		// The link's token is swapped for a session at once; the pages
		// after it carry no secret in their address.
		{http.MethodGet, "/rsvp", Public, h.Invitation.RSVP},
		{http.MethodPost, "/rsvp", Public, h.Invitation.RSVPAnswer},
		{http.MethodGet, "/rsvp/done", Public, h.Invitation.RSVPDone},
		{http.MethodGet, "/rsvp/calendar.ics", Public, h.Invitation.RSVPCalendar},
		{http.MethodGet, "/rsvp/:token", Public, h.Invitation.RSVPOpen},
		// END rsvp routes

		// Invitations, answers on a guest's behalf, the waitlist and the
		// RSVP board (invitation package).
		// BEGIN invitation routes
		{http.MethodGet, "/editions/:year/invitations", Staff, h.Invitation.Invitations},
		{http.MethodPost, "/editions/:year/invitations", Organizer, h.Invitation.Invite},
		{http.MethodGet, "/editions/:year/invitations/new", Organizer, h.Invitation.NewInvitations},
		{http.MethodGet, "/editions/:year/invitations/print", Staff, h.Invitation.PrintInvitations},
		{http.MethodPost, "/editions/:year/invitations/remind", Organizer, h.Invitation.Remind},
		{http.MethodGet, "/editions/:year/invitations/:id", Staff, h.Invitation.Invitation},
		// Staff record answers received by phone or note on the guest's behalf.
		{http.MethodPost, "/editions/:year/invitations/:id/answer", Staff, h.Invitation.RecordAnswer},
		{http.MethodPost, "/editions/:year/invitations/:id/revoke", Organizer, h.Invitation.Revoke},
		{http.MethodPost, "/editions/:year/invitations/:id/link", Organizer, h.Invitation.NewLink},
		{http.MethodPost, "/editions/:year/invitations/:id/promote", Organizer, h.Invitation.Promote},
		{http.MethodPost, "/editions/:year/invitations/:id/companions", Organizer, h.Invitation.SetCompanions},
		// The printed letter carries the personal link: organizers only.
		{http.MethodGet, "/editions/:year/invitations/:id/letter.pdf", Organizer, h.Invitation.Letter},
		{http.MethodGet, "/editions/:year/rsvp", Staff, h.Invitation.Board},
		// The directory's "invite" entry opens the current edition's invite page.
		{http.MethodGet, "/invitations/new", Organizer, h.Invitation.GoInvite},
		// END invitation routes

		// The message log (mail package).
		// BEGIN mail routes
		{http.MethodGet, "/messages", Organizer, h.Mail.List},
		// END mail routes

		// The check-in desk at the gates and the live arrivals board
		// (checkin package).
		// BEGIN checkin routes
		{http.MethodGet, "/checkin", Staff, h.Checkin.Choose},
		{http.MethodGet, "/checkin/:ceremony", Staff, h.Checkin.Desk},
		{http.MethodPost, "/checkin/:ceremony/scan", Staff, h.Checkin.Scan},
		{http.MethodPost, "/checkin/:ceremony/companion", Staff, h.Checkin.Companion},
		{http.MethodPost, "/checkin/:ceremony/undo", Staff, h.Checkin.Undo},
		{http.MethodPost, "/checkin/:ceremony/walkin", Staff, h.Checkin.WalkIn},
		// The live arrivals board for a wall screen, and its event stream
		// (server-sent events, fed by PostgreSQL LISTEN).
		{http.MethodGet, "/checkin/:ceremony/board", Staff, h.Checkin.Board.Page},
		{http.MethodGet, "/checkin/:ceremony/board/events", Staff, h.Checkin.Board.Events},
		// Attendee lists: on screen, for paper (door lists too), and as PDF, CSV and XLSX.
		{http.MethodGet, "/checkin/:ceremony/list", Staff, h.Checkin.List},
		{http.MethodGet, "/checkin/:ceremony/list/print", Staff, h.Checkin.ListPrint},
		{http.MethodGet, "/checkin/:ceremony/list.csv", Staff, h.Checkin.ListCSV},
		{http.MethodGet, "/checkin/:ceremony/list.xlsx", Staff, h.Checkin.ListXLSX},
		{http.MethodGet, "/checkin/:ceremony/list.pdf", Staff, h.Checkin.ListPDF},
		// BEGIN checkin prints routes
		{http.MethodGet, "/checkin/:ceremony/prints", Staff, h.Checkin.Prints},
		{http.MethodGet, "/checkin/:ceremony/badges.pdf", Staff, h.Checkin.Badges},
		{http.MethodGet, "/checkin/:ceremony/placecards.pdf", Staff, h.Checkin.PlaceCards},
		// END checkin prints routes
		// BEGIN checkin attendance routes
		{http.MethodGet, "/editions/:year/attendance", Staff, h.Checkin.EditionAttendance},
		{http.MethodGet, "/editions/:year/attendance/print", Staff, h.Checkin.EditionAttendancePrint},
		{http.MethodGet, "/editions/:year/attendance.csv", Staff, h.Checkin.EditionAttendanceCSV},
		{http.MethodGet, "/editions/:year/attendance.xlsx", Staff, h.Checkin.EditionAttendanceXLSX},
		// END checkin attendance routes
		// END checkin routes

		// Audit log, whole or per record (?type=user&id=5).
		{http.MethodGet, "/audit", Organizer, h.Audit.List},

		// Metrics, when not served on their own address.
		{http.MethodGet, "/metrics", Organizer, s.metricsHandler()},
	}
}

func roleFor(a Access) auth.Role {
	if a == Organizer {
		return auth.RoleOrganizer
	}
	return auth.RoleStaff
}
