-- A read-only token lets a dashboard read a household's data (statements, energy, orders)
-- without the right to place orders, send readings or change limits.
ALTER TABLE auth.device_tokens
  ADD COLUMN scope text NOT NULL DEFAULT 'device' CHECK (scope IN ('device', 'read'));
