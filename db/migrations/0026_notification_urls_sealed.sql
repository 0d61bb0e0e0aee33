-- +goose Up
-- A channel's webhook URL may hold a token (Slack's do): it is sealed like every other secret.
-- url_sealed is the URL sealed with the instance's key; host is its scheme and host, the part
-- pages show. SQL cannot seal the URLs already stored: Ladder seals them at start
-- (notify.Service.SealStored) and empties url.
ALTER TABLE notification_channels ADD COLUMN url_sealed BLOB;
ALTER TABLE notification_channels ADD COLUMN host TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notification_channels DROP COLUMN host;
ALTER TABLE notification_channels DROP COLUMN url_sealed;
