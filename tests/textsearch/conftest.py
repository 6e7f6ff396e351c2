"""The suggestion tests' `loop` (the world + taxonomies + a driver through the real actions), and a
station to record voter opinions at."""

from __future__ import annotations

import pytest

from minyi.congress.models import LiaisonStation
from minyi.intake import actions as intake_actions
from minyi.intake.models import Opinion
from tests.suggestions.conftest import Loop, loop  # noqa: F401 — the fixture is used by name


@pytest.fixture
def station(loop) -> LiaisonStation:  # noqa: F811 — the imported fixture
    return LiaisonStation.objects.get(congress=loop.w.congress, name="甲区第一联络站")


def record_opinion(loop: Loop, station: LiaisonStation, content: str, **kw) -> Opinion:  # noqa: F811
    """A voter opinion recorded by the station's liaison clerk, through the action."""
    return intake_actions.do_record_opinion(
        loop.w.congress,
        actor=loop.w.liaison,
        data=intake_actions.OpinionInput(content=content, station=station, **kw),
    )
