"""Possible duplicates the auditors will find (domain.md §8): warnings, never removals.

Looked for among the records not removed of one duplicate class (domain.md
§5.3: 新就业 of a year, 去产能安置 of a year, 自然减员), across every area of
the ledger (so across counties at city level and across cities at province
level):

- ``same_name``: same name and birth date, different IDs;
- ``homophone``: names that sound the same (pinyin without tones, every
  reading of a polyphonic character) and the same birth date, different IDs;
- ``near_id``: an ID that fails domain.md §5.1 and differs from a sound ID of a
  record with the same name in one digit, or by two adjacent characters
  swapped (the message suggests the sound ID);
- ``shared_phone``: one phone number (dashes ignored) for three or more
  different people (IDs);
- ``made_up_phone``: a mobile number that looks invented (:func:`made_up_phone`).

No pass compares every record with every other: the name rules look inside
blocks of one class and birth date (some 25 records each in a million), the
ID rule computes the few IDs one edit away that have a valid check digit and
looks those up by index, the phone rules count phones once.

Each finding names the other record(s) and carries a stable ``key`` (the
rule's word and the partner's ID, or the phone, e.g. ``同音同生日:41100219900512128X``)
that a dismissal (domain.md §5.3) refers to; the key uses no database ids, so
it means the same thing in a county's ledger and in the city's after a merge.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .storage import audit_sql, ledger
from .validation import phone_ok

#: The rules, with the label the self-check screen shows for each.
RULE_LABELS = {
    "same_name": "姓名、出生日期相同",
    "homophone": "姓名读音相同",
    "near_id": "身份证号相近",
    "shared_phone": "多人同一电话",
    "made_up_phone": "电话疑似编造",
}
#: The word each rule's finding key starts with (dismissals: ``<word>:<partner ID | phone>``);
#: ``同名同生日`` is the word the dismissals of issue 12 use for the same rule.
KEY_WORDS = {
    "same_name": "同名同生日",
    "homophone": "同音同生日",
    "near_id": "身份证号相近",
    "shared_phone": "多人同一电话",
    "made_up_phone": "电话疑似编造",
}
#: Rules whose findings are possible duplicates (the report's list for review).
DUPLICATE_RULES = frozenset({"same_name", "homophone", "near_id", "shared_phone"})
#: The marker every possible-duplicate message carries (the report looks for it).
POSSIBLE_MARK = "可能是同一人"
#: A person with more partners than this is named with the first ones and a count.
MAX_PARTNERS = 3
#: Names with more reading combinations than this use each character's first reading.
MAX_READINGS = 256


@dataclass(frozen=True, slots=True)
class Suspect:
    """One possible-duplicate or phone finding of one record."""

    record: int
    rule: str
    field: str
    message: str
    partners: tuple[int, ...]  # the other record(s) named, first the closest
    key: str  # stable: "<KEY_WORDS[rule]>:<partner's ID | phone>"
    source_row: int | None = None
    name: str = ""
    id_number: str = ""
    area: str = ""


# --- Pinyin keys --------------------------------------------------------------------------------


_CHAR_READINGS: dict[str, tuple[str, ...]] = {}
_READING_ID: dict[str, int] = {}
_CHAR_IDS: dict[str, tuple[int, ...]] = {}
_NAME_KEYS: dict[str, tuple[int, ...]] = {}
#: A name's key is its readings' numbers as the digits of one integer in this base (ids ≥ 1,
#: so names of different lengths never share a key).
_BASE = 1 << 20


def char_readings(char: str) -> tuple[str, ...]:
    """Every toneless pinyin reading of one character (itself when it has none); cached."""
    found = _CHAR_READINGS.get(char)
    if found is None:
        from pypinyin import Style, pinyin

        parts = pinyin(char, style=Style.NORMAL, heteronym=True, errors="default")
        found = tuple(sorted({r.lower() for part in parts for r in part if r})) or (char,)
        _CHAR_READINGS[char] = found
    return found


def _char_ids(char: str) -> tuple[int, ...]:
    ids = _CHAR_IDS.get(char)
    if ids is None:
        ids = tuple(_READING_ID.setdefault(r, len(_READING_ID) + 1) for r in char_readings(char))
        _CHAR_IDS[char] = ids
    return ids


def sound_keys(name: str) -> tuple[int, ...]:
    """The name's possible pronunciations, one key per choice of reading of each character.

    ``王方`` has the keys of ``wang fang``, ``wang pang`` …; two names sound the
    same when their keys meet (:func:`sound_alike`). A name with more than
    ``MAX_READINGS`` combinations uses the first reading of each character.
    Keys are integers (cheap to hash), cached per name and per character.
    """
    keys = _NAME_KEYS.get(name)
    if keys is not None:
        return keys
    get = _CHAR_IDS.get
    parts = [get(c) or _char_ids(c) for c in name if c != "·"]
    count = 1
    for p in parts:
        count *= len(p)
    if count == 1 or count > MAX_READINGS:
        key = 0
        for p in parts:
            key = key * _BASE + p[0]
        keys = (key,)
    else:
        acc = [0]
        for p in parts:
            acc = [a * _BASE + x for a in acc for x in p]
        keys = tuple(acc)
    if len(_NAME_KEYS) > 2_000_000:  # bound the cache of a long-running window
        _NAME_KEYS.clear()
    _NAME_KEYS[name] = keys
    return keys


def sound_alike(a: str, b: str) -> bool:
    """Do two names share a pronunciation (tones ignored, any reading)?"""
    return not set(sound_keys(a)).isdisjoint(sound_keys(b))


def shared_reading(a: str, b: str) -> str:
    """A pronunciation two names share, in pinyin (``wang fang``), or "" when none."""
    if not sound_alike(a, b):
        return ""
    out = []
    for x, y in zip(a.replace("·", ""), b.replace("·", ""), strict=False):
        common = sorted(set(char_readings(x)) & set(char_readings(y)))
        out.append(common[0] if common else char_readings(x)[0])
    return " ".join(out)


def sound_classes(chars: Iterable[str]) -> dict[int, str | None]:
    """A ``str.translate`` table that writes each character as its sound class.

    Characters that share a reading are in one class (transitively: 王 wang/yu and
    于 yu end in one), so two names that sound the same always read alike once
    translated; names that read alike are then compared by their pronunciations
    (:func:`sound_alike`). Translating is done by ``str.translate`` on a whole
    block at once, with no Python work per name. The middle dot of ethnic names
    is dropped, as in :func:`sound_keys`.
    """
    chars = set(chars) - {"·", audit_sql.SEP}
    parent = {c: c for c in chars}

    def find(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    owner: dict[str, str] = {}
    for c in sorted(chars):
        for reading in char_readings(c):
            other = owner.setdefault(reading, c)
            if other != c:
                a, b = find(c), find(other)
                if a != b:
                    parent[a] = b
    roots: dict[str, int] = {}
    table: dict[int, str | None] = {ord("·"): None}
    for c in chars:
        number = roots.setdefault(find(c), len(roots))
        # Private-use characters: one per class (the supplementary plane's when many).
        table[ord(c)] = chr(0xE000 + number) if number < 6400 else chr(0xF0000 + number)
    return table


# --- The ID one edit away -----------------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # check character by (weighted sum mod 11)
_INVERSE = {w: pow(w, -1, 11) for w in set(_WEIGHTS)}


def one_edit_ids(text: str) -> list[tuple[str, str]]:
    """(ID, how) for every ID with a valid check digit one edit away from ``text``.

    An edit is one character replaced (``digit``) or two adjacent characters
    swapped (``swap``). ``text`` must be 17 digits and a digit or ``X``;
    anything else gives no candidates (a missing or extra digit is not
    looked for). The birth date of a candidate is not judged here: candidates
    are only looked up among the sound IDs of the ledger.
    """
    if len(text) != 18 or not text[:17].isdigit() or text[17] not in "0123456789X":
        return []
    digits = [int(c) for c in text[:17]]
    total = sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True)) % 11
    check = text[17]
    out: list[tuple[str, str]] = []
    # The check character itself mistyped.
    if _CHECK[total] != check:
        out.append((text[:17] + _CHECK[total], "digit"))
    target = _CHECK.index(check)
    need = (target - total) % 11
    if need:
        # One body digit mistyped: w·(new − old) ≡ need (mod 11) has one solution mod 11.
        for i, (w, d) in enumerate(zip(_WEIGHTS, digits, strict=True)):
            delta = need * _INVERSE[w] % 11
            new = d + delta if d + delta <= 9 else d + delta - 11
            if 0 <= new <= 9 and new != d:
                out.append((text[:i] + str(new) + text[i + 1 :], "digit"))
    # Two adjacent body digits swapped.
    for i in range(16):
        a, b = digits[i], digits[i + 1]
        if a == b:
            continue
        if (total + (_WEIGHTS[i] - _WEIGHTS[i + 1]) * (b - a)) % 11 == target:
            out.append((text[:i] + text[i + 1] + text[i] + text[i + 2 :], "swap"))
    # The last body digit swapped with the check character.
    if check != text[16] and check.isdigit():
        body = text[:16] + check
        s = sum(w * int(c) for w, c in zip(_WEIGHTS, body, strict=True)) % 11
        if _CHECK[s] == text[16]:
            out.append((body + text[16], "swap"))
    return out


# --- Phones -------------------------------------------------------------------------------------

#: Eight digits in a row that are all equal, or each one more (9 → 0 counts as one more) or
#: each one less (0 → 9 counts as one less) than the one before.
RUN_LENGTH = 8


def _runs5() -> frozenset[str]:
    out = set()
    for d in range(10):
        out.add(str(d) * 5)
        out.add("".join(str((d + i) % 10) for i in range(5)))
        out.add("".join(str((d - i) % 10) for i in range(5)))
    return frozenset(out)


# Any 8 consecutive digits of 11 cover positions 3–7: a quick filter before the exact test.
_RUNS5 = _runs5()


def made_up_phone(phone: str) -> str:
    """Why an 11-digit mobile number looks invented, or "" when it does not.

    Invented means eight or more digits in a row that are all equal
    (``13888888888``) or that form a run: each digit one more than the one
    before, 9 → 0 counting as one more (``12345678901``), or each one less,
    0 → 9 counting as one less (``13987654321``). Landlines are not judged
    (an office's ``66666666`` is real), nor anything that is not 11 digits.
    """
    if len(phone) != 11 or not phone.isdigit() or phone[3:8] not in _RUNS5:
        return ""
    same = up = down = 1
    best_same = best_up = best_down = 1
    for prev, cur in itertools.pairwise(int(c) for c in phone):
        same = same + 1 if cur == prev else 1
        up = up + 1 if cur == (prev + 1) % 10 else 1
        down = down + 1 if cur == (prev - 1) % 10 else 1
        best_same, best_up, best_down = max(best_same, same), max(best_up, up), max(best_down, down)
    if best_same >= RUN_LENGTH:
        return f"{best_same}位相同数字连续"
    if best_up >= RUN_LENGTH:
        return f"{best_up}位数字依次递增"
    if best_down >= RUN_LENGTH:
        return f"{best_down}位数字依次递减"
    return ""


# --- The search ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hit:
    record: int
    rule: str
    partner: int
    extra: str = ""  # near_id: the sound ID; homophone: the shared reading


def _name_hits(conn: Any) -> list[_Hit]:
    """Pairs of the same name or of names that sound the same, per block (both directions).

    A block needs a closer look only when a name repeats, or when two different
    names read alike once written as sound classes (:func:`sound_classes`).
    """
    sep = audit_sql.SEP
    blocks = list(audit_sql.birth_blocks(conn))
    chars: set[str] = set()
    for block in blocks:
        chars.update(block[2])
    table = sound_classes(chars)
    hits: list[_Hit] = []
    for _key, _birth, names_text, ids_text, rec_text in blocks:
        names_here = names_text.split(sep)
        distinct = set(names_here)
        repeated = len(distinct) < len(names_here)
        classes_here: list[str] = []
        homophones = False
        if len(distinct) > 1:
            classes_here = names_text.translate(table).split(sep)
            homophones = len(set(classes_here)) < len(distinct)
        if not (repeated or homophones):
            continue
        idns = ids_text.split(sep)
        recs = [int(x) for x in rec_text.split(sep)]
        people = list(zip(recs, names_here, idns, strict=True))
        if repeated:
            by_name: dict[str, list[tuple[int, str, str]]] = {}
            for p in people:
                by_name.setdefault(p[1], []).append(p)
            for same in by_name.values():
                if len(same) > 1:
                    hits += _pairs(same, same, "same_name")
        if homophones:
            by_class: dict[str, set[str]] = {}
            for n, klass in zip(names_here, classes_here, strict=True):
                by_class.setdefault(klass, set()).add(n)
            for members in by_class.values():
                for a in members:
                    for b in members:
                        if a != b and sound_alike(a, b):
                            mine = [p for p in people if p[1] == a]
                            theirs = [p for p in people if p[1] == b]
                            hits += _pairs(mine, theirs, "homophone", shared_reading(a, b))
    return hits


def _pairs(
    mine: Sequence[tuple[int, str, str]],
    theirs: Sequence[tuple[int, str, str]],
    rule: str,
    extra: str = "",
) -> list[_Hit]:
    """Hits for each record of ``mine`` against each of ``theirs`` with another ID.

    Both directions of a pair arrive (the caller passes (a, b) and (b, a)), so
    each record of a pair carries its own finding naming the other.
    """
    out = []
    for rec, _name, idn in mine:
        for other, _n, other_idn in theirs:
            if other != rec and other_idn != idn:
                out.append(_Hit(rec, rule, other, extra))
    return out


def _near_id_hits(conn: Any) -> list[_Hit]:
    hits: list[_Hit] = []
    for rec, name, text, key in audit_sql.unsound_ids(conn):
        text = _normal_id(text)
        candidates = dict(one_edit_ids(text))
        if not candidates:
            continue
        for other, idn in audit_sql.sound_matches(conn, name, key, candidates):
            hits.append(_Hit(rec, "near_id", other, f"{idn}\x1f{candidates[idn]}"))
    return hits


def _normal_id(text: str) -> str:
    table = {ord("Ｘ"): "X", ord("x"): "X", **{0xFF10 + i: str(i) for i in range(10)}}
    return "".join(text.split()).translate(table)


def _phone_groups(conn: Any) -> tuple[dict[str, list[int]], dict[int, str], list[tuple]]:
    """Shared phones ({phone: records}) and made-up phones ({record: why}), and their rows.

    Mobiles are counted by the database (in the order of an index); landlines, written
    with or without a dash, are counted here with the dash removed.
    """
    crowded_raw: set[str] = set()
    for _key, phone in audit_sql.crowded_mobiles(conn, 3):
        if phone_ok(phone):  # a malformed phone is already invalid (domain.md §5.3)
            crowded_raw.add(phone)
    lines: dict[tuple[str, str], list[str]] = {}
    for key, phone in audit_sql.landlines(conn):
        lines.setdefault((key, phone.replace("-", "")), []).append(phone)
    for (_key, normal), written in lines.items():
        if len(written) >= 3 and phone_ok(normal):
            crowded_raw.update(written)
    made_up = {
        p: why for p in audit_sql.phones_like_runs(conn, _RUNS5) if (why := made_up_phone(p))
    }
    rows = audit_sql.records_with_phones(conn, crowded_raw | set(made_up))
    crowded = {p.replace("-", "") for p in crowded_raw}
    shared: dict[str, list[int]] = {}
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for rec, phone, key, person, _name in rows:
        if phone in crowded:
            groups.setdefault((key, phone), []).append((rec, person))
    for (_key, phone), members in groups.items():
        if len({person for _r, person in members}) >= 3:
            shared.setdefault(phone, []).extend(r for r, _p in members)
    flagged = {rec: made_up[phone] for rec, phone, *_ in rows if phone in made_up}
    return shared, flagged, rows


def find(conn: Any) -> list[Suspect]:
    """Every possible duplicate and made-up phone among the records not removed."""
    hits = _name_hits(conn) + _near_id_hits(conn)
    shared, made_up, phone_rows = _phone_groups(conn)
    phone_of = {rec: phone for rec, phone, *_ in phone_rows}
    person_of = {rec: person for rec, _p, _k, person, _n in phone_rows}
    ids = {h.record for h in hits} | {h.partner for h in hits} | set(made_up)
    for members in shared.values():
        ids.update(members)
    brief = ledger.record_brief(conn, sorted(ids))
    out: list[Suspect] = []

    by_record: dict[tuple[int, str], list[_Hit]] = {}
    for h in hits:
        by_record.setdefault((h.record, h.rule), []).append(h)
    for (rec, _rule), group in sorted(by_record.items()):
        me = brief[rec]
        for h in group:
            other = brief[h.partner]
            out.append(_pair_suspect(rec, me, h, other))

    for phone, members in sorted(shared.items()):
        for rec in members:
            me = brief[rec]
            others = [r for r in members if r != rec and person_of[r] != person_of[rec]]
            people = len({person_of[r] for r in members})
            named = "、".join(_who(me, brief[r], r) for r in others[:MAX_PARTNERS])
            more = f"等{len(others)}条记录" if len(others) > MAX_PARTNERS else ""
            out.append(
                _suspect(
                    rec,
                    me,
                    "shared_phone",
                    "联系电话",
                    f"联系电话{phone}同一年同类登记中有{people}个不同的人使用（另见{named}{more}），"
                    f"{POSSIBLE_MARK}重复登记或电话填错，请核实",
                    tuple(others),
                    f"{KEY_WORDS['shared_phone']}:{phone}",
                )
            )
    for rec, why in sorted(made_up.items()):
        me = brief[rec]
        phone = phone_of[rec]
        out.append(
            _suspect(
                rec,
                me,
                "made_up_phone",
                "联系电话",
                f"联系电话{phone}疑似编造（{why}），电话抽查时无法接通，请核实",
                (),
                f"{KEY_WORDS['made_up_phone']}:{phone}",
            )
        )
    out.sort(key=lambda s: (s.record, s.rule, s.key))
    return out


def _pair_suspect(rec: int, me: dict[str, Any], h: _Hit, other: dict[str, Any]) -> Suspect:
    who = _who(me, other, h.partner)
    if h.rule == "same_name":
        text = (
            f"与{who}（身份证号{other['id_number']}）姓名、出生日期相同而身份证号不同，"
            f"{POSSIBLE_MARK}，请核实"
        )
        return _suspect(
            rec,
            me,
            h.rule,
            "姓名",
            text,
            (h.partner,),
            f"{KEY_WORDS['same_name']}:{other['id_number']}",
        )
    if h.rule == "homophone":
        text = (
            f"与{who}{other['name']}（身份证号{other['id_number']}）姓名读音相同（{h.extra}）、"
            f"出生日期相同而身份证号不同，{POSSIBLE_MARK}，请核实"
        )
        return _suspect(
            rec,
            me,
            h.rule,
            "姓名",
            text,
            (h.partner,),
            f"{KEY_WORDS['homophone']}:{other['id_number']}",
        )
    sound, how = h.extra.split("\x1f")
    change = "仅一位数字不同" if how == "digit" else "仅相邻两位颠倒"
    text = (
        f"身份证号与同名的{who}（{sound}）{change}，{POSSIBLE_MARK}、号码录错；"
        f"正确号码可能是{sound}，请核实"
    )
    return _suspect(
        rec, me, h.rule, "公民身份号码", text, (h.partner,), f"{KEY_WORDS['near_id']}:{sound}"
    )


def _suspect(
    rec: int,
    me: dict[str, Any],
    rule: str,
    field: str,
    message: str,
    partners: Iterable[int],
    key: str,
) -> Suspect:
    return Suspect(
        rec,
        rule,
        field,
        message,
        tuple(partners),
        key,
        me["source_row"],
        me["name"] or "",
        me["id_number"] or "",
        me["area"] or "",
    )


def _who(me: dict[str, Any], other: dict[str, Any], other_id: int) -> str:
    """The other record as a clerk finds it: its area when another, then its row or number."""
    same = me["area_id"] == other["area_id"] and me["origin_unit"] == other["origin_unit"]
    place = "" if same else (other.get("area") or "")
    if other.get("source_row"):
        return f"{place}第 {other['source_row']} 行"
    return f"{place}记录 #{other_id}"
