-- 0005: trust (issue 11): the ledger's mark, signing keys, pinned keys of subordinate units.

-- A SQLite file without this mark is not opened (storage/db.py: APPLICATION_ID, "JYTZ").
PRAGMA application_id = 1247368282;

-- The unit's Ed25519 key pair (annex1.md, "Signed packages"): made at init, or on
-- first use in a ledger made before this step. Raw 32-byte keys.
CREATE TABLE signing_key (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    private_key  BLOB NOT NULL,
    public_key   BLOB NOT NULL,
    created_at   TEXT NOT NULL
);

-- The key of each subordinate unit, pinned on the first package merged from it
-- (or from a key file the unit exported); another key needs a person's acceptance.
CREATE TABLE pinned_keys (
    unit_code    TEXT PRIMARY KEY,
    public_key   BLOB NOT NULL,
    fingerprint  TEXT NOT NULL,
    pinned_at    TEXT NOT NULL,
    operator     TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT ''      -- the package or key file it came from
);

-- Every pinning and acceptance of a key, and the unit's own key being made.
CREATE TABLE key_history (
    id               INTEGER PRIMARY KEY,
    unit_code        TEXT NOT NULL,
    at               TEXT NOT NULL,
    operator         TEXT NOT NULL DEFAULT '',
    action           TEXT NOT NULL CHECK (action IN ('create', 'pin', 'accept')),
    old_fingerprint  TEXT,
    new_fingerprint  TEXT NOT NULL,
    source           TEXT NOT NULL DEFAULT ''
);

-- The fingerprint of the key that signed each merged package.
ALTER TABLE packages ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
