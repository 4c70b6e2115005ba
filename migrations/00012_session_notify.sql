-- Each server instance keeps the sessions it has read in memory (see
-- internal/auth/session_cache.go), so a signed-in request needs no look-up
-- of its session. Every change that could make such a copy wrong is
-- announced on channel vigil_sessions, and every instance drops its copy:
--   's' || hex(sha256(token))   a session changed or ended (the token
--                               itself, a secret, never goes out);
--   'u' || user id              a user changed (role, disabled, name,
--                               password) or was deleted.
-- NOTIFY is sent when the transaction commits, never for one rolled back.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION vigil_session_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('vigil_sessions', 's' || encode(sha256(convert_to(OLD.token, 'UTF8')), 'hex'));
    ELSE
        PERFORM pg_notify('vigil_sessions', 'u' || OLD.id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A new session needs no message: no instance can hold a copy of it.
CREATE TRIGGER sessions_notify
    AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION vigil_session_notify();

CREATE TRIGGER users_session_notify
    AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION vigil_session_notify();

-- +goose Down
DROP TRIGGER users_session_notify ON users;
DROP TRIGGER sessions_notify ON sessions;
DROP FUNCTION vigil_session_notify();
