-- +goose Up
-- A release's environment may soak: it starts only once every environment it depends on has
-- run the release's version for soak_seconds after succeeding there; with soak_health the
-- applications there must also be healthy when the time is up. Copied from the flow step when
-- the release is created, so a later change of the flow does not move a running soak.
ALTER TABLE release_environments ADD COLUMN soak_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE release_environments ADD COLUMN soak_health BOOLEAN NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE release_environments DROP COLUMN soak_health;
ALTER TABLE release_environments DROP COLUMN soak_seconds;
