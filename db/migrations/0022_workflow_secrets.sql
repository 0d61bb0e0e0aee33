-- +goose Up
-- Workflow secrets: named values that workflow steps refer to by name ({{secret "name"}} in an
-- HTTP step's headers or body, or an exec step's environment). The value is sealed with the
-- secret key (AES-GCM) and never stored, shown or exported in plain text.
CREATE TABLE workflow_secrets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    value       BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE workflow_secrets;
