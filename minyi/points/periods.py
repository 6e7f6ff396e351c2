"""Periods of the points ledger — defined in `minyi.core.periods`, shared with awards (which does not
import points: the dependency is points → awards only)."""

from minyi.core.periods import QUARTER_NAMES, Period, cap_bucket, quarter_of

__all__ = ["QUARTER_NAMES", "Period", "cap_bucket", "quarter_of"]
