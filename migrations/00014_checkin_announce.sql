-- The gate's scan announces its check-in itself, after its commit
-- (internal/invitation/checkin_fast.go), instead of through the trigger of
-- 00007: a transaction that sends NOTIFY holds PostgreSQL's notify lock
-- from just before its commit until after it, so check-ins that notified
-- committed one at a time, and their WAL flushes could not be grouped.
-- Measured with pgbench (10 clients, fsync on), the bare check-in UPDATE of
-- targets.md ran at a third of its throughput with the trigger's NOTIFY.
--
-- The scan marks its own transaction with
--   set_config('vigil.checkin_announce', 'after_commit', true)
-- (transaction-local: gone at its commit) before it changes the row, and
-- the trigger's WHEN then leaves the row alone: no trigger call at all.
-- Every other change of a check-in (an undo, a companion, a deleted
-- invitation, a fix by hand in SQL) is still announced by the trigger,
-- inside its transaction.
--
-- The scan no longer writes a history row either: the answer row
-- (checked_in_at, checked_in_gate_id, checked_in_by) is the record of a
-- check-in that stands, and the invitation's history reads it from there;
-- an undo writes the check-in it undoes into invitation_events first. The
-- rows the scan wrote before are dropped where the answer row holds the
-- same check-in (same statement, so the same now()), or the history would
-- show it twice.

-- +goose Up
DROP TRIGGER invitation_ceremonies_checkin_notify ON invitation_ceremonies;
CREATE TRIGGER invitation_ceremonies_checkin_notify
    AFTER UPDATE OF checked_in_at, companions_checked_in ON invitation_ceremonies
    FOR EACH ROW
    WHEN ((OLD.checked_in_at IS DISTINCT FROM NEW.checked_in_at
           OR OLD.companions_checked_in IS DISTINCT FROM NEW.companions_checked_in)
          AND current_setting('vigil.checkin_announce', true) IS DISTINCT FROM 'after_commit')
    EXECUTE FUNCTION vigil_checkin_notify();

DELETE FROM invitation_events e USING invitation_ceremonies ic
WHERE e.action = 'checked_in' AND e.invitation_id = ic.invitation_id
  AND (e.detail->>'ceremony_id')::bigint = ic.ceremony_id AND e.at = ic.checked_in_at;

-- +goose Down
INSERT INTO invitation_events (invitation_id, at, via, user_id, action, detail)
SELECT invitation_id, checked_in_at, 'staff', checked_in_by, 'checked_in',
       jsonb_build_object('ceremony_id', ceremony_id, 'gate_id', checked_in_gate_id, 'status', status)
FROM invitation_ceremonies WHERE checked_in_at IS NOT NULL;

DROP TRIGGER invitation_ceremonies_checkin_notify ON invitation_ceremonies;
CREATE TRIGGER invitation_ceremonies_checkin_notify
    AFTER UPDATE OF checked_in_at, companions_checked_in ON invitation_ceremonies
    FOR EACH ROW
    WHEN (OLD.checked_in_at IS DISTINCT FROM NEW.checked_in_at
          OR OLD.companions_checked_in IS DISTINCT FROM NEW.companions_checked_in)
    EXECUTE FUNCTION vigil_checkin_notify();
