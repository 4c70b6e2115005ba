-- Accounts, sessions and the audit log: the foundation every later table
-- refers to.

-- +goose Up
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL CHECK (email <> '' AND email = lower(email)),
    name          text        NOT NULL CHECK (name <> ''),
    role          text        NOT NULL CHECK (role IN ('organizer', 'staff')),
    password_hash text        NOT NULL,
    locale        text        NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'az', 'ru')),
    disabled_at   timestamptz,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- version is bumped on every update so a second editor working from a
    -- stale form is told instead of silently overwriting.
    version       integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- The table scs/pgxstore expects.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins, kept in PostgreSQL so the limit holds across instances.
-- ip and email are stored as HMACs keyed by VIGIL_SECRET: the table exists
-- to count, not to keep addresses.
CREATE TABLE login_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ip_key    text        NOT NULL,
    email_key text        NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_ip_idx ON login_failures (ip_key, at);
CREATE INDEX login_failures_email_idx ON login_failures (email_key, at);

CREATE TABLE audit_entries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    -- actor is a readable label kept even if the user is later removed:
    -- "Aysel Mammadova <aysel@example.org>", "cli", "system".
    actor         text        NOT NULL,
    action        text        NOT NULL,
    entity_type   text        NOT NULL,
    entity_id     text        NOT NULL,
    summary       text        NOT NULL DEFAULT '',
    -- {"field": {"before": …, "after": …}}
    changes       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    request_id    text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_entity_idx ON audit_entries (entity_type, entity_id, at DESC);
CREATE INDEX audit_entries_at_idx ON audit_entries (at DESC, id DESC);
CREATE INDEX audit_entries_actor_idx ON audit_entries (actor_user_id, at DESC);

-- +goose Down
DROP TABLE audit_entries;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
