"""SQL of the audit rehearsal (domain.md §8): the blocks the fuzzy duplicate rules look in.

Each query reads the records not removed. Blocks come back as one row with the
block's values joined by ``SEP`` (a control character, which no stored text
holds: ``records.cell_text`` drops them), so a million records cross into
Python as some ten thousand rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

#: Separator of the values joined in one block row (never inside a stored text).
SEP = "\x1f"


def birth_blocks(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str, str]]:
    """(duplicate class, birth date, names, IDs, record ids) per block of two or more.

    A block is the records not removed with a sound ID and a name, of one
    duplicate class (domain.md §5.3) and one birth date; names, IDs and record
    ids are joined by ``SEP`` in the same order.
    """
    sql = f"""
        SELECT dup_key, birth_date, group_concat(name, '{SEP}'),
               group_concat(id_number, '{SEP}'), group_concat(id, '{SEP}')
        FROM records
        WHERE removed_on IS NULL AND id_ok = 1 AND dup_key IS NOT NULL AND name != ''
          AND birth_date IS NOT NULL
        GROUP BY dup_key, birth_date HAVING count(*) > 1
    """
    yield from conn.execute(sql)


def crowded_mobiles(conn: sqlite3.Connection, at_least: int) -> list[tuple[str, str]]:
    """(duplicate class, phone) given by ``at_least`` records or more, for phones that do not
    start with 0 (mobiles; landlines, written with or without a dash, see ``landlines``)."""
    sql = """
        SELECT dup_key, phone FROM records
        WHERE removed_on IS NULL AND phone != '' AND phone >= '1' AND dup_key IS NOT NULL
        GROUP BY phone, dup_key HAVING count(*) >= ?
    """
    return conn.execute(sql, (at_least,)).fetchall()


def landlines(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(duplicate class, phone as stored) of the records not removed whose phone starts with 0."""
    sql = """
        SELECT dup_key, phone FROM records
        WHERE removed_on IS NULL AND phone != '' AND phone < '1' AND dup_key IS NOT NULL
    """
    return conn.execute(sql).fetchall()


def phones_like_runs(conn: sqlite3.Connection, middles: Iterable[str]) -> list[str]:
    """The distinct 11-character phones of records not removed whose characters 4–8 are one of
    ``middles`` (a quick filter: any 8 characters in a row of 11 cover them)."""
    sql = """
        SELECT DISTINCT phone FROM records
        WHERE removed_on IS NULL AND phone != '' AND length(phone) = 11
          AND substr(phone, 4, 5) IN (SELECT value FROM json_each(?))
    """
    return [r[0] for r in conn.execute(sql, (json.dumps(sorted(middles)),))]


def records_with_phones(
    conn: sqlite3.Connection, phones: Iterable[str]
) -> list[tuple[int, str, str, str, str]]:
    """(id, phone without dashes, duplicate class, person, name) of the records not
    removed whose phone, as stored, is one of ``phones``; the person is the ID as
    stored (the normalised one, else as written)."""
    wanted = sorted(set(phones))
    if not wanted:
        return []
    sql = """
        SELECT id, replace(phone, '-', ''), dup_key,
               CASE WHEN id_number != '' THEN id_number ELSE id_raw END, name
        FROM records
        WHERE removed_on IS NULL AND phone != '' AND dup_key IS NOT NULL
          AND phone IN (SELECT value FROM json_each(?))
        ORDER BY id
    """
    return conn.execute(sql, (json.dumps(wanted),)).fetchall()


def unsound_ids(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(id, name, ID as normalised or written, duplicate class) of records not removed
    whose ID fails domain.md §5.1, with a name."""
    sql = """
        SELECT id, name, CASE WHEN id_number != '' THEN id_number ELSE id_raw END, dup_key
        FROM records
        WHERE id_ok = 0 AND removed_on IS NULL AND name != '' AND dup_key IS NOT NULL
        ORDER BY id
    """
    return conn.execute(sql).fetchall()


def sound_matches(
    conn: sqlite3.Connection, name: str, dup_key: str, candidates: Iterable[str]
) -> list[tuple[int, str]]:
    """(id, ID) of records not removed with a sound ID among ``candidates``, the same
    name and duplicate class. Looked up by ID (the ``+`` keeps the planner off the
    indexes of the other terms, which would read a whole class per candidate)."""
    wanted = sorted(set(candidates))
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    sql = (
        "SELECT id, id_number FROM records "
        f"WHERE id_number IN ({marks}) AND +id_ok = 1 AND +removed_on IS NULL "
        "AND +name = ? AND +dup_key = ? ORDER BY id"
    )
    return conn.execute(sql, (*wanted, name, dup_key)).fetchall()
