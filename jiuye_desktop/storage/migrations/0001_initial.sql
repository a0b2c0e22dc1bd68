-- 0001: the ledger of one reporting unit (domain.md §2–§4).

CREATE TABLE unit (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('county', 'city', 'province')),
    created_at  TEXT NOT NULL
);

-- People, contact, operator, targets: small key/value settings of the unit.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Seal and signature images (PNG bytes).
CREATE TABLE images (
    kind  TEXT PRIMARY KEY CHECK (kind IN ('seal', 'sign_unit', 'sign_org')),
    data  BLOB NOT NULL
);

-- Rows of the weekly table: 本级 (is_self, the unit's own code) and subordinate areas.
CREATE TABLE areas (
    id        INTEGER PRIMARY KEY,
    code      TEXT UNIQUE,
    name      TEXT NOT NULL UNIQUE,
    position  INTEGER NOT NULL,
    is_self   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE,
    sheet        TEXT NOT NULL DEFAULT '',
    imported_at  TEXT NOT NULL,
    operator     TEXT NOT NULL DEFAULT '',
    row_count    INTEGER NOT NULL,
    imported     INTEGER NOT NULL,
    rejected     INTEGER NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'import' CHECK (kind IN ('import', 'demo', 'merge'))
);

CREATE TABLE records (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL DEFAULT '',
    id_number          TEXT NOT NULL DEFAULT '',   -- normalised (and upgraded) ID
    id_raw             TEXT NOT NULL DEFAULT '',   -- as written
    id_ok              INTEGER NOT NULL DEFAULT 0, -- passes domain.md §5.1 hard rules
    id_note            TEXT NOT NULL DEFAULT '',
    birth_date         TEXT,
    sex                TEXT NOT NULL DEFAULT '',
    area_id            INTEGER REFERENCES areas(id),
    area_raw           TEXT NOT NULL DEFAULT '',
    record_type        TEXT NOT NULL DEFAULT '',
    event_date         TEXT,
    event_date_raw     TEXT NOT NULL DEFAULT '',
    employment_form    TEXT NOT NULL DEFAULT '',
    employer           TEXT NOT NULL DEFAULT '',
    uscc               TEXT NOT NULL DEFAULT '',
    contract           TEXT NOT NULL DEFAULT '',
    insurance          TEXT NOT NULL DEFAULT '',
    reemployed         TEXT NOT NULL DEFAULT '',
    hardship           TEXT NOT NULL DEFAULT '',
    hardship_category  TEXT NOT NULL DEFAULT '',
    overcapacity       TEXT NOT NULL DEFAULT '',
    former_enterprise  TEXT NOT NULL DEFAULT '',
    placement_method   TEXT NOT NULL DEFAULT '',
    attrition_reason   TEXT NOT NULL DEFAULT '',
    hukou              TEXT NOT NULL DEFAULT '',
    education          TEXT NOT NULL DEFAULT '',
    industry           TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    registered_on      TEXT NOT NULL,              -- 登记日期; the record's year is its year
    registered_on_raw  TEXT NOT NULL DEFAULT '',
    remark             TEXT NOT NULL DEFAULT '',
    seq                TEXT NOT NULL DEFAULT '',   -- 序号 of the source file, never identity
    source_row         INTEGER,
    import_id          INTEGER REFERENCES imports(id),
    origin_unit        TEXT,                       -- merged records: the county's unit code
    ind                INTEGER NOT NULL DEFAULT 0, -- Annex 1 indicator bits (domain.Indicator)
    dup_key            TEXT,                       -- duplicate class: N<year>, P<year>, A
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL DEFAULT '',
    updated_at         TEXT,
    removed_on         TEXT,                       -- date of the active removal
    removal_reason     TEXT CHECK (removal_reason IN ('duplicate', 'invalid', 'incomplete'))
);

-- The weekly table: one range scan, covering.
CREATE INDEX records_weekly ON records (registered_on, area_id, ind, removed_on);
-- Duplicate groups (domain.md §5.3) and lookups by ID.
CREATE INDEX records_person ON records (id_number, dup_key, removed_on);
CREATE INDEX records_name_birth ON records (name, birth_date);

-- Findings of one record on its own (invalid, incomplete, warning); duplicates
-- need the whole ledger and are computed by the self-check.
CREATE TABLE record_findings (
    record_id  INTEGER NOT NULL REFERENCES records(id),
    kind       TEXT NOT NULL CHECK (kind IN ('invalid', 'incomplete', 'warning')),
    field      TEXT NOT NULL,
    message    TEXT NOT NULL
);
CREATE INDEX record_findings_record ON record_findings (record_id);
CREATE INDEX record_findings_kind ON record_findings (kind, record_id);

-- Every removal and restore, dated; a record's active removal is mirrored in records.
CREATE TABLE removals (
    id           INTEGER PRIMARY KEY,
    record_id    INTEGER NOT NULL REFERENCES records(id),
    removed_on   TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('duplicate', 'invalid', 'incomplete')),
    note         TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    operator     TEXT NOT NULL DEFAULT '',
    restored_at  TEXT,
    restored_by  TEXT
);
CREATE INDEX removals_record ON removals (record_id);
CREATE INDEX removals_date ON removals (removed_on);

-- Change history: edits, removals, restores (inserts are the records themselves).
CREATE TABLE history (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES records(id),
    at         TEXT NOT NULL,
    operator   TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL CHECK (action IN ('insert', 'edit', 'remove', 'restore', 'import', 'merge')),
    field      TEXT,
    old_value  TEXT,
    new_value  TEXT
);
CREATE INDEX history_record ON history (record_id);

-- Weekly tables marked as submitted (标记为已上报).
CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    week_key      TEXT NOT NULL,
    label         TEXT NOT NULL,
    start         TEXT NOT NULL,
    end           TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    operator      TEXT NOT NULL DEFAULT '',
    table_json    TEXT NOT NULL
);
CREATE INDEX snapshots_week ON snapshots (week_key, submitted_at);
