-- Wrong PINs per meter, across every account: after too many the meter's link waits for a new
-- PIN from the operator, so creating accounts does not buy more guesses at one meter.
ALTER TABLE market.meters ADD COLUMN pin_failures integer NOT NULL DEFAULT 0;
