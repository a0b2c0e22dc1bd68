-- 0004: indexes for the ledger grid (jiuye_desktop/browse.py, storage/browse_sql.py).
--
-- Measured on a 1,000,000-record ledger (demo, seed 1): without them switching
-- the grid to a week scans the whole table (0.28 s before the window does
-- anything), filtering by area 0.2 s, and sorting by 登记日期 or 所属地区 takes
-- 1.5 s; with them 0.03 s, 0.08 s and 0.2 s. They cost about 16 % more time
-- when 200,000 records are added to a million at once. A phone index was
-- measured too and left out: it nearly doubled that cost, and a phone search
-- without it (one scan, 0.3 s per million) is rare.

-- The week filter (a 登记日期 range) and sorting by 登记日期.
CREATE INDEX IF NOT EXISTS records_registered ON records (registered_on);
-- The area filter (and 地区不明: area_id IS NULL) and sorting by 所属地区.
CREATE INDEX IF NOT EXISTS records_area ON records (area_id);
