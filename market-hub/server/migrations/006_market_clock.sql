-- The latest market time a hub process ticked at: a fast market clock (--speed) resumes from
-- it after a restart instead of running back to the wall clock.
CREATE TABLE market.clock (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  at timestamptz NOT NULL
);
