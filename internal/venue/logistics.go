package venue

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

func inCeremony(ceremonyID int64) func(*gorm.DB) *gorm.DB {
	return func(tx *gorm.DB) *gorm.DB { return tx.Where("ceremony_id = ?", ceremonyID) }
}

func inEdition(editionID int64) func(*gorm.DB) *gorm.DB {
	return func(tx *gorm.DB) *gorm.DB { return tx.Where("edition_id = ?", editionID) }
}

// Resources -------------------------------------------------------------------

// ResourceInput is what a resource form sets.
type ResourceInput struct {
	Item     string
	Quantity int
	Supplier string
	Status   string
	Notes    string
}

func (in ResourceInput) apply(r *Resource) {
	r.Item, r.Quantity, r.Supplier, r.Status, r.Notes = in.Item, in.Quantity, in.Supplier, in.Status, in.Notes
}

// Resources returns the resources of the given ceremonies, by ceremony
// (in the order given) and then by item.
func (s *Store) Resources(ctx context.Context, ceremonyIDs ...int64) ([]Resource, error) {
	if len(ceremonyIDs) == 0 {
		return nil, nil
	}
	var rs []Resource
	if err := s.db.WithContext(ctx).Where("ceremony_id IN ?", ceremonyIDs).Order("lower(item), id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("venue: resources: %w", err)
	}
	sortByCeremony(rs, ceremonyIDs, func(r Resource) int64 { return r.CeremonyID })
	return rs, nil
}

// Resource returns resource id of ceremonyID, or ErrNotFound.
func (s *Store) Resource(ctx context.Context, ceremonyID, id int64) (*Resource, error) {
	return oneRow[Resource](ctx, s.db, op{"resource", id}, inCeremony(ceremonyID))
}

// CreateResource adds a resource to a ceremony.
func (s *Store) CreateResource(ctx context.Context, ceremonyID int64, in ResourceInput) (*Resource, error) {
	r := &Resource{CeremonyID: ceremonyID, Version: 1}
	in.apply(r)
	if err := createRow(ctx, s.db, "resource", r, func() int64 { return r.ID }, "Created resource "+r.Item); err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateResource saves in over resource id of ceremonyID if it is still
// at version.
func (s *Store) UpdateResource(ctx context.Context, ceremonyID, id int64, version int, in ResourceInput) (*Resource, error) {
	return updateRow(ctx, s.db, op{"resource", id}, version, inCeremony(ceremonyID),
		func(r *Resource) { in.apply(r) },
		func(r *Resource) string { return "Updated resource " + r.Item })
}

// DeleteResource deletes resource id of ceremonyID.
func (s *Store) DeleteResource(ctx context.Context, ceremonyID, id int64) (*Resource, error) {
	return deleteRow(ctx, s.db, op{"resource", id}, inCeremony(ceremonyID),
		func(r *Resource) string { return "Deleted resource " + r.Item })
}

// Transport -------------------------------------------------------------------

// TransportInput is what a transport form sets.
type TransportInput struct {
	Vehicle     string
	DriverName  string
	DriverPhone string
	PickupPoint string
	PickupAt    *time.Time
	Carries     string
	Seats       *int
	Notes       string
}

func (in TransportInput) apply(t *Transport) {
	t.Vehicle, t.DriverName, t.DriverPhone, t.PickupPoint = in.Vehicle, in.DriverName, in.DriverPhone, in.PickupPoint
	t.PickupAt, t.Carries, t.Seats, t.Notes = in.PickupAt, in.Carries, in.Seats, in.Notes
}

// Transports returns the transport of the given ceremonies, by ceremony
// (in the order given) and then by pick-up time, untimed runs last.
func (s *Store) Transports(ctx context.Context, ceremonyIDs ...int64) ([]Transport, error) {
	if len(ceremonyIDs) == 0 {
		return nil, nil
	}
	var ts []Transport
	if err := s.db.WithContext(ctx).Where("ceremony_id IN ?", ceremonyIDs).Order("pickup_at NULLS LAST, lower(vehicle), id").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("venue: transport: %w", err)
	}
	sortByCeremony(ts, ceremonyIDs, func(t Transport) int64 { return t.CeremonyID })
	return ts, nil
}

// Transport returns transport id of ceremonyID, or ErrNotFound.
func (s *Store) Transport(ctx context.Context, ceremonyID, id int64) (*Transport, error) {
	return oneRow[Transport](ctx, s.db, op{"transport", id}, inCeremony(ceremonyID))
}

// CreateTransport adds a transport run to a ceremony.
func (s *Store) CreateTransport(ctx context.Context, ceremonyID int64, in TransportInput) (*Transport, error) {
	t := &Transport{CeremonyID: ceremonyID, Version: 1}
	in.apply(t)
	if err := createRow(ctx, s.db, "transport", t, func() int64 { return t.ID }, "Created transport "+t.Vehicle); err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTransport saves in over transport id of ceremonyID if it is still
// at version.
func (s *Store) UpdateTransport(ctx context.Context, ceremonyID, id int64, version int, in TransportInput) (*Transport, error) {
	return updateRow(ctx, s.db, op{"transport", id}, version, inCeremony(ceremonyID),
		func(t *Transport) { in.apply(t) },
		func(t *Transport) string { return "Updated transport " + t.Vehicle })
}

// DeleteTransport deletes transport id of ceremonyID.
func (s *Store) DeleteTransport(ctx context.Context, ceremonyID, id int64) (*Transport, error) {
	return deleteRow(ctx, s.db, op{"transport", id}, inCeremony(ceremonyID),
		func(t *Transport) string { return "Deleted transport " + t.Vehicle })
}

// sortByCeremony orders rows by the position of their ceremony in ids,
// keeping the order within each ceremony.
func sortByCeremony[T any](rows []T, ids []int64, of func(T) int64) {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	sort.SliceStable(rows, func(i, j int) bool { return pos[of(rows[i])] < pos[of(rows[j])] })
}

// Tasks -----------------------------------------------------------------------

// TaskInput is what a task form sets.
type TaskInput struct {
	Title      string
	CeremonyID *int64
	AssigneeID *int64
	// DueOn is a calendar day; only its date counts.
	DueOn  *time.Time
	Status string
	Notes  string
}

// TaskFilter narrows the task list of an edition. Zero values mean "all".
type TaskFilter struct {
	// CeremonyID keeps the tasks of one ceremony; with NoCeremony, the
	// tasks of the whole edition (no ceremony) only.
	CeremonyID *int64
	NoCeremony bool
	// AssigneeID keeps the tasks of one person; with Unassigned, the
	// tasks nobody has.
	AssigneeID *int64
	Unassigned bool
	Status     string
}

// Tasks returns the tasks of an edition matching f: open first, then by
// due date (undated last) and title.
func (s *Store) Tasks(ctx context.Context, editionID int64, f TaskFilter) ([]Task, error) {
	q := s.db.WithContext(ctx).Where("edition_id = ?", editionID)
	switch {
	case f.NoCeremony:
		q = q.Where("ceremony_id IS NULL")
	case f.CeremonyID != nil:
		q = q.Where("ceremony_id = ?", *f.CeremonyID)
	}
	switch {
	case f.Unassigned:
		q = q.Where("assignee_id IS NULL")
	case f.AssigneeID != nil:
		q = q.Where("assignee_id = ?", *f.AssigneeID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var ts []Task
	if err := q.Order("status = 'done', due_on NULLS LAST, lower(title), id").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("venue: tasks of edition %d: %w", editionID, err)
	}
	return ts, nil
}

// OpenTasksOf returns the open tasks assigned to a user, in every edition,
// by due date (undated last).
func (s *Store) OpenTasksOf(ctx context.Context, userID int64) ([]Task, error) {
	var ts []Task
	err := s.db.WithContext(ctx).Where("assignee_id = ? AND status = ?", userID, TaskOpen).
		Order("due_on NULLS LAST, lower(title), id").Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("venue: open tasks of user %d: %w", userID, err)
	}
	return ts, nil
}

// Task returns task id of an edition, or ErrNotFound.
func (s *Store) Task(ctx context.Context, editionID, id int64) (*Task, error) {
	return oneRow[Task](ctx, s.db, op{"task", id}, inEdition(editionID))
}

// applyTask sets the task's fields from in; done_at follows the status.
func (s *Store) applyTask(t *Task, in TaskInput) {
	t.Title, t.CeremonyID, t.AssigneeID, t.Notes = in.Title, in.CeremonyID, in.AssigneeID, in.Notes
	t.DueOn = nil
	if in.DueOn != nil {
		d := civil(*in.DueOn)
		t.DueOn = &d
	}
	s.setStatus(t, in.Status)
}

func (s *Store) setStatus(t *Task, status string) {
	switch {
	case status == TaskDone && t.Status != TaskDone:
		// PostgreSQL keeps microseconds.
		now := s.now().UTC().Truncate(time.Microsecond)
		t.DoneAt = &now
	case status != TaskDone:
		t.DoneAt = nil
	}
	t.Status = status
}

// CreateTask adds a task to an edition.
func (s *Store) CreateTask(ctx context.Context, editionID int64, in TaskInput) (*Task, error) {
	t := &Task{EditionID: editionID, Version: 1}
	s.applyTask(t, in)
	if err := createRow(ctx, s.db, "task", t, func() int64 { return t.ID }, "Created task "+t.Title); err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTask saves in over task id of editionID if it is still at version.
func (s *Store) UpdateTask(ctx context.Context, editionID, id int64, version int, in TaskInput) (*Task, error) {
	return updateRow(ctx, s.db, op{"task", id}, version, inEdition(editionID),
		func(t *Task) { s.applyTask(t, in) },
		func(t *Task) string { return "Updated task " + t.Title })
}

// SetTaskStatus marks task id of editionID open or done. Whatever else was
// saved in between, the result is the one asked for, so a form sent twice
// changes nothing the second time.
func (s *Store) SetTaskStatus(ctx context.Context, editionID, id int64, status string) (*Task, error) {
	return updateRow(ctx, s.db, op{"task", id}, anyVersion, inEdition(editionID),
		func(t *Task) { s.setStatus(t, status) },
		func(t *Task) string { return "Marked task " + status + ": " + t.Title })
}

// DeleteTask deletes task id of editionID.
func (s *Store) DeleteTask(ctx context.Context, editionID, id int64) (*Task, error) {
	return deleteRow(ctx, s.db, op{"task", id}, inEdition(editionID),
		func(t *Task) string { return "Deleted task " + t.Title })
}

// OpenTasks counts the open tasks of an edition and how many of them are
// overdue: due before today in loc.
func (s *Store) OpenTasks(ctx context.Context, editionID int64, loc *time.Location) (open, overdue int, err error) {
	today := Today(s.now(), loc).Format(time.DateOnly)
	row := s.db.WithContext(ctx).Raw(`
		SELECT count(*), count(*) FILTER (WHERE due_on < ?::date)
		  FROM tasks WHERE edition_id = ? AND status = ?`, today, editionID, TaskOpen).Row()
	if err = row.Scan(&open, &overdue); err != nil {
		err = fmt.Errorf("venue: count open tasks of edition %d: %w", editionID, err)
	}
	return open, overdue, err
}

// Copying an edition ------------------------------------------------------------

// CopyLogistics copies, inside the caller's transaction tx, the resources
// and transport of every ceremony in ceremonyIDs (old id -> new id) and the
// tasks of edition fromEdition into toEdition, with ceremony ids remapped.
// shift moves every time and date (pick-up times, due dates) into the new
// edition. Statuses start again: resources "needed", tasks "open" and not
// done. Tasks of a ceremony that is not copied are left behind: they
// belonged to an event the new edition does not have. One audit entry on
// the new edition sums the copy up; a rollback of tx leaves nothing.
func (s *Store) CopyLogistics(ctx context.Context, tx *gorm.DB, fromEdition, toEdition int64, ceremonyIDs map[int64]int64, shift func(time.Time) time.Time) error {
	tx = tx.WithContext(ctx)
	old := make([]int64, 0, len(ceremonyIDs))
	for id := range ceremonyIDs {
		old = append(old, id)
	}
	sort.Slice(old, func(i, j int) bool { return old[i] < old[j] })

	var resources []Resource
	var transports []Transport
	if len(old) > 0 {
		if err := tx.Where("ceremony_id IN ?", old).Order("id").Find(&resources).Error; err != nil {
			return fmt.Errorf("venue: copy: read resources: %w", err)
		}
		if err := tx.Where("ceremony_id IN ?", old).Order("id").Find(&transports).Error; err != nil {
			return fmt.Errorf("venue: copy: read transport: %w", err)
		}
	}
	var tasks []Task
	if err := tx.Where("edition_id = ?", fromEdition).Order("id").Find(&tasks).Error; err != nil {
		return fmt.Errorf("venue: copy: read tasks: %w", err)
	}

	newResources := make([]Resource, 0, len(resources))
	for _, r := range resources {
		newResources = append(newResources, Resource{
			CeremonyID: ceremonyIDs[r.CeremonyID], Item: r.Item, Quantity: r.Quantity,
			Supplier: r.Supplier, Status: ResourceNeeded, Notes: r.Notes, Version: 1,
		})
	}
	newTransports := make([]Transport, 0, len(transports))
	for _, t := range transports {
		n := t
		n.ID, n.CeremonyID, n.Version = 0, ceremonyIDs[t.CeremonyID], 1
		n.CreatedAt, n.UpdatedAt = time.Time{}, time.Time{}
		if t.PickupAt != nil {
			at := shift(*t.PickupAt)
			n.PickupAt = &at
		}
		newTransports = append(newTransports, n)
	}
	newTasks := make([]Task, 0, len(tasks))
	for _, t := range tasks {
		n := Task{EditionID: toEdition, Title: t.Title, AssigneeID: t.AssigneeID, Status: TaskOpen, Notes: t.Notes, Version: 1}
		if t.CeremonyID != nil {
			to, ok := ceremonyIDs[*t.CeremonyID]
			if !ok {
				continue
			}
			n.CeremonyID = &to
		}
		if t.DueOn != nil {
			d := shiftDate(*t.DueOn, shift)
			n.DueOn = &d
		}
		newTasks = append(newTasks, n)
	}

	if len(newResources) > 0 {
		if err := tx.Create(&newResources).Error; err != nil {
			return fmt.Errorf("venue: copy resources: %w", err)
		}
	}
	if len(newTransports) > 0 {
		if err := tx.Create(&newTransports).Error; err != nil {
			return fmt.Errorf("venue: copy transport: %w", err)
		}
	}
	if len(newTasks) > 0 {
		if err := tx.Create(&newTasks).Error; err != nil {
			return fmt.Errorf("venue: copy tasks: %w", err)
		}
	}
	return audit.Write(ctx, tx, audit.Record{
		Action: "copy_logistics", EntityType: "edition", EntityID: toEdition,
		Summary: fmt.Sprintf("Copied logistics from edition %d: %d resources, %d transport, %d tasks",
			fromEdition, len(newResources), len(newTransports), len(newTasks)),
		Changes: map[string]audit.Change{
			"copied_from": {After: fromEdition},
			"resources":   {After: len(newResources)},
			"transport":   {After: len(newTransports)},
			"tasks":       {After: len(newTasks)},
		},
	})
}

// shiftDate applies shift to a calendar day. The day is taken at noon UTC
// so that shift, which works on instants in some zone, cannot push it
// across midnight: a zone's offset and its DST changes stay well within
// twelve hours.
func shiftDate(d time.Time, shift func(time.Time) time.Time) time.Time {
	y, m, day := d.Date()
	return civil(shift(time.Date(y, m, day, 12, 0, 0, 0, time.UTC)).UTC())
}
