"""Every step of every role area, by action name (the keys of `states.ACTION_LABELS`)."""

from __future__ import annotations

from . import clerk, deputy, drafting, unit
from ._common import Step

STEPS: dict[str, Step] = {
    step.action: step for module in (drafting, deputy, clerk, unit) for step in module.STEPS
}
