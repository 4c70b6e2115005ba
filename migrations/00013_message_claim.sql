-- A worker claims a message before it talks to the SMTP server: it sets
-- sending_until (now + a lease longer than one attempt can last) where the
-- message is queued and not claimed by a live lease, in one UPDATE. Two
-- jobs for the same message at the same moment (River's rescuer re-running
-- a job still in flight, a duplicate job) then cannot both send it: the
-- second sees the lease and waits. A failed attempt clears the lease, so
-- the retry can claim it; a worker that dies leaves its lease to expire.

-- +goose Up
ALTER TABLE messages ADD COLUMN sending_until timestamptz;

-- +goose Down
ALTER TABLE messages DROP COLUMN sending_until;
