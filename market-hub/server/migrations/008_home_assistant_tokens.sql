-- A Home Assistant token: Home Assistant's own MQTT login (and its bridge's entities), so that
-- revoking the household's device token does not also cut Home Assistant off the broker.
ALTER TABLE auth.device_tokens DROP CONSTRAINT device_tokens_scope_check;
ALTER TABLE auth.device_tokens
  ADD CONSTRAINT device_tokens_scope_check CHECK (scope IN ('device', 'read', 'home-assistant'));
