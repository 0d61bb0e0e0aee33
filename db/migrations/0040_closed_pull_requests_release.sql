-- +goose Up
-- A release that ends closes its pull requests, and first asks which are closed already
-- (ListClosedPullRequests, by release): without this index, a walk through every pull request
-- ever closed.
CREATE INDEX closed_pull_requests_release ON closed_pull_requests (release_id);

-- +goose Down
DROP INDEX closed_pull_requests_release;
