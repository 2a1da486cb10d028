-- A scheduled source's file that waits for an administrator's confirmation (a dossier
-- export that would replace figures a unit reported itself) is named by its SHA-256; the
-- file waits beside the kept files, not among them, until it is confirmed.
ALTER TABLE ingest_runs ADD COLUMN file_sha256 VARCHAR;
ALTER TABLE ingest_runs ADD COLUMN file_name VARCHAR;
