-- 0008: audit rehearsal (issue 14; domain.md §8): telephone samples (电话抽查) and outcomes.
--
-- A sample is drawn for a date from the records counted then in chosen indicators;
-- it keeps its seed so that the same draw can be made (and checked) again, and
-- its call sheet printed again. Outcomes are recorded per sampled record; every
-- recording is also logged, so a changed outcome keeps its earlier value.

CREATE TABLE samples (
    id          INTEGER PRIMARY KEY,
    on_date     TEXT NOT NULL,                 -- the date the counted records are taken at
    seed        INTEGER NOT NULL,
    indicators  INTEGER NOT NULL,              -- chosen indicator bits (domain.Indicator)
    mode        TEXT NOT NULL CHECK (mode IN ('share', 'per_area')),
    amount      REAL NOT NULL,                 -- the share (0–1], or the number per area
    population  INTEGER NOT NULL,              -- counted records of those indicators then
    created_at  TEXT NOT NULL,
    operator    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sample_items (
    sample_id    INTEGER NOT NULL REFERENCES samples(id),
    record_id    INTEGER NOT NULL REFERENCES records(id),
    area_id      INTEGER REFERENCES areas(id),
    position     INTEGER NOT NULL,             -- sequence on its area's call sheet, from 1
    indicators   INTEGER NOT NULL,             -- the chosen indicators the record counts in
    outcome      TEXT CHECK (outcome IN ('已就业（属实）', '未就业', '自愿放弃就业',
                                         '空号或停机', '无人接听', '拒访', '信息不符')),
    note         TEXT NOT NULL DEFAULT '',
    recorded_at  TEXT,
    recorded_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sample_id, record_id)
);
CREATE INDEX sample_items_record ON sample_items (record_id);

CREATE TABLE sample_outcome_log (
    id           INTEGER PRIMARY KEY,
    sample_id    INTEGER NOT NULL REFERENCES samples(id),
    record_id    INTEGER NOT NULL REFERENCES records(id),
    outcome      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    operator     TEXT NOT NULL DEFAULT ''
);

-- The possible-duplicate search (fuzzy.py) reads blocks of one duplicate class and birth
-- date, counts phones and looks at unsound IDs, over the records not removed: it reads
-- these indexes in order instead of sorting a million rows. The columns of each index's
-- condition are repeated in it so that the index alone answers the query (covering).
CREATE INDEX records_audit_birth ON records (dup_key, birth_date, name, id_number, id_ok, removed_on)
    WHERE removed_on IS NULL AND id_ok = 1;
CREATE INDEX records_audit_phone ON records (phone, dup_key, removed_on)
    WHERE removed_on IS NULL AND phone != '';
CREATE INDEX records_audit_unsound ON records (id_ok, removed_on)
    WHERE id_ok = 0 AND removed_on IS NULL;
