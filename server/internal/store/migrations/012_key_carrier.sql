-- Where the new key lives, as the wizard said when it sent the request
-- (browser, file, or a request made by the person's own tool): the
-- authority writes the matching signature-tool text (subjectSignTool)
-- from the profile's configuration. NULL: no request yet.
ALTER TABLE application ADD COLUMN key_carrier text
    CHECK (key_carrier IN ('browser', 'file', 'request'));
