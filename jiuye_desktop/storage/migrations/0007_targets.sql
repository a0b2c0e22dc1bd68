-- 0007: targets and progress (issue 13, domain.md §6).
--
-- One annual target per year, indicator (its name in the weekly table) and
-- row: area_id is the areas row (本级 or a subordinate area), or 0 for the
-- unit's own 合计 target (without one, 合计's target is the sum of the rows).

CREATE TABLE targets (
    year       INTEGER NOT NULL,
    indicator  TEXT NOT NULL,
    area_id    INTEGER NOT NULL,
    value      INTEGER NOT NULL CHECK (value >= 0),
    set_at     TEXT NOT NULL,
    operator   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (year, indicator, area_id)
) WITHOUT ROWID;

-- An area dropped from the unit's list takes its targets with it.
CREATE TRIGGER areas_targets_delete AFTER DELETE ON areas
BEGIN
    DELETE FROM targets WHERE area_id = OLD.id;
END;
