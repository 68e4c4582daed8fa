-- Signed documents are PDFs whose streams are compressed already:
-- PostgreSQL's own compression of them never succeeds and cost about a
-- millisecond per insert (pg_stat_statements in the load benchmark).
-- Stored out of line, uncompressed.
ALTER TABLE signed_document ALTER COLUMN content SET STORAGE EXTERNAL;

---- create above / drop below ----

ALTER TABLE signed_document ALTER COLUMN content SET STORAGE EXTENDED;
