"""The ID comes first: what the entry form does with 公民身份号码 as the clerk types it.

    typed = TypedId(fields)        # fields: the form's FieldGrid
    typed.check(commit=False)      # → the 18-digit number once readable (look the person up),
                                   #   None while incomplete or unreadable
    typed.as_typed(values)         # the values to save: a 15-digit ID as the clerk typed it
    typed.reset()                  # a new or another record

Reading the ID is the core's (``browse.read_form_id``); this keeps what the
form remembers of it: the 15-digit form typed (saved as typed so that the
record notes the upgrade) and the 性别 it filled in (replaced while the clerk
has not chosen another).
"""

from __future__ import annotations

from jiuye_desktop import browse
from jiuye_desktop.validation import normalize_id_text
from ui.entry_fields import FieldGrid, id_info_text

ID = "公民身份号码"


class TypedId:
    def __init__(self, fields: FieldGrid) -> None:
        self.fields = fields
        self._sex_from_id = ""
        self._upgraded: tuple[str, str, str] | None = None  # (18-digit, 15-digit typed, note)

    def reset(self) -> None:
        self._sex_from_id = ""
        self._upgraded = None

    def as_typed(self, values: dict[str, str]) -> dict[str, str]:
        """``values`` with an upgraded ID put back as the clerk typed it (in place)."""
        if self._upgraded and values.get(ID) == self._upgraded[0]:
            values[ID] = self._upgraded[1]
        return values

    def check(self, *, commit: bool) -> str | None:
        """Normalise the ID, fill 性别 and say what the ID tells; the number once readable.

        While typing, the form acts once 18 characters are there; on Enter, Tab or
        saving (``commit``) a 15-digit ID is upgraded too.
        """
        fields = self.fields
        id_edit = fields.line(ID)
        form_id = browse.read_form_id(id_edit.text())
        if not (form_id.complete if not commit else form_id.readable or form_id.complete):
            fields.show_id_info("")
            return None
        if not form_id.readable:  # too long already
            fields.show_id_info("")
            fields.set_message(ID, [("invalid", form_id.problem)])
            return None
        if form_id.note:  # a 15-digit ID: saved as typed so that the record notes the upgrade
            self._upgraded = (form_id.number, normalize_id_text(id_edit.text()), form_id.note)
        elif self._upgraded and self._upgraded[0] != form_id.number:
            self._upgraded = None
        note = self._upgraded[2] if self._upgraded else ""
        if id_edit.text() != form_id.number:
            id_edit.setText(form_id.number)
        fields.show_id_info(id_info_text(form_id, note))
        sex = fields.choice("性别")
        if form_id.sex and sex.value() in ("", self._sex_from_id):
            sex.set_value(form_id.sex)
            self._sex_from_id = form_id.sex
        return form_id.number
