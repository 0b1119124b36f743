-- A bridge without an energy counter (an OpenEMS Edge that only reports power) integrates
-- power over time; its readings say so, and the audit trail keeps it.
ALTER TABLE market.readings ADD COLUMN derived boolean NOT NULL DEFAULT false;
