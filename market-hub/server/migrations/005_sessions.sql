-- A login is a session: its refresh tokens rotate within it, its access tokens name it (sid),
-- and ending it (logout, or a refresh token used twice) ends every token of it at once.
CREATE TABLE auth.sessions (
  id         text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  ended_at   timestamptz
);
ALTER TABLE auth.refresh_tokens
  ADD COLUMN session_id text REFERENCES auth.sessions (id) ON DELETE CASCADE;
