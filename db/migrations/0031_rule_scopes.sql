-- +goose Up
-- Rules gain a unique name (the API and YAML apply address them by it) and select products
-- (by name or tag) and flows (by name) as well as environments; besides promote and approve
-- they narrow triggering a flow by hand and retrying a release. SQLite cannot change a CHECK
-- constraint, so the table is rebuilt; existing rules are named rule-<id>.
CREATE TABLE access_rules_scoped (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    group_name        TEXT NOT NULL,
    permission        TEXT NOT NULL CHECK (permission IN ('promote', 'approve', 'trigger', 'retry')),
    environment_names TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every environment
    environment_kinds TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every kind
    product_names     TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every product
    product_tags      TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every product, else any tag
    flow_names        TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every flow and single promotions
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
INSERT INTO access_rules_scoped (id, name, group_name, permission, environment_names, environment_kinds, created_at, updated_at)
SELECT id, 'rule-' || id, group_name, permission, environment_names, environment_kinds, created_at, created_at FROM access_rules;
DROP TABLE access_rules;
ALTER TABLE access_rules_scoped RENAME TO access_rules;

-- +goose Down
CREATE TABLE access_rules_unscoped (
    id                INTEGER PRIMARY KEY,
    group_name        TEXT NOT NULL,
    permission        TEXT NOT NULL CHECK (permission IN ('promote', 'approve')),
    environment_names TEXT NOT NULL DEFAULT '[]',
    environment_kinds TEXT NOT NULL DEFAULT '[]',
    created_at        TIMESTAMP NOT NULL
);
-- Rules scoped to products or flows would narrow more widely without their scope: they go.
INSERT INTO access_rules_unscoped (id, group_name, permission, environment_names, environment_kinds, created_at)
SELECT id, group_name, permission, environment_names, environment_kinds, created_at FROM access_rules
WHERE permission IN ('promote', 'approve') AND product_names = '[]' AND product_tags = '[]' AND flow_names = '[]';
DROP TABLE access_rules;
ALTER TABLE access_rules_unscoped RENAME TO access_rules;
