-- 0006: truth (issue 12): unreadable 登记日期, the 灵活就业 warning, dismissed
-- findings, the unit's identity history.

-- Each stored finding names its rule (the key a dismissal names, dismissals.py):
-- empty for invalid and incomplete findings, which cannot be dismissed.
ALTER TABLE record_findings ADD COLUMN rule TEXT NOT NULL DEFAULT '';
UPDATE record_findings SET rule = '女性50至54周岁'
WHERE kind = 'warning' AND field = '公民身份号码' AND message LIKE '%女性50–54周岁%';
UPDATE record_findings SET rule = '身份证号地区码'
WHERE kind = 'warning' AND field = '公民身份号码' AND message LIKE '身份证号前6位%';
UPDATE record_findings SET rule = '无去产能任务'
WHERE kind = 'warning' AND field = '去产能职工';

-- A 登记日期 written but unreadable is no longer replaced by the day of import
-- (domain.md §5.3): the record keeps no date ('' in registered_on, the text in
-- registered_on_raw), belongs to no year and is invalid. The tally triggers
-- of 0002 take it out of the weekly table; the history keeps the change.
INSERT INTO history (record_id, at, operator, action, field, old_value, new_value)
SELECT id, strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime'), '程序升级', 'edit',
       'registered_on', registered_on, ''
FROM records WHERE registered_on_raw != '' AND registered_on != '';
UPDATE records SET registered_on = '', dup_key = CASE WHEN dup_key = 'A' THEN 'A' END
WHERE registered_on_raw != '' AND registered_on != '';
INSERT INTO record_findings (record_id, kind, field, message, rule)
SELECT r.id, 'invalid', '登记日期', '登记日期“' || r.registered_on_raw || '”无法识别', ''
FROM records r
WHERE r.registered_on_raw != '' AND NOT EXISTS (
    SELECT 1 FROM record_findings f WHERE f.record_id = r.id AND f.field = '登记日期'
);

-- 灵活就业 is warned only when registered less than three calendar months
-- after it began (validation.add_months: the same day three months later, or
-- that month's last day).
DELETE FROM record_findings WHERE kind = 'warning' AND field = '就业形式';
INSERT INTO record_findings (record_id, kind, field, message, rule)
SELECT id, 'warning', '就业形式',
       '灵活就业登记过早：登记日期' || registered_on || '距就业日期' || event_date
       || '不足3个月（应不早于' || due || '），请核实是否已连续工作满3个月',
       '灵活就业登记过早'
FROM (
    SELECT id, registered_on, event_date,
           min(date(event_date, 'start of month', '+3 months',
                    '+' || (CAST(strftime('%d', event_date) AS INTEGER) - 1) || ' days'),
               date(event_date, 'start of month', '+4 months', '-1 day')) AS due
    FROM records
    WHERE record_type = '新就业' AND employment_form = '灵活就业'
      AND event_date IS NOT NULL AND registered_on != ''
)
WHERE registered_on < due;

-- Findings marked as checked (已核实): warnings and possible duplicates only.
-- finding_key names the rule (and, for a pair, the other person's ID), so a
-- dismissal survives a recomputation and travels in the package; origin_unit
-- is the subordinate unit that dismissed it (merged records).
CREATE TABLE dismissals (
    id           INTEGER PRIMARY KEY,
    record_id    INTEGER NOT NULL REFERENCES records(id),
    finding_key  TEXT NOT NULL,
    message      TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    operator     TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    origin_unit  TEXT
);
CREATE UNIQUE INDEX dismissals_one ON dismissals (record_id, finding_key);

-- Changes of the unit's code, name or level after it was created.
CREATE TABLE unit_history (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    operator   TEXT NOT NULL DEFAULT '',
    field      TEXT NOT NULL CHECK (field IN ('code', 'name', 'level')),
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT ''
);
