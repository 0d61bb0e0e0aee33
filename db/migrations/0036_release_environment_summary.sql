-- +goose Up
-- Each release carries its environments' positions, names and statuses as
-- "position:name:status,…" (in no particular order), kept by triggers on every insert, status
-- change and delete, so the releases list reads one row per release instead of a subquery
-- each. The view says once how the text is made.
CREATE VIEW release_environment_summaries AS
SELECT release_id, group_concat(position || ':' || name || ':' || status, ',') AS summary
FROM release_environments GROUP BY release_id;

ALTER TABLE releases ADD COLUMN environments TEXT NOT NULL DEFAULT '';

UPDATE releases SET environments = COALESCE((SELECT summary FROM release_environment_summaries s
    WHERE s.release_id = releases.id), '');

-- +goose StatementBegin
CREATE TRIGGER release_environments_summary_insert AFTER INSERT ON release_environments
BEGIN
    UPDATE releases SET environments = COALESCE((SELECT summary FROM release_environment_summaries s
        WHERE s.release_id = NEW.release_id), '') WHERE id = NEW.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER release_environments_summary_update AFTER UPDATE OF status, position, name ON release_environments
BEGIN
    UPDATE releases SET environments = COALESCE((SELECT summary FROM release_environment_summaries s
        WHERE s.release_id = NEW.release_id), '') WHERE id = NEW.release_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER release_environments_summary_delete AFTER DELETE ON release_environments
BEGIN
    UPDATE releases SET environments = COALESCE((SELECT summary FROM release_environment_summaries s
        WHERE s.release_id = OLD.release_id), '') WHERE id = OLD.release_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER release_environments_summary_delete;
DROP TRIGGER release_environments_summary_update;
DROP TRIGGER release_environments_summary_insert;
ALTER TABLE releases DROP COLUMN environments;
DROP VIEW release_environment_summaries;
