-- +goose Up
-- A binding policy's gates hold in manual promotions: a promoter may add checks but may not
-- remove its pre- or post-action workflow or its pull-request action; an admin may, with a
-- reason that is recorded.
ALTER TABLE policies ADD COLUMN binding BOOLEAN NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE policies DROP COLUMN binding;
