-- +goose Up
-- A push webhook looks for the applications waiting for their pull request to merge
-- (ListMergeWaits). Without this index that is a walk through every application of every
-- release ever run; with it, a look at the few that wait.
CREATE INDEX release_applications_merge_waits ON release_applications (release_id)
WHERE phase = 'merge' AND status = 'RUNNING';

-- +goose Down
DROP INDEX release_applications_merge_waits;
