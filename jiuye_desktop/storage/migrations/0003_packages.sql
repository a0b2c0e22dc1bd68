-- 0003: packages received from subordinate units (annex1.md, "the file that goes upward").
--
-- A merged record is a copy of a row of a subordinate unit's 实名台账 sheet:
-- records.origin_unit names the unit, records.package_id the package it came
-- in. One package per unit and year is active; a newer one supersedes it and
-- its copies are deleted (the unit keeps its own ledger; this log and the
-- file keep the history).

CREATE TABLE packages (
    id             INTEGER PRIMARY KEY,
    unit_code      TEXT NOT NULL,
    unit_name      TEXT NOT NULL,
    level          TEXT NOT NULL DEFAULT '',
    year           INTEGER NOT NULL,
    week_key       TEXT NOT NULL,
    week_label     TEXT NOT NULL,
    week_start     TEXT NOT NULL,
    week_end       TEXT NOT NULL,
    written_at     TEXT NOT NULL,              -- when the unit exported it (说明 sheet)
    app_version    TEXT NOT NULL DEFAULT '',
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,              -- of the file as received
    digest         TEXT NOT NULL,              -- of its ledger rows (说明 sheet)
    received_at    TEXT NOT NULL,
    operator       TEXT NOT NULL DEFAULT '',
    row_count      INTEGER NOT NULL,
    import_id      INTEGER REFERENCES imports(id),
    status         TEXT NOT NULL CHECK (status IN ('active', 'superseded')),
    superseded_by  INTEGER REFERENCES packages(id)
);
CREATE INDEX packages_unit ON packages (unit_code, year, week_end);
CREATE UNIQUE INDEX packages_one_active ON packages (unit_code, year) WHERE status = 'active';

ALTER TABLE records ADD COLUMN package_id INTEGER REFERENCES packages(id);
CREATE INDEX records_package ON records (package_id) WHERE package_id IS NOT NULL;
