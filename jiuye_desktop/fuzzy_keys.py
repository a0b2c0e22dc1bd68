"""The likenesses that the possible-duplicate rules look for (``fuzzy``), as pure functions.

Names that sound the same: every toneless pinyin reading of each character
(pypinyin), a name's pronunciations as integer keys, and a translation table
that writes a block of names by sound class. IDs one edit away from an
invalid one (one character mistyped, or two adjacent ones swapped) that have
a valid check digit. Mobile numbers that look invented (eight digits in a row
equal, or running up or down).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from .storage import audit_sql

#: Names with more reading combinations than this use each character's first reading.
MAX_READINGS = 256


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
RUNS5 = _runs5()


def made_up_phone(phone: str) -> str:
    """Why an 11-digit mobile number looks invented, or "" when it does not.

    Invented means eight or more digits in a row that are all equal
    (``13888888888``) or that form a run: each digit one more than the one
    before, 9 → 0 counting as one more (``12345678901``), or each one less,
    0 → 9 counting as one less (``13987654321``). Landlines are not judged
    (an office's ``66666666`` is real), nor anything that is not 11 digits.
    """
    if len(phone) != 11 or not phone.isdigit() or phone[3:8] not in RUNS5:
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
