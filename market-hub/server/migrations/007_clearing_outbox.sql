-- A clearing is its own outbox entry: published_at stays empty until its MQTT messages (the
-- retained result and price, each household's trades) are out, so that a hub that stopped
-- between committing a clearing and publishing it sends them when it starts again.
ALTER TABLE market.clearings ADD COLUMN published_at timestamptz;
UPDATE market.clearings SET published_at = cleared_at;
CREATE INDEX clearings_unpublished ON market.clearings (slot) WHERE published_at IS NULL;
