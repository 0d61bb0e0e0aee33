-- +goose Up
-- The releases list reads its rows from this index alone: newest first by ID, with every column
-- the page shows. Without it each listed release is a search of the ID index and then of the
-- table, whose rows carry the plan (often several KB, read through overflow pages to reach the
-- environments column after it).
CREATE INDEX releases_list ON releases (id, product, number, flow, version, status, environments);

-- +goose Down
DROP INDEX releases_list;
