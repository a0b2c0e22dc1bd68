-- 0010: submitted weeks and adjustments (issue 12, part B; domain.md §9).
--
-- Once a week is marked as submitted (table snapshots, 0001), a change to what
-- it covered is kept here with its reason. The record's counted state before
-- and after (登记日期, removal date, area, indicator bits) is enough to compute
-- the change's effect on any week's table: the table is a sum over records.
-- A state that did not exist (a new record) has ind 0.

CREATE TABLE adjustments (
    id                 INTEGER PRIMARY KEY,
    record_id          INTEGER NOT NULL REFERENCES records(id),
    after_snapshot     INTEGER NOT NULL,   -- max(snapshots.id) when it was made
    at                 TEXT NOT NULL,
    operator           TEXT NOT NULL DEFAULT '',
    action             TEXT NOT NULL CHECK (action IN ('insert', 'import', 'edit', 'remove', 'restore')),
    change             TEXT NOT NULL,      -- what changed, in words
    reason             TEXT NOT NULL CHECK (reason != ''),
    old_registered_on  TEXT,
    old_removed_on     TEXT,
    old_area_id        INTEGER,
    old_ind            INTEGER NOT NULL DEFAULT 0,
    new_registered_on  TEXT,
    new_removed_on     TEXT,
    new_area_id        INTEGER,
    new_ind            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX adjustments_snapshot ON adjustments (after_snapshot);
CREATE INDEX adjustments_record ON adjustments (record_id);
