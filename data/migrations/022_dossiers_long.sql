-- Issue 17's speed: the dossiers open, or resolved 31 days or more after they were
-- received, copied beside the dossiers table. A period's 766 index reads the dossiers
-- received from 31 days before it by the zone maps of received_at, and these for the
-- ones received earlier that it still reaches (open at its start): without them it read
-- every column of every older row to find the few still open. The store keeps the copy
-- in step with the dossiers table in the same transaction (data/dossiers.go: longDossier).
CREATE TABLE dossiers_long AS SELECT * FROM dossiers
WHERE resolved_at IS NULL OR resolved_at >= received_at + INTERVAL 31 DAY;
