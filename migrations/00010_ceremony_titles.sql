-- +goose Up
-- A ceremony's title as guests read it in Azerbaijani and Russian. The
-- title itself stays the one organizers plan with (and the one shown when
-- a translation is missing).
ALTER TABLE ceremonies
    ADD COLUMN title_az text NOT NULL DEFAULT '' CHECK (length(title_az) <= 200),
    ADD COLUMN title_ru text NOT NULL DEFAULT '' CHECK (length(title_ru) <= 200);

-- +goose Down
ALTER TABLE ceremonies DROP COLUMN title_az, DROP COLUMN title_ru;
