-- Invitations and answers: a guest's personal invitation to an edition's
-- ceremonies, the answer to each, its history, and every e-mail sent.

-- +goose Up
CREATE TABLE invitations (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id          bigint      NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    guest_id            bigint      NOT NULL REFERENCES guests (id) ON DELETE RESTRICT,
    -- The personal link's token is HMAC(server secret, token_nonce); only
    -- its SHA-256 is stored, so the database alone cannot open a link, and
    -- the server can write the same link again into a reminder. A new
    -- nonce is a new link (the old one stops working).
    token_nonce         bytea       NOT NULL,
    token_hash          bytea       NOT NULL UNIQUE,
    revoked_at          timestamptz,
    -- Printed on the badge as a QR code: checks the guest in, never opens
    -- the answer.
    check_in_code       text        NOT NULL UNIQUE,
    companions_allowed  integer     NOT NULL DEFAULT 0 CHECK (companions_allowed BETWEEN 0 AND 10),
    -- What the guest told us with the answer.
    accessibility_needs text        NOT NULL DEFAULT '',
    dietary_needs       text        NOT NULL DEFAULT '',
    contact_phone       text        NOT NULL DEFAULT '',
    responded_at        timestamptz,
    responded_via       text        CHECK (responded_via IN ('link', 'staff')),
    responded_by        bigint      REFERENCES users (id) ON DELETE SET NULL,
    -- How staff received an answer on the guest's behalf (phone, note).
    staff_channel       text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer     NOT NULL DEFAULT 1,
    UNIQUE (edition_id, guest_id)
);
CREATE INDEX invitations_guest_idx ON invitations (guest_id);

-- The answer for each ceremony the invitation is for.
CREATE TABLE invitation_ceremonies (
    invitation_id  bigint      NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    ceremony_id    bigint      NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    zone_id        bigint      REFERENCES zones (id) ON DELETE SET NULL,
    status         text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'accepted', 'declined', 'waitlisted')),
    -- Companions coming to this ceremony (seats = 1 + companions).
    companions     integer     NOT NULL DEFAULT 0 CHECK (companions BETWEEN 0 AND 10),
    waitlisted_at  timestamptz,
    checked_in_at  timestamptz,
    checked_in_gate_id bigint  REFERENCES gates (id) ON DELETE SET NULL,
    checked_in_by  bigint      REFERENCES users (id) ON DELETE SET NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (invitation_id, ceremony_id)
);
CREATE INDEX invitation_ceremonies_ceremony_idx ON invitation_ceremonies (ceremony_id, status);

-- Companions by name, in the order the guest gave them.
CREATE TABLE invitation_companions (
    invitation_id bigint NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    position      integer NOT NULL CHECK (position BETWEEN 1 AND 10),
    name          text    NOT NULL CHECK (name <> ''),
    PRIMARY KEY (invitation_id, position)
);

-- Every change to an invitation: who, when, how, what.
CREATE TABLE invitation_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invitation_id bigint      NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    via           text        NOT NULL CHECK (via IN ('link', 'staff', 'organizer', 'system')),
    user_id       bigint      REFERENCES users (id) ON DELETE SET NULL,
    action        text        NOT NULL,
    detail        jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX invitation_events_invitation_idx ON invitation_events (invitation_id, at);
CREATE INDEX invitation_events_at_idx ON invitation_events (at) WHERE action = 'answer';

-- Failed look-ups of invitation links, per address, to slow down guessing.
CREATE TABLE rsvp_failures (
    address text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rsvp_failures_address_idx ON rsvp_failures (address, at);

-- Every e-mail sent or to be sent. The body is rendered when it is sent
-- (it carries the personal link, which is never stored).
CREATE TABLE messages (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invitation_id bigint      REFERENCES invitations (id) ON DELETE SET NULL,
    guest_id      bigint      REFERENCES guests (id) ON DELETE SET NULL,
    recipient     text        NOT NULL,
    template      text        NOT NULL CHECK (template IN
                      ('invitation', 'reminder', 'confirmation', 'waitlisted', 'promoted', 'changed')),
    language      text        NOT NULL CHECK (language IN ('en', 'az', 'ru')),
    subject       text        NOT NULL DEFAULT '',
    status        text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz
);
CREATE INDEX messages_invitation_idx ON messages (invitation_id);
CREATE INDEX messages_created_idx ON messages (created_at DESC);

-- +goose Down
DROP TABLE messages;
DROP TABLE rsvp_failures;
DROP TABLE invitation_events;
DROP TABLE invitation_companions;
DROP TABLE invitation_ceremonies;
DROP TABLE invitations;
