"""The wording of the official Annex 1 form (豫人社办〔2017〕181号 附件1) and its inputs.

Shared by the xlsx sheet and the PDF so both say exactly the same thing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from ..domain import INDICATOR_NAMES, WEEK_COLUMN, YEAR_COLUMN, WeeklyTable
from ..service import Session
from .atomic import ExportError

ANNEX_LABEL = "附件1"
TITLE = "城镇新增就业人员实名制登记统计情况周调度（汇总）表"
UNIT_LABEL = "填报单位（公章）："
SEAL_WORD = "（公章）"
UNIT_OF_MEASURE = "计量单位：人"
CORNER_TOP, CORNER_BOTTOM = "项目", "地区"
FIRST_COLUMN_CODE = "甲"
TOTAL_ROW = "合计"
UNIT_HEAD_LABEL = "单位负责人签章："
ORG_HEAD_LABEL = "机构负责人签章："
FILL_DATE_LABEL = "填表日期："

#: The three 填表说明 lines, verbatim from the notice's 附件1.
NOTES = (
    "填表说明：（一）本表根据核准的城镇新增就业人员实名制登记台帐进行填报，"
    "要求相关数据信息完整真实有效且与登记台帐和统计报表对应一致。",
    "（二）本汇总表由市、县人社局逐级填报，并分别列示本级及所属地区明细情况。",
    "（三）本表各指标的认定标准、统计口径、人员范围按照省厅豫人社办函〔2017〕183号文件"
    "有关规定执行。表中（1栏=3栏-5栏，2栏=4栏-6栏）。",
)

#: Header row B of the table: 本周实际, 本年累计 under each indicator.
SUB_HEADERS = (WEEK_COLUMN, YEAR_COLUMN)
INDICATORS = INDICATOR_NAMES

#: Image kinds of ``Session.image`` used on the sheet.
IMAGE_KINDS = ("seal", "sign_unit", "sign_org")


def date_text(day: dt.date) -> str:
    """``2017年11月24日``: how dates are written on the form."""
    return f"{day.year}年{day.month}月{day.day}日"


def body_rows(table: WeeklyTable) -> list[tuple[str, tuple[int, ...]]]:
    """(row name, 12 cells): 合计 first, then 本级, then each area."""
    return [(TOTAL_ROW, table.total), *((r.name, r.cells) for r in table.rows)]


@dataclass(frozen=True, slots=True)
class Stamp:
    """What is written and stamped around the table: people, images, fill date."""

    unit_head: str
    org_head: str
    fill_date: dt.date
    seal: bytes | None = None
    sign_unit: bytes | None = None
    sign_org: bytes | None = None


def make_stamp(
    profile: dict[str, str], images: dict[str, bytes | None], fill_date: dt.date
) -> Stamp:
    """A :class:`Stamp` from a profile dict and an images dict, images checked.

    Raises:
        ExportError: an image is not a readable picture.
    """
    checked = {k: check_image(images.get(k), k) for k in IMAGE_KINDS}
    return Stamp(
        unit_head=(profile.get("unit_head") or "").strip(),
        org_head=(profile.get("org_head") or "").strip(),
        fill_date=fill_date,
        seal=checked["seal"],
        sign_unit=checked["sign_unit"],
        sign_org=checked["sign_org"],
    )


_IMAGE_NAMES = {"seal": "公章", "sign_unit": "单位负责人签名", "sign_org": "机构负责人签名"}


def check_image(data: bytes | None, kind: str) -> bytes | None:
    """The image bytes when Pillow can read them, None for none.

    Raises:
        ExportError: the bytes are not a readable picture.
    """
    if not data:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        name = _IMAGE_NAMES.get(kind, kind)
        raise ExportError(f"{name}图片无法读取，请在单位设置中重新选择PNG图片") from exc
    return data


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a picture already checked."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return im.size


def session_stamp(session: Session, fill_date: dt.date | None = None) -> Stamp:
    """The unit's people and images from the database, with the fill date (default today)."""
    images = {k: session.image(k) for k in IMAGE_KINDS}
    return make_stamp(session.profile(), images, fill_date or dt.date.today())
