-- Planning an edition: editions, venues with zones and gates, ceremonies and
-- their run-of-show, and the logistics behind them.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE editions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commemoration_id bigint      NOT NULL REFERENCES commemorations (id) ON DELETE RESTRICT,
    year             integer     NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    status           text        NOT NULL DEFAULT 'planning'
                     CHECK (status IN ('planning', 'invitations_open', 'closed', 'archived')),
    rsvp_deadline    date,
    -- Reminders go this many days before the RSVP deadline.
    reminder_days    integer     NOT NULL DEFAULT 7 CHECK (reminder_days BETWEEN 0 AND 90),
    notes            text        NOT NULL DEFAULT '',
    copied_from_id   bigint      REFERENCES editions (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer     NOT NULL DEFAULT 1,
    UNIQUE (commemoration_id, year)
);

CREATE TABLE venues (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text        NOT NULL CHECK (name <> ''),
    address             text        NOT NULL DEFAULT '',
    latitude            double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude           double precision CHECK (longitude BETWEEN -180 AND 180),
    capacity            integer     CHECK (capacity >= 0),
    accessibility_notes text        NOT NULL DEFAULT '',
    parking_notes       text        NOT NULL DEFAULT '',
    contact_name        text        NOT NULL DEFAULT '',
    contact_phone       text        NOT NULL DEFAULT '',
    contact_email       text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX venues_name_key ON venues (lower(name));

CREATE TABLE zones (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id     bigint      NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name <> ''),
    kind         text        NOT NULL DEFAULT 'guests'
                 CHECK (kind IN ('official', 'diplomatic', 'guests', 'press', 'staff', 'other')),
    capacity     integer     NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    badge_colour text        NOT NULL DEFAULT '#1f3a5f' CHECK (badge_colour ~ '^#[0-9a-f]{6}$'),
    position     integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX zones_venue_name_key ON zones (venue_id, lower(name));

CREATE TABLE gates (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id   bigint      NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (name <> ''),
    notes      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX gates_venue_name_key ON gates (venue_id, lower(name));

CREATE TABLE ceremonies (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id         bigint      NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    title              text        NOT NULL CHECK (title <> ''),
    kind               text        NOT NULL DEFAULT 'other'
                       CHECK (kind IN ('wreath_laying', 'memorial_service', 'reception', 'concert', 'other')),
    venue_id           bigint      REFERENCES venues (id) ON DELETE RESTRICT,
    starts_at          timestamptz NOT NULL,
    ends_at            timestamptz NOT NULL,
    -- NULL means the sum of the zones' capacities.
    capacity           integer     CHECK (capacity >= 0),
    dress_code         text        NOT NULL DEFAULT '',
    notes_guests       text        NOT NULL DEFAULT '',
    notes_staff        text        NOT NULL DEFAULT '',
    status             text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    companions_default integer     NOT NULL DEFAULT 0 CHECK (companions_default BETWEEN 0 AND 10),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer     NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
);
CREATE INDEX ceremonies_edition_idx ON ceremonies (edition_id, starts_at);

-- The zones a ceremony uses. during and active mirror the ceremony (kept by
-- the triggers below), so PostgreSQL itself refuses two live ceremonies in
-- the same zone at overlapping times, whatever code writes the rows.
CREATE TABLE ceremony_zones (
    ceremony_id bigint    NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    zone_id     bigint    NOT NULL REFERENCES zones (id) ON DELETE RESTRICT,
    during      tstzrange NOT NULL,
    active      boolean   NOT NULL,
    PRIMARY KEY (ceremony_id, zone_id),
    CONSTRAINT ceremony_zones_no_overlap EXCLUDE USING gist (zone_id WITH =, during WITH &&) WHERE (active)
);
CREATE INDEX ceremony_zones_zone_idx ON ceremony_zones (zone_id);

-- +goose StatementBegin
CREATE FUNCTION ceremony_zones_fill() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c ceremonies%ROWTYPE;
    zone_venue bigint;
BEGIN
    SELECT * INTO c FROM ceremonies WHERE id = NEW.ceremony_id;
    SELECT venue_id INTO zone_venue FROM zones WHERE id = NEW.zone_id;
    IF c.venue_id IS DISTINCT FROM zone_venue THEN
        RAISE EXCEPTION 'zone % is not part of the venue of ceremony %', NEW.zone_id, NEW.ceremony_id
            USING ERRCODE = '23514';
    END IF;
    NEW.during := tstzrange(c.starts_at, c.ends_at, '[)');
    NEW.active := c.status <> 'cancelled';
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ceremony_zones_fill BEFORE INSERT OR UPDATE ON ceremony_zones
    FOR EACH ROW EXECUTE FUNCTION ceremony_zones_fill();

-- +goose StatementBegin
CREATE FUNCTION ceremonies_sync_zones() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.starts_at IS DISTINCT FROM OLD.starts_at OR NEW.ends_at IS DISTINCT FROM OLD.ends_at
       OR NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE ceremony_zones SET during = tstzrange(NEW.starts_at, NEW.ends_at, '[)'),
                                  active = NEW.status <> 'cancelled'
         WHERE ceremony_id = NEW.id;
    END IF;
    IF NEW.venue_id IS DISTINCT FROM OLD.venue_id THEN
        DELETE FROM ceremony_zones cz USING zones z
         WHERE cz.ceremony_id = NEW.id AND z.id = cz.zone_id AND z.venue_id IS DISTINCT FROM NEW.venue_id;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ceremonies_sync_zones AFTER UPDATE ON ceremonies
    FOR EACH ROW EXECUTE FUNCTION ceremonies_sync_zones();

CREATE TABLE programme_items (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ceremony_id      bigint      NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    starts_at        timestamptz NOT NULL,
    duration_minutes integer     NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 1440),
    title            text        NOT NULL CHECK (title <> ''),
    responsible      text        NOT NULL DEFAULT '',
    zone_id          bigint      REFERENCES zones (id) ON DELETE SET NULL,
    notes            text        NOT NULL DEFAULT '',
    visibility       text        NOT NULL DEFAULT 'guests' CHECK (visibility IN ('guests', 'staff')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer     NOT NULL DEFAULT 1
);
CREATE INDEX programme_items_ceremony_idx ON programme_items (ceremony_id, starts_at, id);

CREATE TABLE resources (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ceremony_id bigint      NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    item        text        NOT NULL CHECK (item <> ''),
    quantity    integer     NOT NULL DEFAULT 1 CHECK (quantity >= 0),
    supplier    text        NOT NULL DEFAULT '',
    status      text        NOT NULL DEFAULT 'needed' CHECK (status IN ('needed', 'ordered', 'delivered')),
    notes       text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer     NOT NULL DEFAULT 1
);
CREATE INDEX resources_ceremony_idx ON resources (ceremony_id);

CREATE TABLE transports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ceremony_id  bigint      NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    vehicle      text        NOT NULL CHECK (vehicle <> ''),
    driver_name  text        NOT NULL DEFAULT '',
    driver_phone text        NOT NULL DEFAULT '',
    pickup_point text        NOT NULL DEFAULT '',
    pickup_at    timestamptz,
    -- Who rides: a delegation or named guests, as written by the organizer.
    carries      text        NOT NULL DEFAULT '',
    seats        integer     CHECK (seats >= 0),
    notes        text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer     NOT NULL DEFAULT 1
);
CREATE INDEX transports_ceremony_idx ON transports (ceremony_id, pickup_at);

CREATE TABLE tasks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id  bigint      NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    ceremony_id bigint      REFERENCES ceremonies (id) ON DELETE CASCADE,
    title       text        NOT NULL CHECK (title <> ''),
    assignee_id bigint      REFERENCES users (id) ON DELETE SET NULL,
    due_on      date,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    notes       text        NOT NULL DEFAULT '',
    done_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer     NOT NULL DEFAULT 1
);
CREATE INDEX tasks_edition_idx ON tasks (edition_id, status, due_on);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status, due_on);

-- +goose Down
DROP TABLE tasks;
DROP TABLE transports;
DROP TABLE resources;
DROP TABLE programme_items;
DROP TABLE ceremony_zones;
DROP FUNCTION ceremony_zones_fill();
DROP TRIGGER ceremonies_sync_zones ON ceremonies;
DROP FUNCTION ceremonies_sync_zones();
DROP TABLE ceremonies;
DROP TABLE gates;
DROP TABLE zones;
DROP TABLE venues;
DROP TABLE editions;
DROP EXTENSION IF EXISTS btree_gist;
