-- 0002: the weekly table from a daily tally kept by triggers.
--
-- A record adds +1 to (its year, 登记日期, area, indicator bits) and, when it
-- is removed, -1 on the later of its 登记日期 and its removal date. 本年累计 at
-- a day is then the sum of the tally of that year up to that day
-- (domain.md §4), which is read in milliseconds at a million records.

CREATE TABLE tally (
    year     INTEGER NOT NULL,
    day      TEXT NOT NULL,
    area_id  INTEGER NOT NULL,
    ind      INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (year, day, area_id, ind)
) WITHOUT ROWID;

INSERT INTO tally (year, day, area_id, ind, n)
SELECT year, day, area_id, ind, sum(n) FROM (
    SELECT CAST(substr(registered_on, 1, 4) AS INTEGER) AS year, registered_on AS day,
           area_id, ind, 1 AS n
    FROM records WHERE ind != 0 AND area_id IS NOT NULL
    UNION ALL
    SELECT CAST(substr(registered_on, 1, 4) AS INTEGER), max(registered_on, removed_on),
           area_id, ind, -1
    FROM records WHERE ind != 0 AND area_id IS NOT NULL AND removed_on IS NOT NULL
) GROUP BY year, day, area_id, ind;

-- Inserts are counted in bulk by ledger.insert_rows (one GROUP BY per batch: a
-- per-row trigger doubled the cost of an import); the only way records are
-- inserted. Updates and deletes, one record at a time, are kept by triggers.

CREATE TRIGGER records_tally_update
AFTER UPDATE OF registered_on, area_id, ind, removed_on ON records
BEGIN
    -- Take the old contribution out...
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(OLD.registered_on, 1, 4) AS INTEGER), OLD.registered_on, OLD.area_id, OLD.ind, -1
    WHERE OLD.ind != 0 AND OLD.area_id IS NOT NULL
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n - 1;
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(OLD.registered_on, 1, 4) AS INTEGER), max(OLD.registered_on, OLD.removed_on),
           OLD.area_id, OLD.ind, 1
    WHERE OLD.ind != 0 AND OLD.area_id IS NOT NULL AND OLD.removed_on IS NOT NULL
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n + 1;
    -- ...and put the new one in.
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(NEW.registered_on, 1, 4) AS INTEGER), NEW.registered_on, NEW.area_id, NEW.ind, 1
    WHERE NEW.ind != 0 AND NEW.area_id IS NOT NULL
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n + 1;
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(NEW.registered_on, 1, 4) AS INTEGER), max(NEW.registered_on, NEW.removed_on),
           NEW.area_id, NEW.ind, -1
    WHERE NEW.ind != 0 AND NEW.area_id IS NOT NULL AND NEW.removed_on IS NOT NULL
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n - 1;
END;

-- Records are never deleted; should one ever be, the tally must follow.
CREATE TRIGGER records_tally_delete AFTER DELETE ON records
WHEN OLD.ind != 0 AND OLD.area_id IS NOT NULL
BEGIN
    INSERT INTO tally (year, day, area_id, ind, n)
    VALUES (CAST(substr(OLD.registered_on, 1, 4) AS INTEGER), OLD.registered_on, OLD.area_id, OLD.ind, -1)
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n - 1;
    INSERT INTO tally (year, day, area_id, ind, n)
    SELECT CAST(substr(OLD.registered_on, 1, 4) AS INTEGER), max(OLD.registered_on, OLD.removed_on),
           OLD.area_id, OLD.ind, 1
    WHERE OLD.removed_on IS NOT NULL
    ON CONFLICT (year, day, area_id, ind) DO UPDATE SET n = n + 1;
END;

-- The weekly scan of records is no longer needed.
DROP INDEX records_weekly;

-- Employer names complete as the clerk types (entry form).
CREATE INDEX IF NOT EXISTS records_employer ON records (employer);

-- The self-check's groups (duplicates, possible duplicates) read from covering indexes.
DROP INDEX records_person;
CREATE INDEX records_person ON records (id_number, dup_key, id_ok, removed_on);
DROP INDEX records_name_birth;
CREATE INDEX records_name_birth ON records (name, birth_date, dup_key, id_number, id_ok, removed_on);
