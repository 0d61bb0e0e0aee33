-- +goose Up
-- The releases list reads each release's environments (name and status, in order) from this
-- index alone, without visiting the table or sorting.
CREATE INDEX release_environments_statuses ON release_environments (release_id, position, name, status);

-- +goose Down
DROP INDEX release_environments_statuses;
