"""A deadline's rule ("提交后3个工作日内审查") is stored in Chinese when the deadline is opened; shown
on an English page it is read back into its message and translated (issue #12). Pure: no models.

Each rule below is the message an action writes (its numbers filled in, in actions/); a stored
text that matches none (an old wording, a rule typed by hand) is shown as stored."""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

RULES = (
    gettext_noop("提交后%(n)s个工作日内审查"),
    gettext_noop("立案后%(n)s个工作日内交办"),
    gettext_noop("交办后%(n)s个工作日内可申请调整"),
    gettext_noop("交办后%(n)s个工作日内首次联系代表"),
    gettext_noop("交办后%(n)s个工作日内向主办单位提出协办意见"),
    gettext_noop("交办后%(n)s个月内答复（本地目标）"),
    gettext_noop("交办后%(n)s个月内答复（法定时限）"),
    gettext_noop("决定重新办理后%(n)s个月内重新答复"),
    gettext_noop("同意调整后%(n)s个工作日内重新交办"),
    gettext_noop("答复承诺于%(d)s前落实"),
    gettext_noop("答复后%(n)s个工作日内测评"),
    gettext_noop("经批准延期至%(d)s（最长交办后%(n)s个月）"),
)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for msgid in RULES:
        parts = re.split(r"%\((\w+)\)s", msgid)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(f"^{regex}$"), msgid))
    return tuple(out)


def in_language(stored: str) -> str:
    """The stored rule in the active language (the stored text when it matches no known rule)."""
    for pattern, msgid in _patterns():
        match = pattern.match(stored or "")
        if match:
            return gettext(msgid) % match.groupdict()
    return stored
