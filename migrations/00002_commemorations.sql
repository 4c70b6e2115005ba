-- The recurring occasion that every edition, ceremony and invitation hangs
-- off.

-- +goose Up
CREATE TABLE commemorations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL CHECK (name <> ''),
    description     text        NOT NULL DEFAULT '',
    commemorated_on date        NOT NULL,
    ceremony_month  smallint    NOT NULL CHECK (ceremony_month BETWEEN 1 AND 12),
    ceremony_day    smallint    NOT NULL CHECK (ceremony_day BETWEEN 1 AND 31),
    time_zone       text        NOT NULL CHECK (time_zone <> ''),
    default_locale  text        NOT NULL DEFAULT 'en' CHECK (default_locale IN ('en', 'az', 'ru')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX commemorations_name_key ON commemorations (lower(name));

-- +goose Down
DROP TABLE commemorations;
