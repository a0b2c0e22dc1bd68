"""Pure validation rules of domain.md §5: IDs, USCC, phones, dates, required fields.

Nothing here touches a database. ``record_findings`` judges one record by
itself; duplicates, which need the whole ledger, are found in ``selfcheck``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from operator import mul
from typing import NamedTuple

from stdnum.cn import ric

from .domain import (
    NO,
    YES,
    Field,
    Finding,
    FindingKind,
    Indicator,
    Record,
    RecordType,
    Situation,
    required_fields_of,
    template_text,
)

# --- Citizen ID (GB 11643-1999) ----------------------------------------------------

_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DECIMAL = re.compile(r"^\d+\.\d*$")
EARLIEST_BIRTH = dt.date(1900, 1, 1)
_LAST_CHARS = frozenset("0123456789X")


class IdResult(NamedTuple):
    """Outcome of reading an ID as written.

    ``number`` is the normalised (and upgraded) ID; ``error`` is why it is
    invalid (Chinese), empty when it is sound; ``note`` records an upgrade.
    (A named tuple: one is made for every imported row.)
    """

    number: str
    error: str = ""
    note: str = ""
    birth: dt.date | None = None
    sex: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.number) and not self.error


def normalize_id_text(text: str) -> str:
    """Strip spaces, full-width digits to half-width, ``x`` to ``X``."""
    if text.isascii() and text.isalnum():
        return text.upper()
    text = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH)
    return re.sub(r"\s+", "", text).upper()


def id_text_from_number(value: float | int) -> str:
    """The text of an ID cell that Excel stored as a number.

    A float has 15–17 significant digits, so an 18-digit ID stored as a number
    has lost its last digits: it is rendered as Excel shows it (``4.11002E+17``)
    and ``read_id`` then calls it damaged. A 15-digit old ID survives intact.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    return f"{float(value):.5E}".replace("E+", "E+")


@lru_cache(maxsize=256)
def read_id(text: str) -> IdResult:
    """Normalise, upgrade a 15-digit ID, and apply the hard rules of domain.md §5.1.

    The event date rule (birth not after the event) is checked in
    ``record_findings`` because it needs the record.
    """
    number = normalize_id_text(text)
    note = ""
    common = (
        len(number) == 18
        and number.isascii()
        and number[:17].isdigit()
        and number[17] in _LAST_CHARS
    )
    if not common:  # (the regular expressions only for the rare forms: it runs for every row)
        if not number:
            return IdResult("")
        if _SCIENTIFIC.match(number) or (_DECIMAL.match(number) and len(number) >= 16):
            return IdResult(number, "身份证号被Excel存为数字（科学计数法），后几位已丢失，无法识别")
        if _ID15.fullmatch(number):
            body = number[:6] + "19" + number[6:]
            number = body + id_check_digit(body)
            note = f"15位身份证号{text.strip()}已升级为18位"
        if not _ID18.fullmatch(number):
            if len(number) == 17 and number.isdigit():
                return IdResult(number, "身份证号只有17位（可能被Excel存为数字丢失了末位）")
            return IdResult(number, f"身份证号应为18位数字（末位可为X），现为{len(number)}位")
    birth = _birth_date(number)
    if birth is None:
        return IdResult(number, f"身份证号中的出生日期{number[6:14]}不是有效日期", note)
    if birth < EARLIEST_BIRTH:
        return IdResult(number, f"身份证号中的出生日期{birth.isoformat()}早于1900年", note)
    if id_check_digit(number) != number[17]:
        return IdResult(number, "身份证号校验位不正确", note, birth, _sex(number))
    return IdResult(number, "", note, birth, _sex(number))


def id_check_digit(body17: str) -> str:
    """ISO 7064 MOD 11-2 check digit for the first 17 digits of an ID.

    ``stdnum.cn.ric.calc_check_digit`` expects the number *with* its check
    digit and drops the last character: passing 17 digits silently computes
    the digit of the first 16 (domain.md §5.1 pitfalls).
    """
    return ric.calc_check_digit(body17[:17] + "0")


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _sex(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def age_on(birth: dt.date, day: dt.date) -> int:
    """Age in full years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- USCC (GB 32100-2015) ------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_RE = re.compile(f"[{USCC_ALPHABET}]{{18}}")


def uscc_check_char(first17: str) -> str:
    """The mod-31 check character of GB 32100-2015.

    Written here rather than with ``stdnum.cn.uscc``: that module rejects valid
    codes whose first two characters include a letter (domain.md §5.2).
    """
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=4096)
def uscc_error(text: str) -> str:
    """Why a USCC is invalid, or '' when it is valid."""
    code = normalize_id_text(text)
    if len(code) != 18:
        return f"统一社会信用代码应为18位，现为{len(code)}位"
    if not _USCC_RE.fullmatch(code):
        return "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
    if uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return ""


# --- Phone ---------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")


# Characters that show nothing (zero-width spaces and joiners, direction marks, the
# byte-order mark, soft hyphen, fillers, variation selectors, tags): pasted from web pages
# and chat programs into IDs, phones and codes, where they make a sound value look wrong.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def strip_invisible(text: str) -> tuple[str, bool]:
    """``text`` without invisible characters, and whether there were any."""
    if text.isascii():
        return text, False
    clean = _INVISIBLE.sub("", text)
    clean = "".join(ch for ch in clean if unicodedata.category(ch) != "Cf")
    return clean, clean != text


def normalize_phone(text: str) -> str:
    if text.isdigit() and text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"[\s()（）]", "", text).replace("—", "-").replace("－", "-")
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell read as float
        text = text[:-2]
    return text


def phone_ok(text: str) -> bool:
    return bool(_MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text))


# --- Dates ---------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> dt.date | None:
    """Read a date as offices write it: date cell, Excel serial or text.

    Text forms: 2017-11-03, 2017/11/3, 2017.11.3, 20171103, 2017年11月3日.
    Returns None when the value is not a date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_serial(float(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _from_serial(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` calendar months later; when that month
    is shorter, its last day (2017-01-31 + 3 months = 2017-04-30,
    2016-11-30 + 3 months = 2017-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


#: 灵活就业 counts after this many calendar months of work (domain.md §5.3).
FLEX_MONTHS = 3


def flex_early_message(event: dt.date, registered: dt.date, due: dt.date) -> str:
    """The warning of a 灵活就业 record registered less than three months after it began."""
    return (
        f"灵活就业登记过早：登记日期{registered.isoformat()}距就业日期{event.isoformat()}"
        f"不足3个月（应不早于{due.isoformat()}），请核实是否已连续工作满3个月"
    )


def _from_serial(serial: float) -> dt.date | None:
    if 20171103 <= serial <= 29991231 and serial.is_integer():  # 20171103 typed as a number
        return parse_date(str(int(serial)))
    if not 1 <= serial < 2958466:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


# --- Yes/no --------------------------------------------------------------------------

_YES_WORDS = {"是", "y", "yes", "true", "1", "√", "有"}
_NO_WORDS = {"否", "n", "no", "false", "0", "×", "无"}


def normalize_yes_no(text: str) -> str:
    """是/否 from common spellings; anything else is kept as written."""
    if text in (YES, NO):
        return text
    t = text.strip().lower()
    if t in _YES_WORDS:
        return YES
    if t in _NO_WORDS:
        return NO
    return text.strip()


# --- Indicators ----------------------------------------------------------------------


_NEW, _ATTRITION, _PLACEMENT = (
    RecordType.NEW.value,
    RecordType.ATTRITION.value,
    RecordType.PLACEMENT.value,
)
_B_NEW, _B_ATTR, _B_REEMP, _B_HARD, _B_OVER = (
    int(Indicator.NEW),
    int(Indicator.ATTRITION),
    int(Indicator.REEMPLOYED),
    int(Indicator.HARDSHIP),
    int(Indicator.OVERCAPACITY),
)


def indicator_bits(record: Record) -> int:
    """Which Annex 1 indicators a record counts in, as ``Indicator`` bits (domain.md §3 table).

    Plain ints: IntFlag arithmetic is slow, and this runs for every imported row.
    """
    rtype = record.record_type
    if rtype == _NEW:
        mask = _B_NEW
        if record.reemployed == YES:
            mask |= _B_REEMP
        if record.hardship == YES:
            mask |= _B_HARD
        if record.overcapacity == YES:
            mask |= _B_OVER
        return mask
    if rtype == _ATTRITION:
        return _B_ATTR
    if rtype == _PLACEMENT:
        return _B_OVER
    return 0


# --- Findings of one record ----------------------------------------------------------

_RECORD_TYPES = frozenset(t.value for t in RecordType)

#: Keys of the warning rules of one record (a dismissal names one, dismissals.py).
RULE_FLEX_EARLY = "灵活就业登记过早"
RULE_FEMALE_50 = "女性50至54周岁"
RULE_ID_PREFIX = "身份证号地区码"
RULE_NO_OVERCAPACITY_TASK = "无去产能任务"
_INVALID = FindingKind.INVALID
# Letters of any script (CJK, Latin, Uyghur …) and the middle dot of transliterated names.
_NAME_OK = re.compile(r"[^\W\d_]+(?:[·.][^\W\d_]+)*")


def required_fields(record: Record) -> list[str]:
    """Template headers required for this record (the `*` and `†` of domain.md §3)."""
    return [f.header for f in _required(record)]


def _required(record: Record) -> tuple[Field, ...]:
    return required_fields_of(
        Situation(record.record_type, record.employment_form, record.hardship, record.overcapacity)
    )


def record_findings(
    record: Record,
    *,
    area_known: bool,
    has_overcapacity_task: bool = True,
    prefix_existed: Callable[[str], bool] | None = None,
) -> list[Finding]:
    """Invalid, incomplete and warning findings of one record on its own.

    Args:
        record: the record as stored (normalised values).
        area_known: whether its area is one of the unit's areas.
        has_overcapacity_task: whether the unit has a 去产能 task (domain.md §6).
        prefix_existed: tells whether an ID's 6-digit area code ever existed.
    """
    out: list[Finding] = []
    inv = _INVALID

    def add(kind: FindingKind, field: str, message: str, rule: str = "") -> None:
        out.append(Finding(kind, field, message, record.id, rule=rule))

    # Incomplete: required fields left empty.
    for f in _required(record):
        if not template_text(record, f).strip():
            add(FindingKind.INCOMPLETE, f.header, f"{f.header}未填写")

    # The name: 1–20 characters, letters and the middle dot (domain.md §3).
    if record.name:
        if len(record.name) > 20:
            add(inv, "姓名", f"姓名超过20个字（{len(record.name)}个字）")
        elif not _NAME_OK.fullmatch(record.name):
            add(inv, "姓名", f"姓名“{record.name}”含有数字或符号")

    # The ID.
    birth: dt.date | None = None
    if record.id_number or record.id_raw:
        res = read_id(record.id_raw or record.id_number)
        if res.error:
            add(inv, "公民身份号码", res.error)
        else:
            birth = res.birth
            if record.sex and record.sex not in (res.sex,):
                add(inv, "性别", f"性别“{record.sex}”与身份证号（{res.sex}）不符")
            if prefix_existed is not None and not prefix_existed(res.number[:6]):
                add(
                    FindingKind.WARNING,
                    "公民身份号码",
                    f"身份证号前6位{res.number[:6]}不是任何年份的行政区划代码",
                    RULE_ID_PREFIX,
                )

    # Dates.
    event = dt.date.fromisoformat(record.event_date) if record.event_date else None
    registered = dt.date.fromisoformat(record.registered_on) if record.registered_on else None
    if event is None and record.event_date_raw.strip():
        add(inv, "就业（减员）日期", f"就业（减员）日期“{record.event_date_raw}”无法识别")
    if registered is None and record.registered_on_raw.strip():
        add(inv, "登记日期", f"登记日期“{record.registered_on_raw}”无法识别")
    if event is not None and registered is not None:
        if event.year != registered.year:
            add(
                inv,
                "就业（减员）日期",
                f"就业（减员）日期{event.isoformat()}不在登记年度{registered.year}年内",
            )
        elif event > registered:
            add(
                inv,
                "就业（减员）日期",
                f"就业（减员）日期{event.isoformat()}晚于登记日期{registered.isoformat()}",
            )

    # Age at the event.
    if birth is not None and event is not None:
        if birth > event:
            add(inv, "公民身份号码", f"出生日期{birth.isoformat()}晚于就业（减员）日期")
        else:
            age = age_on(birth, event)
            sex = "男" if int(record.id_number[16]) % 2 else "女"
            if age < 16:
                add(inv, "公民身份号码", f"就业（减员）时年龄{age}岁，不满16周岁")
            elif record.record_type == _NEW:
                if sex == "男" and age >= 60:
                    add(inv, "公民身份号码", f"新就业时年龄{age}岁，男性已达60周岁")
                elif sex == "女" and age >= 55:
                    add(inv, "公民身份号码", f"新就业时年龄{age}岁，女性已达55周岁")
                elif sex == "女" and age >= 50:
                    add(
                        FindingKind.WARNING,
                        "公民身份号码",
                        f"新就业时年龄{age}岁（女性50–54周岁），请核实是否符合条件",
                        RULE_FEMALE_50,
                    )

    # Area, type, employer code, phone.
    if (record.area_raw or record.area_code) and not area_known:
        add(inv, "所属地区", f"所属地区“{record.area_raw or record.area_code}”不是本单位的地区")
    if record.record_type and record.record_type not in _RECORD_TYPES:
        add(
            inv, "登记类型", f"登记类型“{record.record_type}”无法识别（新就业/自然减员/去产能安置）"
        )
    if record.uscc:
        err = uscc_error(record.uscc)
        if err:
            add(inv, "统一社会信用代码", err)
    if record.phone and not phone_ok(record.phone):
        add(inv, "联系电话", f"联系电话“{record.phone}”格式不正确")

    # Warnings that remove nothing.
    if (
        record.record_type == _NEW
        and record.employment_form == "灵活就业"
        and event is not None
        and registered is not None
        and registered < (due := add_months(event, FLEX_MONTHS))
    ):
        add(
            FindingKind.WARNING,
            "就业形式",
            flex_early_message(event, registered, due),
            RULE_FLEX_EARLY,
        )
    overcap = record.record_type == _PLACEMENT or (
        record.record_type == _NEW and record.overcapacity == YES
    )
    if overcap and not has_overcapacity_task:
        add(
            FindingKind.WARNING,
            "去产能职工",
            "本单位没有去产能职工安置任务，请核实",
            RULE_NO_OVERCAPACITY_TASK,
        )
    return out
