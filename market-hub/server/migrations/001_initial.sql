-- OpenLEM hub schema, version 1. Credentials live in their own schema, apart from market data.
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS market;

CREATE TABLE auth.users (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('operator', 'participant', 'observer')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth.refresh_tokens (
  id         bigserial PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- A device token acts for one household only; only its hash is stored.
CREATE TABLE auth.device_tokens (
  id           bigserial PRIMARY KEY,
  community_id text NOT NULL,
  household_id text NOT NULL,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  created_by   bigint REFERENCES auth.users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

-- Signing keys shared by every hub process on this database.
CREATE TABLE auth.secrets (
  name  text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE market.communities (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  config     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A household is a market participant; `key` is the dense integer the engine groups by.
CREATE TABLE market.households (
  community_id text NOT NULL REFERENCES market.communities (id),
  id           text NOT NULL,
  key          bigserial UNIQUE,
  user_id      bigint REFERENCES auth.users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, id)
);

CREATE TABLE market.meters (
  id              text PRIMARY KEY,
  community_id    text NOT NULL,
  household_id    text NOT NULL,
  registers       text NOT NULL CHECK (registers IN ('import-export', 'import', 'export')),
  source          text,
  pin_hash        text NOT NULL,
  linked_user_id  bigint REFERENCES auth.users (id),
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (community_id, household_id) REFERENCES market.households (community_id, id)
);

CREATE TABLE market.readings (
  meter_id    text NOT NULL REFERENCES market.meters (id),
  at          timestamptz NOT NULL,
  import_wh   bigint NOT NULL CHECK (import_wh >= 0),
  export_wh   bigint NOT NULL CHECK (export_wh >= 0),
  signature   jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (meter_id, at)
);

CREATE TABLE market.orders (
  id              bigserial PRIMARY KEY,
  community_id    text NOT NULL,
  household_id    text NOT NULL,
  client_order_id text NOT NULL,
  slot            timestamptz NOT NULL,
  commodity       text NOT NULL,
  side            text NOT NULL CHECK (side IN ('buy', 'sell')),
  body            jsonb NOT NULL,
  energy_wh       bigint NOT NULL CHECK (energy_wh > 0),
  filled_wh       bigint NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'partially-filled', 'filled', 'cancelled', 'expired')),
  submitted_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, household_id, client_order_id),
  FOREIGN KEY (community_id, household_id) REFERENCES market.households (community_id, id)
);
CREATE INDEX orders_by_slot ON market.orders (community_id, slot, commodity);

-- One row per cleared slot: the primary key is what makes a slot clear exactly once.
CREATE TABLE market.clearings (
  community_id text NOT NULL REFERENCES market.communities (id),
  slot         timestamptz NOT NULL,
  commodity    text NOT NULL,
  cleared_at   timestamptz NOT NULL,
  triggered_by text NOT NULL,
  result       jsonb NOT NULL,
  PRIMARY KEY (community_id, slot, commodity)
);

CREATE TABLE market.fills (
  id             bigserial PRIMARY KEY,
  community_id   text NOT NULL,
  slot           timestamptz NOT NULL,
  commodity      text NOT NULL,
  order_id       bigint NOT NULL REFERENCES market.orders (id),
  step           integer NOT NULL,
  household_id   text NOT NULL,
  side           text NOT NULL,
  counterparty   text NOT NULL CHECK (counterparty IN ('local', 'utility')),
  market         text NOT NULL,
  energy_wh      bigint NOT NULL,
  price_ticks    bigint NOT NULL,
  grid_fee_ticks bigint NOT NULL,
  source         text,
  FOREIGN KEY (community_id, slot, commodity) REFERENCES market.clearings (community_id, slot, commodity)
);
CREATE INDEX fills_by_household ON market.fills (community_id, household_id, slot);

CREATE TABLE market.audit (
  id     bigserial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text NOT NULL,
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
