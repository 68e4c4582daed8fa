-- An issuance looks up its application's certificate and unfinished
-- intents on every run: without these, each renewal scanned every
-- certificate ever issued (seen in the load benchmark's table statistics).
CREATE INDEX certificate_application_idx ON certificate (application_id, recorded_at);
CREATE INDEX issuance_intent_application_idx ON issuance_intent (application_id) WHERE abandoned_at IS NULL;

---- create above / drop below ----

DROP INDEX issuance_intent_application_idx;
DROP INDEX certificate_application_idx;
