-- Standing price preferences for the ex-post mode (Landau): quantities come from the meters.
CREATE TABLE market.preferences (
  community_id text NOT NULL,
  household_id text NOT NULL,
  commodity    text NOT NULL,
  body         jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, household_id, commodity),
  FOREIGN KEY (community_id, household_id) REFERENCES market.households (community_id, id)
);
