-- 0011: province level (issue 13, part B): what a merged package says about its own areas.
--
-- A city's package carries every record of its areas (its counties' merged
-- copies included), each naming its area in 所属地区. The unit one level up
-- (the province) keeps, per package, the areas the sending unit listed in its
-- 说明 (position 0 = its 本级) and, for the merged copies, which of those areas
-- each came from, as runs of consecutive record ids (a package's copies get
-- consecutive ids). That is what the drill-down into a city (weekly --area)
-- counts by, always from the records themselves (账表一致).

CREATE TABLE package_areas (
    package_id  INTEGER NOT NULL REFERENCES packages(id),
    position    INTEGER NOT NULL,           -- 0 = the sending unit's 本级
    code        TEXT,                        -- NULL for an area without a code (a township)
    name        TEXT NOT NULL,
    PRIMARY KEY (package_id, position)
) WITHOUT ROWID;

CREATE TABLE package_runs (
    package_id  INTEGER NOT NULL REFERENCES packages(id),
    first_id    INTEGER NOT NULL,            -- records.id of the run's first copy
    last_id     INTEGER NOT NULL,            -- … and of its last
    position    INTEGER NOT NULL,            -- package_areas.position of these copies
    PRIMARY KEY (package_id, first_id)
) WITHOUT ROWID;
