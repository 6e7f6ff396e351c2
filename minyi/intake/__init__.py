"""Grassroots intake (基层民意): liaison stations' events and duty days, the voter opinions (社情民意)
recorded there, and what became of each — answered on the spot, forwarded to a unit, merged with
another opinion, or adopted by a deputy as a suggestion — down to telling the constituent the outcome.

- `models.py`: `StationEvent`, `DutyDay`, `Opinion`, `IntakePhoto`, `OutcomeNotice`;
- `states.py`: the opinion's states and every allowed move (one table);
- `actions.py`: the only writers (`do_*`, audited; constituents' contact data never in the audit);
- `rules.py`: named permissions, incl. ``intake.view_contact`` (who may see a constituent's name and
  phone: the station's liaison clerks and the opinion's deputy — nobody else);
- `selectors.py`: reads, access helpers (404), redaction, `same_day_upload_rate` for the figures;
- `delivery.py` / `tasks.py`: sending the outcome SMS after commit, once per key, outside quiet hours;
- `demo.py`: `seed_demo_intake(congress, rng=…)` for `seed_demo`.
"""
