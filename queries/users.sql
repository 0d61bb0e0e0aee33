-- name: CountUsers :one
SELECT CAST(COUNT(*) AS INTEGER) FROM users;

-- name: ListUsers :many
SELECT * FROM users ORDER BY name;

-- name: GetUser :one
SELECT * FROM users WHERE id = ?;

-- name: GetUserByName :one
SELECT * FROM users WHERE name = ?;

-- name: GetUserBySubject :one
SELECT * FROM users WHERE subject = ?;

-- name: CountUsersByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM users WHERE name = ?;

-- name: CreateUser :one
INSERT INTO users (name, subject, email, groups, group_role, password_hash, must_change_password, last_sign_in_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateUserSignIn :one
UPDATE users SET email = ?, groups = ?, group_role = ?, last_sign_in_at = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: SetUserPassword :exec
UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?;

-- name: SetUserRoleOverride :exec
UPDATE users SET role_override = ?, updated_at = ? WHERE id = ?;

-- name: SetUserDisabled :exec
UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?;

-- name: CountSingleSignOnAdmins :one
SELECT CAST(COUNT(*) AS INTEGER) FROM users
WHERE subject IS NOT NULL AND disabled = 0
  AND (role_override = 'admin' OR (role_override = '' AND group_role = 'admin'));

-- name: ListAccessRules :many
SELECT * FROM access_rules ORDER BY name;

-- name: CreateAccessRule :one
INSERT INTO access_rules (name, group_name, permission, environment_names, environment_kinds,
    product_names, product_tags, flow_names, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateAccessRule :one
UPDATE access_rules SET name = ?, group_name = ?, permission = ?, environment_names = ?, environment_kinds = ?,
    product_names = ?, product_tags = ?, flow_names = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: GetAccessRuleByName :one
SELECT * FROM access_rules WHERE name = ?;

-- name: CountAccessRulesByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM access_rules WHERE name = ?;

-- name: DeleteAccessRule :exec
DELETE FROM access_rules WHERE id = ?;

-- name: RenameUser :exec
UPDATE users SET name = ?, updated_at = ? WHERE id = ?;
