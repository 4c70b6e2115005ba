package delegation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"vigil/internal/audit"
	"vigil/internal/delegation/sheet"
)

// Import errors the handlers turn into messages.
var (
	// errImportNotMapped: the commit or preview came before the mapping.
	errImportNotMapped = errors.New("delegation: import has no mapping yet")
	// errImportCommitted: the mapping of an import already imported.
	errImportCommitted = errors.New("delegation: import already committed")
)

// importHasErrors refuses a commit while rows have errors and the
// organizer did not choose to skip them; it carries the plan to show.
type importHasErrors struct{ plan *importPlan }

func (e *importHasErrors) Error() string {
	return fmt.Sprintf("delegation: import has %d rows with errors", e.plan.Failed)
}

// Import statuses (guest_imports.status).
const (
	importUploaded  = "uploaded"
	importMapped    = "mapped"
	importCommitted = "committed"
)

// importKeep is how long an upload is kept: long enough to finish an
// import after lunch, short enough that files with restricted notes do
// not pile up.
const importKeep = 24 * time.Hour

// importLock serialises commits, so that two imports of overlapping files
// cannot both create the same guest: the second one sees the first's
// guests and updates them.
const importLock = 7_301_002

// importBatch is how many rows one INSERT or UPDATE statement carries.
const importBatch = 1000

// guestImport is an uploaded spreadsheet between upload and commit. The
// file is kept in PostgreSQL, not on disk, so any instance serves the next
// step.
type guestImport struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	Filename    string
	Content     []byte
	HeaderKey   string
	Mapping     []byte `gorm:"type:jsonb"`
	Status      string
	Result      []byte `gorm:"type:jsonb"`
	CreatedAt   time.Time
	CommittedAt *time.Time
}

// TableName tells GORM where uploads live.
func (guestImport) TableName() string { return "guest_imports" }

// mapping returns the saved mapping, or nil when there is none.
func (gi *guestImport) mapping() ([]string, error) {
	if len(gi.Mapping) == 0 {
		return nil, nil
	}
	var m []string
	if err := json.Unmarshal(gi.Mapping, &m); err != nil {
		return nil, fmt.Errorf("delegation: import %d: mapping: %w", gi.ID, err)
	}
	return m, nil
}

// result returns what the commit did.
func (gi *guestImport) result() (importResult, error) {
	var r importResult
	if len(gi.Result) == 0 {
		return r, nil
	}
	if err := json.Unmarshal(gi.Result, &r); err != nil {
		return r, fmt.Errorf("delegation: import %d: result: %w", gi.ID, err)
	}
	return r, nil
}

// table reads the stored file again.
func (gi *guestImport) table() (*sheet.Table, error) {
	t, err := sheet.Read(gi.Filename, strings.NewReader(string(gi.Content)), sheet.DefaultLimits())
	if err != nil {
		// It was read once at upload; failing now is a bug, not the
		// user's file.
		return nil, fmt.Errorf("delegation: import %d: read again: %w", gi.ID, err)
	}
	return t, nil
}

// createImport stores an upload whose header is header and returns its id.
// Uploads older than importKeep go in the same transaction.
func (s *Store) createImport(ctx context.Context, userID int64, filename string, content []byte, header []string) (int64, error) {
	gi := &guestImport{UserID: userID, Filename: filename, Content: content, HeaderKey: importHeaderKey(header), Status: importUploaded}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("created_at < ?", s.now().Add(-importKeep)).Delete(&guestImport{}).Error; err != nil {
			return fmt.Errorf("delegation: delete old imports: %w", err)
		}
		if err := tx.Omit("mapping", "result", "committed_at").Create(gi).Error; err != nil {
			return fmt.Errorf("delegation: store import: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "upload", EntityType: "guest_import", EntityID: gi.ID, Summary: filename,
			Changes: map[string]audit.Change{"size": {After: len(content)}},
		})
	})
	if err != nil {
		return 0, err
	}
	return gi.ID, nil
}

// guestImportByID returns upload id, or ErrNotFound.
func (s *Store) guestImportByID(ctx context.Context, id int64) (*guestImport, error) {
	return one[guestImport](ctx, s.db, "import", id)
}

// rememberedMapping returns the mapping last saved for a header set, or
// nil.
func (s *Store) rememberedMapping(ctx context.Context, headerKey string) ([]string, error) {
	var raw []string
	res := s.db.WithContext(ctx).Table("import_mappings").Where("header_key = ?", headerKey).Limit(1).Pluck("mapping", &raw)
	if res.Error != nil {
		return nil, fmt.Errorf("delegation: load remembered mapping: %w", res.Error)
	}
	if len(raw) == 0 {
		return nil, nil
	}
	var m []string
	if err := json.Unmarshal([]byte(raw[0]), &m); err != nil {
		return nil, fmt.Errorf("delegation: remembered mapping: %w", err)
	}
	return m, nil
}

// saveImportMapping saves the mapping of upload id and remembers it for
// every file with the same header set.
func (s *Store) saveImportMapping(ctx context.Context, id int64, mapping []string) error {
	raw, err := json.Marshal(mapping)
	if err != nil {
		return fmt.Errorf("delegation: encode mapping: %w", err)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var gi guestImport
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Omit("content").First(&gi, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("delegation: load import %d: %w", id, err)
		}
		if gi.Status == importCommitted {
			return errImportCommitted
		}
		err := tx.Exec(`UPDATE guest_imports SET mapping = ?::jsonb, status = ? WHERE id = ?`, string(raw), importMapped, id).Error
		if err != nil {
			return fmt.Errorf("delegation: save mapping: %w", err)
		}
		err = tx.Exec(`INSERT INTO import_mappings (header_key, mapping, updated_at) VALUES (?, ?::jsonb, now())
			ON CONFLICT (header_key) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`, gi.HeaderKey, string(raw)).Error
		if err != nil {
			return fmt.Errorf("delegation: remember mapping: %w", err)
		}
		// The old mapping is recorded as stored, so that even a damaged one
		// cannot stop it being replaced.
		var before any
		if len(gi.Mapping) > 0 {
			before = json.RawMessage(gi.Mapping)
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "update", EntityType: "guest_import", EntityID: id, Summary: gi.Filename,
			Changes: map[string]audit.Change{"mapping": {Before: before, After: mapping}},
		})
	})
}

// loadImportDirectory reads what rows are checked against: every
// delegation and every guest, one query each.
func loadImportDirectory(tx *gorm.DB) (*importDirectory, error) {
	var ds []importDelegation
	if err := tx.Table("delegations").Select("id, name, country").Scan(&ds).Error; err != nil {
		return nil, fmt.Errorf("delegation: import: load delegations: %w", err)
	}
	var gs []Guest
	if err := tx.Order("id").Find(&gs).Error; err != nil {
		return nil, fmt.Errorf("delegation: import: load guests: %w", err)
	}
	return newImportDirectory(ds, gs), nil
}

// planStoredImport reads upload gi again and checks it against the
// directory as it is now.
func (s *Store) planStoredImport(ctx context.Context, gi *guestImport) (*importPlan, error) {
	m, err := gi.mapping()
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errImportNotMapped
	}
	t, err := gi.table()
	if err != nil {
		return nil, err
	}
	m, ok := fitMapping(m, t.Header)
	if !ok {
		return nil, errImportNotMapped
	}
	dir, err := loadImportDirectory(s.db.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	return planImport(t, m, dir), nil
}

// commitImport imports upload id: every valid row in one transaction, or
// nothing. Rows with errors refuse the whole commit (importHasErrors)
// unless skipErrors. An upload already committed is not imported again:
// its result is returned as it was (again is true).
func (s *Store) commitImport(ctx context.Context, id int64, skipErrors bool) (res importResult, again bool, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The row lock makes a double click or a second instance wait, then
		// see "committed".
		var gi guestImport
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&gi, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("delegation: load import %d: %w", id, err)
		}
		if gi.Status == importCommitted {
			again = true
			var err error
			res, err = gi.result()
			return err
		}
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", importLock).Error; err != nil {
			return fmt.Errorf("delegation: lock imports: %w", err)
		}
		m, err := gi.mapping()
		if err != nil {
			return err
		}
		if m == nil {
			return errImportNotMapped
		}
		t, err := gi.table()
		if err != nil {
			return err
		}
		if m, ok := fitMapping(m, t.Header); !ok || m == nil {
			return errImportNotMapped
		}
		dir, err := loadImportDirectory(tx)
		if err != nil {
			return err
		}
		plan := planImport(t, m, dir)
		if plan.Failed > 0 && !skipErrors {
			return &importHasErrors{plan: plan}
		}
		res = importResult{Created: plan.Created, Updated: plan.Updated, Unchanged: plan.Unchanged, Skipped: plan.Failed}
		if err := writeImport(ctx, tx, plan); err != nil {
			return err
		}
		raw, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("delegation: encode import result: %w", err)
		}
		err = tx.Exec(`UPDATE guest_imports SET status = ?, result = ?::jsonb, committed_at = now() WHERE id = ?`,
			importCommitted, string(raw), id).Error
		if err != nil {
			return fmt.Errorf("delegation: mark import %d committed: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "import", EntityType: "guest_import", EntityID: id,
			Summary: fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d skipped",
				gi.Filename, res.Created, res.Updated, res.Unchanged, res.Skipped),
			Changes: map[string]audit.Change{
				"created": {After: res.Created}, "updated": {After: res.Updated},
				"unchanged": {After: res.Unchanged}, "skipped": {After: res.Skipped},
			},
		})
	})
	return res, again, err
}

// writeImport saves the plan's new and changed guests with an audit entry
// each. Ten thousand rows must take seconds, not minutes: inserts go in
// batches, updates as one UPDATE … FROM unnest(arrays) per batch, and the
// audit entries in batches too (audit.Write is one INSERT per entry).
func writeImport(ctx context.Context, tx *gorm.DB, plan *importPlan) error {
	var created []Guest
	var updated []*importRow
	for i := range plan.Rows {
		r := &plan.Rows[i]
		switch r.Action {
		case importCreate:
			created = append(created, *r.guest)
		case importUpdate:
			updated = append(updated, r)
		}
	}
	entries := make([]audit.Entry, 0, len(created)+len(updated))
	actor := audit.ActorFrom(ctx)
	now := time.Now().UTC()
	entry := func(action string, id int64, summary string, changes map[string]audit.Change) error {
		raw, err := json.Marshal(changes)
		if err != nil {
			return fmt.Errorf("delegation: import: encode changes: %w", err)
		}
		entries = append(entries, audit.Entry{
			At: now, ActorUserID: actor.UserID, Actor: actor.Label, Action: action, EntityType: "guest",
			EntityID: strconv.FormatInt(id, 10), Summary: summary, Changes: raw, RequestID: actor.RequestID,
		})
		return nil
	}
	if len(created) > 0 {
		if err := tx.CreateInBatches(&created, importBatch).Error; err != nil {
			return writeErr("guest", err)
		}
		for i := range created {
			if err := entry("create", created[i].ID, created[i].FullName(), audit.Diff(nil, &created[i])); err != nil {
				return err
			}
		}
	}
	for start := 0; start < len(updated); start += importBatch {
		batch := updated[start:min(start+importBatch, len(updated))]
		if err := updateGuestBatch(tx, batch); err != nil {
			return err
		}
		for _, r := range batch {
			if err := entry("update", r.GuestID, r.guest.FullName(), audit.Diff(r.before, r.guest)); err != nil {
				return err
			}
		}
	}
	if len(entries) > 0 {
		if err := tx.CreateInBatches(&entries, importBatch).Error; err != nil {
			return fmt.Errorf("delegation: import: write audit entries: %w", err)
		}
	}
	return nil
}

// updateGuestBatch writes changed guests in one statement. Each row is
// written only if its version is still the one the import read, so an
// edit made meanwhile in a form is never overwritten: the import fails
// with ErrStale and changes nothing.
func updateGuestBatch(tx *gorm.DB, rows []*importRow) error {
	n := len(rows)
	ids, versions := make([]int64, n), make([]int, n)
	delegations, vips := make([]*int64, n), make([]bool, n)
	text := make([][]string, 14) // the text columns of the statement, in its order
	for i, r := range rows {
		g := r.guest
		ids[i], versions[i], delegations[i], vips[i] = g.ID, r.before.Version, g.DelegationID, g.VIP
		for j, v := range []string{g.Honorific, g.GivenName, g.FamilyName, g.PrintedName, g.Position, g.Organisation,
			g.Email, g.Phone, g.Language, g.AccessibilityNeeds, g.DietaryNeeds, g.RestrictedNotes, g.SearchText, g.NameKey} {
			text[j] = append(text[j], v)
		}
	}
	args := []any{pgArray(ids), pgArray(versions)}
	for _, col := range text {
		args = append(args, impTextArray(col))
	}
	args = append(args, impIDArray(delegations), impBoolArray(vips))
	res := tx.Exec(`UPDATE guests g SET
			honorific = v.honorific, given_name = v.given_name, family_name = v.family_name,
			printed_name = v.printed_name, position = v.position, organisation = v.organisation,
			email = v.email, phone = v.phone, language = v.language,
			accessibility_needs = v.accessibility_needs, dietary_needs = v.dietary_needs,
			restricted_notes = v.restricted_notes, search_text = v.search_text, name_key = v.name_key,
			delegation_id = v.delegation_id, vip = v.vip,
			version = g.version + 1, updated_at = now()
		FROM unnest(?::bigint[], ?::integer[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
			?::text[], ?::bigint[], ?::boolean[])
			AS v(id, version, honorific, given_name, family_name, printed_name, position, organisation,
			     email, phone, language, accessibility_needs, dietary_needs, restricted_notes, search_text,
			     name_key, delegation_id, vip)
		WHERE g.id = v.id AND g.version = v.version`, args...)
	if res.Error != nil {
		return writeErr("guest", res.Error)
	}
	if res.RowsAffected != int64(n) {
		return ErrStale
	}
	return nil
}

// impTextArray writes strings as a PostgreSQL text array literal. GORM
// would expand a Go slice into a list of parameters; one array parameter
// per column keeps a batch to a few parameters.
func impTextArray(xs []string) string {
	return impArray(xs, func(b *strings.Builder, x string) {
		b.WriteByte('"')
		for _, r := range x {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	})
}

// impIDArray writes optional ids as a bigint array literal with NULLs.
func impIDArray(xs []*int64) string {
	return impArray(xs, func(b *strings.Builder, x *int64) {
		if x == nil {
			b.WriteString("NULL")
		} else {
			b.WriteString(strconv.FormatInt(*x, 10))
		}
	})
}

// impBoolArray writes booleans as a boolean array literal.
func impBoolArray(xs []bool) string {
	return impArray(xs, func(b *strings.Builder, x bool) {
		if x {
			b.WriteByte('t')
		} else {
			b.WriteByte('f')
		}
	})
}

// impArray writes xs as an array literal, each element with elem.
func impArray[T any](xs []T, elem func(*strings.Builder, T)) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		elem(&b, x)
	}
	b.WriteByte('}')
	return b.String()
}
