"""The hand-counted year: fourteen suggestions of 2025 driven through the real actions, covering
every edge case the figures must get right. `EXPECTED` is the hand count, figure by figure, with
the reasoning beside each number; tests/reports/test_figures.py compares the engine with it.

People (in office during 2025 unless said):
  d1  the world's deputy (leads S1 S2 S4 S6 S7 S10)
  d2  the world's co-signer (co-signs S1; leads S5 and S14)
  d3  term ended 2025-06-30 (leads S3)                       — in office for 2025, participates
  d4  term ended 2024-12-31                                   — not in office in 2025
  d5  in office from 2025-10-01, no suggestion                — in office, does not participate
  d6  declined to co-sign S1; leads S9, which is declined     — in office, does not participate
  d7  leads S8, merged into S4                                — participates through the merge

Units: A (住建局) and B (教育局), both under the government.

  S1  session kind, grassroots, category 城乡建设, theme 物业管理; co-signed by d2 (d6 declined).
      accepted 03-03, assigned to A 03-05 (on time), signed 03-06, visit 03-10, reply class A 03-20
      (on time), 满意 03-25, closed 03-28.
  S2  online channel. accepted 03-03, assigned 03-14 (late) to A with co-unit B. A phones 03-17;
      reply class B with a commitment due 06-30 on 04-30 (local target missed, statutory met);
      不满意 05-06 → re-handling 05-08: A visits 05-12, reply class B with a commitment due
      2026-03-31 on 05-20 (on time); 基本满意 05-26; closed 05-28; the first commitment fulfilled
      06-20, the second still open (not due yet).
  S3  led by d3, grassroots, theme 物业管理. accepted 03-04, split between A and B 03-06 (on time).
      A phones; B's visit is disputed by the deputy, then B phones. A replies class A 03-25 (on
      time), B replies class C with a commitment due 09-30 on 04-20 (late). The deputy rates A's
      reply 满意 and never rates B's (no feedback 05-08). Closed 05-12; the commitment stays open.
  S4  accepted 06-03, assigned to A 06-05, signed 06-06, then nothing: every unit deadline has
      passed by 12-31 (overdue).
  S5  led by d2, online. accepted 11-03, forwarded to the government 11-04, never assigned: the
      assignment deadline has passed (overdue).
  S6  accepted 12-29, not yet assigned — its assignment deadline has not come yet.
  S7  accepted 03-05, withdrawn 03-06.
  S8  led by d7, online, submitted 04-01, merged into S4 06-04 during review.
  S9  led by d6, submitted 05-07, declined 05-08.
  S10 a draft of 07-01, never submitted.
  S14 led by d2, accepted 03-05, merged into S1 03-06 (after acceptance).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from minyi.congress.models import Deputy
from minyi.suggestions.models import Suggestion

from .conftest import Builder

d = datetime.date
AS_OF = d(2025, 12, 31)


@dataclass
class Year:
    s: dict[str, Suggestion]
    deputies: dict[str, Deputy]


def build_year(b: Builder) -> Year:
    w, t = b.w, b.taxa
    A, B = w.unit_a, w.unit_b
    b.staff_of(A), b.staff_of(B)
    d1, d2 = w.deputy.deputy_records.get(), w.cosigner.deputy_records.get()
    d3 = b.deputy("任满代表", end=d(2025, 6, 30))
    d4 = b.deputy("往届代表", end=d(2024, 12, 31))
    d5 = b.deputy("新任代表", start=d(2025, 10, 1))
    d6 = b.deputy("未参与代表")
    d7 = b.deputy("并案代表")
    other = {"category": t.other_category}
    s: dict[str, Suggestion] = {}

    # S1 — the model case
    s1 = b.draft(d(2025, 3, 3), title="S1", kind="session", themes=[t.theme])
    b.invite(s1, d(2025, 3, 3), d2)
    b.invite(s1, d(2025, 3, 3), d6, confirm=False)
    b.submit(s1, d(2025, 3, 3))
    s["S1"] = s1 = b.accept(s1, d(2025, 3, 3))
    b.assign(s1, d(2025, 3, 5), A)
    s["S14"] = s14 = b.new(d(2025, 3, 5), title="S14", lead=d2, **other)
    b.merge(s14, s1, d(2025, 3, 6))
    b.sign(s1, A, d(2025, 3, 6))
    b.contact(s1, A, d(2025, 3, 10), "visit")
    b.reply(s1, A, d(2025, 3, 20), "A")
    b.evaluate(s1, d(2025, 3, 25), "satisfied")
    b.close(s1, d(2025, 3, 28))

    # S2 — late assignment, late first reply, re-handled, commitments
    s["S2"] = s2 = b.new(d(2025, 3, 3), title="S2", channel=t.online, **other)
    b.assign(s2, d(2025, 3, 14), A, co=[B])
    b.sign(s2, A, d(2025, 3, 14))
    b.sign(s2, B, d(2025, 3, 14))
    b.opinion(s2, B, d(2025, 3, 17))
    b.contact(s2, A, d(2025, 3, 17), "phone")
    b.reply(s2, A, d(2025, 4, 30), "B", commitments=[d(2025, 6, 30)])
    b.evaluate(s2, d(2025, 5, 6), "unsatisfied")
    b.rehandle(s2, d(2025, 5, 8))
    b.sign(s2, A, d(2025, 5, 9))
    b.sign(s2, B, d(2025, 5, 9))
    b.opinion(s2, B, d(2025, 5, 9))
    b.contact(s2, A, d(2025, 5, 12), "visit")
    b.reply(s2, A, d(2025, 5, 20), "B", commitments=[d(2026, 3, 31)])
    b.evaluate(s2, d(2025, 5, 26), "basic")
    b.close(s2, d(2025, 5, 28))
    b.fulfil(s2, d(2025, 6, 20), round=1)

    # S3 — split, one unit late, disputed visit, no feedback on one reply, open commitment
    s["S3"] = s3 = b.new(d(2025, 3, 4), title="S3", lead=d3, themes=[t.theme], **other)
    b.assign(s3, d(2025, 3, 6), split=[A, B])
    b.sign(s3, A, d(2025, 3, 7))
    b.sign(s3, B, d(2025, 3, 7))
    b.contact(s3, A, d(2025, 3, 10), "phone")
    visit = b.contact(s3, B, d(2025, 3, 12), "visit")
    b.dispute(visit, d(2025, 3, 13))
    b.contact(s3, B, d(2025, 3, 14), "phone")
    b.reply(s3, A, d(2025, 3, 25), "A")
    b.reply(s3, B, d(2025, 4, 20), "C", commitments=[d(2025, 9, 30)])
    b.evaluate(s3, d(2025, 4, 22), "satisfied", unit=A)
    b.no_feedback(s3, d(2025, 5, 8))
    b.close(s3, d(2025, 5, 12))

    # S4 — stalled after signing; S8 merged into it during review
    s["S8"] = s8 = b.new(d(2025, 4, 1), title="S8", lead=d7, channel=t.online, accept=False, **other)
    s["S4"] = s4 = b.new(d(2025, 6, 3), title="S4", **other)
    b.merge(s8, s4, d(2025, 6, 4))
    b.assign(s4, d(2025, 6, 5), A)
    b.sign(s4, A, d(2025, 6, 6))

    # S5, S6 — waiting for assignment (one overdue, one not yet due)
    s["S5"] = s5 = b.new(d(2025, 11, 3), title="S5", lead=d2, channel=t.online, **other)
    b.forward(s5, d(2025, 11, 4))
    s["S6"] = b.new(d(2025, 12, 29), title="S6", **other)

    # S7 withdrawn, S9 declined, S10 a draft
    s["S7"] = s7 = b.new(d(2025, 3, 5), title="S7", **other)
    b.withdraw(s7, d(2025, 3, 6))
    s["S9"] = s9 = b.new(d(2025, 5, 7), title="S9", lead=d6, accept=False, **other)
    b.decline(s9, d(2025, 5, 8))
    s["S10"] = b.draft(d(2025, 7, 1), title="S10", **other)

    for item in s.values():
        item.refresh_from_db()
    return Year(s=s, deputies={"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6, "d7": d7})


def F(n: int, den: int) -> tuple[int, int]:
    return (n, den)


#: The hand count for 2025 under the default policy, as of 2025-12-31: key → (numerator,
#: denominator) for rates, numerator for counts; and the members (suggestion titles / deputy keys)
#: behind each part.
EXPECTED: dict[str, tuple[int, int] | int] = {
    "suggestions": 6,  # S1–S6; S7 withdrawn, S14 merged after acceptance, S8 S9 never accepted
    "submitted": 10,  # S1–S9 and S14; S10 is a draft
    "declined": 1,  # S9
    "merged": 2,  # S8 (during review), S14 (after acceptance)
    "withdrawn": 1,  # S7
    "deputies_in_office": 6,  # d1 d2 d3 d5 d6 d7 — not d4 (term ended 2024)
    "participating_deputies": 4,  # d1 d2 (co-signer) d3 (left mid-year) d7 (merged into S4)
    "participation_rate": F(4, 6),
    "grassroots_share": F(4, 6),  # S1 S3 S4 S6
    "on_time_assignment_rate": F(3, 5),  # S1 S3 S4 on time; S2 late; S5 overdue; S6 not due yet
    # S1; S2 (first reply late, but re-handled: judged on its re-handling reply, on time);
    # not S3 (unit B late) nor S4 (overdue)
    "on_time_reply_rate": F(2, 4),
    "on_time_reply_statutory_rate": F(3, 4),  # S1 S2 S3 within 3 months; S4 overdue
    "contact_rate": F(2, 3),  # replied S1 S2 S3; S3's only visit was disputed
    "completion_rate": F(3, 6),  # S1 S2 S3 closed
    "satisfaction_rate": F(3, 3),  # S1 满意; S2 final round 基本满意; S3 满意 + no feedback (excluded)
    "first_round_satisfaction_rate": F(2, 3),  # S2's first round was 不满意
    "rehandling_rate": F(1, 3),  # S2 of S1 S2 S3
    "resolution_rate": F(1, 3),  # S1; S2's last reply is B; S3 has a C reply
    "resolution_or_plan_rate": F(2, 3),  # S1 S2
    "commitment_fulfilment_rate": F(
        1, 2
    ),  # S2's first (fulfilled), S3's (open, due 09-30); S2's second not due
    "overdue": 2,  # S4 (unit deadlines), S5 (assignment)
}

#: Who is behind each number: key → (numerator members, denominator members).
MEMBERS: dict[str, tuple[set[str], set[str] | None]] = {
    "suggestions": ({"S1", "S2", "S3", "S4", "S5", "S6"}, None),
    "submitted": ({"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S14"}, None),
    "declined": ({"S9"}, None),
    "merged": ({"S8", "S14"}, None),
    "withdrawn": ({"S7"}, None),
    "deputies_in_office": ({"d1", "d2", "d3", "d5", "d6", "d7"}, None),
    "participating_deputies": ({"d1", "d2", "d3", "d7"}, None),
    "participation_rate": ({"d1", "d2", "d3", "d7"}, {"d1", "d2", "d3", "d5", "d6", "d7"}),
    "grassroots_share": ({"S1", "S3", "S4", "S6"}, {"S1", "S2", "S3", "S4", "S5", "S6"}),
    "on_time_assignment_rate": ({"S1", "S3", "S4"}, {"S1", "S2", "S3", "S4", "S5"}),
    "on_time_reply_rate": ({"S1", "S2"}, {"S1", "S2", "S3", "S4"}),
    "on_time_reply_statutory_rate": ({"S1", "S2", "S3"}, {"S1", "S2", "S3", "S4"}),
    "contact_rate": ({"S1", "S2"}, {"S1", "S2", "S3"}),
    "completion_rate": ({"S1", "S2", "S3"}, {"S1", "S2", "S3", "S4", "S5", "S6"}),
    "satisfaction_rate": ({"S1", "S2", "S3"}, {"S1", "S2", "S3"}),
    "first_round_satisfaction_rate": ({"S1", "S3"}, {"S1", "S2", "S3"}),
    "rehandling_rate": ({"S2"}, {"S1", "S2", "S3"}),
    "resolution_rate": ({"S1"}, {"S1", "S2", "S3"}),
    "resolution_or_plan_rate": ({"S1", "S2"}, {"S1", "S2", "S3"}),
    "commitment_fulfilment_rate": ({"S2"}, {"S2", "S3"}),
    "overdue": ({"S4", "S5"}, None),
}


def as_value(expected: tuple[int, int] | int):
    if isinstance(expected, tuple):
        n, den = expected
        return None if den == 0 else n / den
    return expected


__all__ = ["AS_OF", "EXPECTED", "MEMBERS", "Year", "as_value", "build_year"]
