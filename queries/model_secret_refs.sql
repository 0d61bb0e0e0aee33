-- name: ListModelSecretRefs :many
SELECT * FROM model_secret_refs ORDER BY kind, name, field;

-- name: UpsertModelSecretRef :exec
INSERT INTO model_secret_refs (kind, name, field, ref_name, ref_key) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (kind, name, field) DO UPDATE SET ref_name = excluded.ref_name, ref_key = excluded.ref_key;

-- name: DeleteModelSecretRef :exec
DELETE FROM model_secret_refs WHERE kind = ? AND name = ? AND field = ?;

-- name: DeleteModelSecretRefs :exec
DELETE FROM model_secret_refs WHERE kind = ? AND name = ?;
