"""The participants picker (issue #12): the event and duty-day forms list the deputies as
checkboxes under a name filter (static/js/picker.js), not a Ctrl-click multi-select; the ticked
ones are kept when the form comes back with an error."""

from __future__ import annotations

import re

import pytest

from minyi.intake.forms import deputies_in_office

from .test_views import client_for, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["event_create", "duty_day_create"])
def test_the_forms_offer_a_filterable_list_of_checkboxes(intake, page):
    client = client_for(intake.w.liaison)
    text = client.get(url(page, intake, intake.station.pk)).content.decode()
    assert "<select" not in text.split('name="deputies"')[0].rsplit("<fieldset", 1)[-1]
    assert "data-picker" in text and "data-picker-filter" in text and "Ctrl" not in text
    boxes = re.findall(r'<input type="checkbox" name="deputies"', text)
    assert len(boxes) == deputies_in_office(intake.w.congress).count()
    assert "js/picker.js" in text


def test_ticked_deputies_stay_ticked_after_an_error(intake):
    client = client_for(intake.w.liaison)
    response = client.post(
        url("event_create", intake, intake.station.pk),
        {"kind": "face_to_face", "date": "", "title": "", "deputies": [intake.deputy.pk]},
    )
    assert response.status_code in (200, 422)
    text = response.content.decode()
    ticked = re.findall(r'<input type="checkbox" name="deputies" value="(\d+)"[^>]*checked', text)
    assert ticked == [str(intake.deputy.pk)]
    assert "已选 1 人" in text
