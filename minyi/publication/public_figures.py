"""The payload of a year's published figures (`PublishedFigures.payload`): the inside engine's
figures for the public portal (`reports.dashboard.published_figures`: counts and rates with their
definitions, no lists and no names), frozen in Chinese with the English labels and definitions
beside them (`translations`), so the public page shows either language without computing anything.
The clerk's `do_publish_figures` stores what `figures_payload` returns."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation

from minyi.congress.models import Congress


def figures_payload(congress: Congress, year: int, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    """The year's figures as a JSON-able dict: `reports.dashboard.published_figures` in Chinese, plus
    `translations["en"][key] = {"label", "definition"}`."""
    from minyi.reports.dashboard import published_figures

    with translation.override("zh-hans"):
        payload = published_figures(congress, year, as_of=as_of)
    with translation.override("en"):
        english = published_figures(congress, year, as_of=as_of)
    payload["translations"] = {
        "en": {
            f["key"]: {"label": str(f["label"]), "definition": str(f["definition"])}
            for f in english["figures"]
        }
    }
    for f in payload["figures"]:
        f["label"], f["definition"] = str(f["label"]), str(f["definition"])
    return payload
