-- name: ListProducts :many
SELECT * FROM products ORDER BY name;

-- name: GetProduct :one
SELECT * FROM products WHERE name = ?;

-- name: GetProductConcurrency :one
-- What the runner reads of a product at every step of a release: no template to decode.
SELECT concurrency, queue_limit FROM products WHERE name = ?;

-- name: CountProductsByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM products WHERE name = ?;

-- name: CreateProduct :one
INSERT INTO products (name, tags, description, template, flows, concurrency, queue_limit, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateProduct :one
UPDATE products
SET name = ?, tags = ?, description = ?, template = ?, flows = ?, concurrency = ?, queue_limit = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteProduct :exec
DELETE FROM products WHERE id = ?;

-- name: ListProductNames :many
SELECT name FROM products ORDER BY name;

-- name: ListFlowNames :many
SELECT name FROM flows ORDER BY name;
