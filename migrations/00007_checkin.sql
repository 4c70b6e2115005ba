-- Check-in at the gates: companions checked in one by one, walk-ins, and
-- the notification the live board listens for.

-- +goose Up

-- Companions arrive on their own; each is counted as they come, never
-- beyond the companions accepted (the desk's conditional update keeps
-- companions_checked_in <= companions; no CHECK ties the two, so that a
-- later change of the answer is not refused by an arrival).
ALTER TABLE invitation_ceremonies
    ADD COLUMN companions_checked_in integer NOT NULL DEFAULT 0
        CHECK (companions_checked_in BETWEEN 0 AND 10);

-- The desk lists the last check-ins at its gate.
CREATE INDEX invitation_ceremonies_checked_in_idx
    ON invitation_ceremonies (ceremony_id, checked_in_gate_id, checked_in_at DESC)
    WHERE checked_in_at IS NOT NULL;

-- People let in without an invitation, and why.
CREATE TABLE walk_ins (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ceremony_id   bigint      NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    gate_id       bigint      REFERENCES gates (id) ON DELETE SET NULL,
    name          text        NOT NULL CHECK (name <> ''),
    organisation  text        NOT NULL DEFAULT '',
    reason        text        NOT NULL CHECK (reason <> ''),
    checked_in_by bigint      REFERENCES users (id) ON DELETE SET NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX walk_ins_ceremony_idx ON walk_ins (ceremony_id, gate_id, at DESC);

-- Every change of a check-in is announced on channel vigil_checkin, so
-- the live board on every server instance hears it (NOTIFY is sent when
-- the transaction commits, never for one rolled back). Payload:
-- {"ceremony_id": N, "invitation_id": N, "checked_in": bool,
--  "companions_checked_in": N}. A companion arriving sends one too
-- (checked_in then says whether the host is in): listeners count again
-- rather than add one per message.
-- +goose StatementBegin
CREATE FUNCTION vigil_checkin_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r invitation_ceremonies;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD;
        r.checked_in_at := NULL;
        r.companions_checked_in := 0;
    ELSE
        r := NEW;
    END IF;
    PERFORM pg_notify('vigil_checkin', json_build_object(
        'ceremony_id', r.ceremony_id,
        'invitation_id', r.invitation_id,
        'checked_in', r.checked_in_at IS NOT NULL,
        'companions_checked_in', r.companions_checked_in)::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER invitation_ceremonies_checkin_notify
    AFTER UPDATE OF checked_in_at, companions_checked_in ON invitation_ceremonies
    FOR EACH ROW
    WHEN (OLD.checked_in_at IS DISTINCT FROM NEW.checked_in_at
          OR OLD.companions_checked_in IS DISTINCT FROM NEW.companions_checked_in)
    EXECUTE FUNCTION vigil_checkin_notify();

-- An answer removed while checked in (the invitation deleted) leaves.
CREATE TRIGGER invitation_ceremonies_checkin_gone
    AFTER DELETE ON invitation_ceremonies
    FOR EACH ROW
    WHEN (OLD.checked_in_at IS NOT NULL)
    EXECUTE FUNCTION vigil_checkin_notify();

-- +goose Down
DROP TRIGGER invitation_ceremonies_checkin_gone ON invitation_ceremonies;
DROP TRIGGER invitation_ceremonies_checkin_notify ON invitation_ceremonies;
DROP FUNCTION vigil_checkin_notify();
DROP TABLE walk_ins;
DROP INDEX invitation_ceremonies_checked_in_idx;
ALTER TABLE invitation_ceremonies DROP COLUMN companions_checked_in;
