"""Password validators of our own where Django's do not speak Chinese.

Django 5.2.19's MinimumLengthValidator asks gettext for "…at least %d characters." while the zh_Hans
catalog shipped with it still holds the older "…at least %(min_length)d characters.", so the message
came out in English on a Chinese page. Same rule, our own (Chinese) message.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "密码太短，至少需要 %(n)d 个字符。", "密码太短，至少需要 %(n)d 个字符。", self.min_length
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext("密码至少需要 %(n)d 个字符。", "密码至少需要 %(n)d 个字符。", self.min_length) % {
            "n": self.min_length
        }
