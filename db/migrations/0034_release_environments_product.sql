-- +goose Up
-- Each release environment carries its release's product, so that the dashboard finds the
-- newest release of a product in an environment, and the newest that succeeded there, with one
-- index search each, however long the history (the join through releases sorted every release of
-- the product, or walked every release of the environment).
ALTER TABLE release_environments ADD COLUMN product TEXT NOT NULL DEFAULT '';
UPDATE release_environments SET product = (SELECT r.product FROM releases r WHERE r.id = release_environments.release_id);
CREATE INDEX release_environments_product ON release_environments (product, name, release_id);
CREATE INDEX release_environments_deployed ON release_environments (product, name, release_id)
    WHERE is_trigger = 0 AND status = 'SUCCEEDED';

-- +goose Down
DROP INDEX release_environments_deployed;
DROP INDEX release_environments_product;
ALTER TABLE release_environments DROP COLUMN product;
