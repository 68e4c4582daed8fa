-- Correctable registry refusals (a passport typo, identifiers a register
-- does not find): each one sends the holder back to the data step with
-- the fields to look at. One row per refusal, so the limit on them (an
-- oracle for guessing someone's passport) is counted here, and the last
-- row is what the data step shows.
CREATE TABLE registry_correction (
    application_id text NOT NULL REFERENCES application (id),
    n              integer NOT NULL CHECK (n > 0),
    code           text NOT NULL,
    message_ru     text NOT NULL,
    message_en     text NOT NULL,
    fields         text[] NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (application_id, n)
);

---- create above / drop below ----

DROP TABLE registry_correction;
