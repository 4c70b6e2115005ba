-- +goose Up
-- The user a session is signed in as, kept beside the session's data so
-- that one statement reads both on every request (auth.SessionStore).
ALTER TABLE sessions ADD COLUMN user_id bigint REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;

-- +goose Down
ALTER TABLE sessions DROP COLUMN user_id;
