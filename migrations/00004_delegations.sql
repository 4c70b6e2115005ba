-- The guest directory: delegations invited year after year, the people in
-- them, each delegation's participation in an edition, and what the
-- spreadsheet import needs to remember.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE delegations (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                     text        NOT NULL CHECK (name <> ''),
    kind                     text        NOT NULL CHECK (kind IN (
                                 'head_of_state', 'government', 'parliament', 'diplomatic_mission',
                                 'international_organisation', 'civil_society', 'religious_community',
                                 'press', 'other')),
    country                  text        NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    contact_name             text        NOT NULL DEFAULT '',
    contact_email            text        NOT NULL DEFAULT '',
    contact_phone            text        NOT NULL DEFAULT '',
    address                  text        NOT NULL DEFAULT '',
    notes                    text        NOT NULL DEFAULT '',
    -- Diplomatic missions: the day the head of mission presented
    -- credentials, which orders the diplomatic corps.
    credentials_presented_on date,
    -- An organizer's explicit rank inside the same kind (and credentials
    -- date); lower comes first, empty comes after every ranked one.
    rank                     integer     CHECK (rank BETWEEN 1 AND 10000),
    -- The position in the order of precedence, computed by the application
    -- (delegation.SortByPrecedence) whenever a delegation changes; never
    -- typed by hand. Lists sort by it.
    precedence               integer     NOT NULL DEFAULT 0,
    -- Folded name and country for accent-insensitive search.
    search_text              text        NOT NULL DEFAULT '',
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    version                  integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX delegations_name_key ON delegations (lower(name));
CREATE INDEX delegations_precedence_idx ON delegations (precedence);

CREATE TABLE guests (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    honorific           text        NOT NULL DEFAULT '',
    given_name          text        NOT NULL DEFAULT '',
    family_name         text        NOT NULL CHECK (family_name <> ''),
    printed_name        text        NOT NULL DEFAULT '',
    position            text        NOT NULL DEFAULT '',
    organisation        text        NOT NULL DEFAULT '',
    delegation_id       bigint      REFERENCES delegations (id) ON DELETE RESTRICT,
    email               text        NOT NULL DEFAULT '',
    phone               text        NOT NULL DEFAULT '',
    language            text        NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'az', 'ru')),
    accessibility_needs text        NOT NULL DEFAULT '',
    dietary_needs       text        NOT NULL DEFAULT '',
    vip                 boolean     NOT NULL DEFAULT false,
    -- Organizers only: never shown to staff, never printed.
    restricted_notes    text        NOT NULL DEFAULT '',
    -- Folded names, e-mail, organisation and delegation (see
    -- delegation.SearchText): what the directory search matches.
    search_text         text        NOT NULL DEFAULT '',
    -- The folded full name, for finding possible duplicates.
    name_key            text        NOT NULL DEFAULT '',
    -- The guest's delegation's position in the order of precedence, kept
    -- by the triggers below (guests without a delegation come last), so
    -- the directory pages through 20,000 guests in protocol order along
    -- an index instead of sorting them all.
    precedence          integer     NOT NULL DEFAULT 2147483647,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer     NOT NULL DEFAULT 1
);
-- One guest per e-mail address: imports match on it.
CREATE UNIQUE INDEX guests_email_key ON guests (lower(email)) WHERE email <> '';
CREATE INDEX guests_delegation_idx ON guests (delegation_id);
CREATE INDEX guests_search_idx ON guests USING gin (search_text gin_trgm_ops);
CREATE INDEX guests_name_key_idx ON guests USING gin (name_key gin_trgm_ops);
-- The directory's two orders in each language's collation (see
-- delegation.GuestQuery.order).
CREATE INDEX guests_precedence_en_idx ON guests (precedence, vip DESC, family_name COLLATE "en-x-icu", given_name COLLATE "en-x-icu", id);
CREATE INDEX guests_precedence_az_idx ON guests (precedence, vip DESC, family_name COLLATE "az-x-icu", given_name COLLATE "az-x-icu", id);
CREATE INDEX guests_precedence_ru_idx ON guests (precedence, vip DESC, family_name COLLATE "ru-x-icu", given_name COLLATE "ru-x-icu", id);
CREATE INDEX guests_name_en_idx ON guests (family_name COLLATE "en-x-icu", given_name COLLATE "en-x-icu", id);
CREATE INDEX guests_name_az_idx ON guests (family_name COLLATE "az-x-icu", given_name COLLATE "az-x-icu", id);
CREATE INDEX guests_name_ru_idx ON guests (family_name COLLATE "ru-x-icu", given_name COLLATE "ru-x-icu", id);

-- A guest takes the precedence of the delegation it joins ...
-- +goose StatementBegin
CREATE FUNCTION guests_take_precedence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.precedence := coalesce((SELECT precedence FROM delegations WHERE id = NEW.delegation_id), 2147483647);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER guests_take_precedence BEFORE INSERT OR UPDATE OF delegation_id, precedence ON guests
    FOR EACH ROW EXECUTE FUNCTION guests_take_precedence();

-- ... and follows it when the order of precedence is computed again.
-- +goose StatementBegin
CREATE FUNCTION delegations_pass_precedence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE guests SET precedence = NEW.precedence WHERE delegation_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER delegations_pass_precedence AFTER UPDATE OF precedence ON delegations
    FOR EACH ROW WHEN (OLD.precedence IS DISTINCT FROM NEW.precedence)
    EXECUTE FUNCTION delegations_pass_precedence();

-- A delegation in one edition.
CREATE TABLE participations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id       bigint      NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    delegation_id    bigint      NOT NULL REFERENCES delegations (id) ON DELETE RESTRICT,
    status           text        NOT NULL DEFAULT 'invited'
                     CHECK (status IN ('invited', 'confirmed', 'declined', 'withdrawn')),
    head_guest_id    bigint      REFERENCES guests (id) ON DELETE SET NULL,
    liaison_name     text        NOT NULL DEFAULT '',
    liaison_phone    text        NOT NULL DEFAULT '',
    wreath           boolean     NOT NULL DEFAULT false,
    ribbon_text      text        NOT NULL DEFAULT '',
    arrival_vehicle  text        NOT NULL DEFAULT '',
    arrival_plate    text        NOT NULL DEFAULT '',
    arrival_at       timestamptz,
    arrival_gate_id  bigint      REFERENCES gates (id) ON DELETE SET NULL,
    notes            text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer     NOT NULL DEFAULT 1,
    UNIQUE (edition_id, delegation_id)
);
CREATE INDEX participations_delegation_idx ON participations (delegation_id);
CREATE INDEX participations_head_idx ON participations (head_guest_id);

-- Two guests an organizer has said are different people, so the
-- duplicates list stops offering them.
CREATE TABLE guest_distinct_pairs (
    guest_a    bigint      NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    guest_b    bigint      NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guest_a, guest_b),
    CHECK (guest_a < guest_b)
);

-- Uploaded spreadsheets between upload and commit. Kept in PostgreSQL, not
-- on one instance's disk, so any instance can show the next step.
CREATE TABLE guest_imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    filename    text        NOT NULL,
    content     bytea       NOT NULL,
    header_key  text        NOT NULL DEFAULT '',
    mapping     jsonb,
    status      text        NOT NULL DEFAULT 'uploaded'
                CHECK (status IN ('uploaded', 'mapped', 'committed')),
    result      jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz
);

-- Column mappings remembered per header set (the same spreadsheet layout
-- next year maps itself).
CREATE TABLE import_mappings (
    header_key text        PRIMARY KEY,
    mapping    jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE import_mappings;
DROP TABLE guest_imports;
DROP TABLE guest_distinct_pairs;
DROP TABLE participations;
DROP TABLE guests;
DROP FUNCTION guests_take_precedence();
DROP TABLE delegations;
DROP FUNCTION delegations_pass_precedence();
