"""The reply letter (答复函) as a real one reads: what the drafted body already says, so that the
letter adds the salutation ("XX代表："), the stock opening ("您提出的《…》收悉，现答复如下：") and
the closing ("感谢您对我们工作的关心和支持！") only when the handler has not written them.

Pure functions of text, used by the letter page and by the draft form's warning."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

#: A first line like "张三代表：", "尊敬的张三代表：", "张三、李四代表:" or "各位代表：" — short, ending
#: in a colon, naming deputies (代表/委员) or starting with 尊敬的.
_SALUTATION = re.compile(r"^\s*(尊敬的)?[^\n。！？!?]{0,40}?(代表|委员|同志|先生|女士)(们)?\s*[：:]")
_SALUTATION_RESPECT = re.compile(r"^\s*尊敬的[^\n。]{0,40}[：:,，]")
#: The stock opening: "…收悉" / "现答复如下" / "现将办理情况答复如下" near the top.
_OPENING = re.compile(r"收悉|答复如下")
#: The stock closing near the end.
_CLOSING = re.compile(r"(感谢|谢谢)[^\n]{0,20}(关心|支持|关注)")


@dataclass(frozen=True)
class Opening:
    """What the body already contains at its top and bottom."""

    salutation: bool
    opening: bool
    closing: bool

    @property
    def duplicates(self) -> bool:
        """The body repeats what the letter would add."""
        return self.salutation or self.opening


def _first_lines(body: str, count: int = 2) -> str:
    lines = [line for line in body.strip().splitlines() if line.strip()]
    return "\n".join(lines[:count])


def read_body(body: str) -> Opening:
    """Whether the drafted body starts with a salutation, contains the stock opening in its first
    two paragraphs, and ends with a thank-you."""
    text = (body or "").strip()
    top = _first_lines(text)
    first = _first_lines(text, 1)
    lines = [line for line in text.splitlines() if line.strip()]
    bottom = "\n".join(lines[-2:])
    return Opening(
        salutation=bool(_SALUTATION.match(first) or _SALUTATION_RESPECT.match(first)),
        opening=bool(_OPENING.search(top)),
        closing=bool(_CLOSING.search(bottom)),
    )


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs (one per non-blank line), stripped of the leading spaces people type
    to indent (the letter indents every paragraph by 2em itself)."""
    return [line.strip().lstrip("\u3000") for line in (body or "").splitlines() if line.strip()]


def letter_date(day: datetime.date | datetime.datetime | None) -> str:
    """The letter's date as an official letter prints it: 2026年12月6日 in Chinese (whatever the
    pages' date format), 6 December 2026 in English."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if (get_language() or "").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return date_format(day, "j F Y")
