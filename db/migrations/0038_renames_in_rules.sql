-- +goose Up
-- A rule names environments, products and flows; renaming one renames it in every rule that
-- names it, in the same statement. A rule that kept the old name would select nothing on that
-- axis any more and so stop narrowing who may act there ("only sre may promote to prod" would
-- no longer cover prod once it is called production).

-- +goose StatementBegin
CREATE TRIGGER environment_renamed_in_rules AFTER UPDATE OF name ON environments
WHEN OLD.name <> NEW.name
BEGIN
    UPDATE access_rules
    SET environment_names = (SELECT json_group_array(CASE WHEN value = OLD.name THEN NEW.name ELSE value END)
                 FROM json_each(access_rules.environment_names))
    WHERE EXISTS (SELECT 1 FROM json_each(access_rules.environment_names) WHERE value = OLD.name);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER product_renamed_in_rules AFTER UPDATE OF name ON products
WHEN OLD.name <> NEW.name
BEGIN
    UPDATE access_rules
    SET product_names = (SELECT json_group_array(CASE WHEN value = OLD.name THEN NEW.name ELSE value END)
                 FROM json_each(access_rules.product_names))
    WHERE EXISTS (SELECT 1 FROM json_each(access_rules.product_names) WHERE value = OLD.name);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER flow_renamed_in_rules AFTER UPDATE OF name ON flows
WHEN OLD.name <> NEW.name
BEGIN
    UPDATE access_rules
    SET flow_names = (SELECT json_group_array(CASE WHEN value = OLD.name THEN NEW.name ELSE value END)
                 FROM json_each(access_rules.flow_names))
    WHERE EXISTS (SELECT 1 FROM json_each(access_rules.flow_names) WHERE value = OLD.name);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER environment_renamed_in_rules;
DROP TRIGGER product_renamed_in_rules;
DROP TRIGGER flow_renamed_in_rules;
