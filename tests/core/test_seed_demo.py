"""The demo congress: seeded once, completely, through audited paths, with fictional names, and
running the command again changes nothing."""

import random
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from minyi.accounts.models import Membership, Role, User
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress.models import (
    Category,
    Channel,
    Congress,
    Deputy,
    DeputyGroup,
    ExclusionReason,
    LiaisonStation,
    ResultClass,
    Session,
    Term,
    ThemeTag,
    Unit,
)
from minyi.core.demo_names import DENYLIST, NameGenerator, fictional_names
from minyi.core.management.commands.seed_demo import BODIES, STATIONS, UNITS
from tests.core.test_demo_district import check_awards_and_points_are_alive

MODELS = [
    Congress, Term, Session, DeputyGroup, Deputy, LiaisonStation, Unit, User, Membership,
    Category, ThemeTag, Channel, ResultClass, ExclusionReason, AuditEvent,
]  # fmt: skip


def run(command: str, **options) -> str:
    out = StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.delenv("MINYI_DEMO_SUPERUSER", raising=False)
    output = run("seed_demo")
    return Congress.objects.get(code="demo"), output


def check_seed_creates_the_demo_congress(demo):
    congress, output = demo
    assert congress.name == "示范区人民代表大会常务委员会"
    assert congress.short_name == "示范"
    assert congress.level == Congress.Level.COUNTY
    assert congress.policy.format_number(year=2026, seq=12) == "示范〔2026〕第12号"
    assert "Created the demo congress" in output
    assert "Audit chain OK" in output


def check_seed_is_idempotent(demo):
    before = counts()
    output = run("seed_demo")
    assert "already exists" in output
    assert "nothing changed" in output
    assert counts() == before


def check_seed_leaves_an_intact_audit_chain(demo):
    assert verify_chain().ok
    assert run("verify_audit").startswith("OK")
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {
        "congress.created",
        "taxonomy.item_added",
        "term.created",
        "session.created",
        "roster.imported",
        "user.created",
        "membership.granted",
    } <= codes
    # Every account and every role grant is on the record.
    assert AuditEvent.objects.filter(code="user.created").count() == User.objects.count()
    granted = AuditEvent.objects.filter(code="membership.granted").count()
    by_roster = Membership.objects.filter(role=Role.DEPUTY).count()
    assert granted + by_roster == Membership.objects.count()


def check_policy_taxonomies(demo):
    congress, _ = demo
    categories = list(Category.objects.filter(congress=congress).values_list("name", flat=True))
    assert categories[0] == "城乡建设" and categories[-1] == "其他" and len(categories) == 10
    themes = set(ThemeTag.objects.filter(congress=congress).values_list("name", flat=True))
    assert {"物业管理", "居家养老", "乡村振兴"} <= themes and len(themes) == 10
    grassroots = set(
        Channel.objects.filter(congress=congress, grassroots=True).values_list("name", flat=True)
    )
    assert grassroots == {"联络站接待选民", "代表走访调研", "室点问政", "局长·代表面对面"}
    assert Channel.objects.filter(congress=congress, grassroots=False).count() == 3
    classes = {r.code: r for r in ResultClass.objects.filter(congress=congress)}
    assert sorted(classes) == ["A", "B", "C", "D"]
    assert [c for c, r in sorted(classes.items()) if r.counts_as_resolved] == ["A"]
    assert [c for c, r in sorted(classes.items()) if r.requires_commitments] == ["B", "C"]
    reasons = set(ExclusionReason.objects.filter(congress=congress).values_list("name", flat=True))
    assert {"涉及代表本人及其亲属的个人问题", "代转人民群众来信", "没有具体内容"} <= reasons


def check_term_and_sessions(demo):
    congress, _ = demo
    term = Term.objects.get(congress=congress)
    assert term.number == 18
    assert str(term.start_date) == "2022-01-01"
    assert term.sessions.count() == 5


def check_roster(demo):
    congress, _ = demo
    assert DeputyGroup.objects.filter(congress=congress).count() == 10
    deputies = Deputy.objects.filter(congress=congress)
    assert deputies.count() == 120
    assert sorted(deputies.values_list("number", flat=True))[:2] == ["D001", "D002"]
    assert not deputies.filter(group__isnull=True).exists()
    stations = LiaisonStation.objects.filter(congress=congress)
    assert stations.count() == len(STATIONS) == 8
    assert set(stations.values_list("kind", flat=True)) == set(LiaisonStation.Kind.values)
    bodies = Unit.objects.filter(congress=congress, kind=Unit.Kind.BODY)
    assert set(bodies.values_list("body_code", flat=True)) == set(Unit.BodyCode.values)
    below = Unit.objects.filter(congress=congress).exclude(kind=Unit.Kind.BODY)
    assert below.count() == len(UNITS) == 30
    assert set(below.values_list("body__name", flat=True)) == {"示范区人民政府"}
    assert below.filter(kind=Unit.Kind.TOWN).count() == 8


def check_accounts_by_role_with_the_demo_password(demo):
    congress, _ = demo

    def roles(username):
        user = User.objects.get(username=username)
        assert user.check_password(settings.MINYI_DEMO_PASSWORD), username
        assert not user.is_staff and not user.is_superuser
        return {
            (m.role, m.unit and m.unit.name, m.station and m.station.name) for m in user.memberships.all()
        }

    assert roles("admin") == {(Role.CONGRESS_ADMIN, None, None)}
    assert roles("clerk") == {(Role.CONGRESS_CLERK, None, None)}
    assert roles("deputy1") == {(Role.DEPUTY, None, None)}
    assert roles("deputy120") == {(Role.DEPUTY, None, None)}
    assert roles("liaison1") == {(Role.LIAISON_CLERK, None, STATIONS[0][0])}
    assert roles("liaison8") == {(Role.LIAISON_CLERK, None, STATIONS[7][0])}
    for username, name, *_rest in BODIES:
        assert roles(username) == {(Role.COORDINATOR, name, None)}
    assert roles("unit1") == {(Role.UNIT_HANDLER, "示范区住房和城乡建设局", None)}
    assert roles("leader1") == {(Role.UNIT_LEADER, "示范区住房和城乡建设局", None)}
    assert roles(f"unit{len(UNITS)}") == {(Role.UNIT_HANDLER, UNITS[-1][0], None)}
    assert roles("supervisor") == {(Role.SUPERVISOR, None, None)}
    assert roles("inspector") == {(Role.INSPECTOR, None, None)}
    assert roles("judge5") == {(Role.JUDGE, None, None)}
    assert roles("viewer") == {(Role.VIEWER, None, None)}
    assert not User.objects.filter(
        username__in=["root", "deputy121", "unit31", "judge6", "liaison9"]
    ).exists()
    assert Membership.objects.filter(congress=congress).count() == 2 + 120 + 8 + 4 + 30 + 30 + 1 + 1 + 5 + 1


def check_deputies_are_linked_to_their_accounts(demo):
    congress, _ = demo
    for number, username in [("D001", "deputy1"), ("D057", "deputy57"), ("D120", "deputy120")]:
        deputy = Deputy.objects.get(congress=congress, number=number)
        assert deputy.user.username == username
        assert deputy.user.full_name == deputy.name


def check_names_are_fictional_and_distinct(demo):
    names = list(Deputy.objects.values_list("name", flat=True))
    names += [u.full_name for u in User.objects.exclude(username__startswith="deputy")]
    assert not set(names) & DENYLIST
    deputy_names = Deputy.objects.values_list("name", flat=True)
    assert len(set(deputy_names)) == 120
    assert all(2 <= len(name) <= 3 for name in names)


def check_contact_details_cannot_reach_anyone(demo):
    assert all(
        email.endswith("@demo.minyi.invalid") for email in User.objects.values_list("email", flat=True)
    )
    assert all(d.email.endswith(".invalid") for d in Deputy.objects.all())


def check_superuser_only_on_request(demo, monkeypatch):
    """No superuser by default; seeding again with MINYI_DEMO_SUPERUSER=1 adds `root` (and only
    that, audited), and a third run changes nothing."""
    assert not User.objects.filter(username="root").exists()
    before = counts()
    monkeypatch.setenv("MINYI_DEMO_SUPERUSER", "1")
    output = run("seed_demo")
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert root.check_password(settings.MINYI_DEMO_PASSWORD)
    assert "superuser" in output
    # `root` and its audit row, nothing else
    assert counts() == {**before, "User": before["User"] + 1, "AuditEvent": before["AuditEvent"] + 1}
    after = counts()
    run("seed_demo")
    assert counts() == after
    assert verify_chain().ok


def check_demo_logins_lists_every_role(demo):
    output = run("demo_logins")
    for text in (
        "http://127.0.0.1:8000",
        settings.MINYI_DEMO_PASSWORD,
        "admin",
        "clerk",
        "deputy1 … deputy120",
        "liaison1 … liaison8",
        "gov, supervision, court, procuratorate",
        "unit1 … unit30",
        "leader1 … leader30",
        "supervisor",
        "inspector",
        "judge1 … judge5",
        "viewer",
        "区住建局",
    ):
        assert text in output, text
    for label in Role.labels:
        if label != Role.UNIT_CLERK.label:  # no demo account for unit clerks (handlers do it)
            assert str(label) in output


def test_demo_logins_before_seeding_says_what_to_do(db):
    assert "run `python manage.py seed_demo`" in run("demo_logins")


# --- the name generator ---------------------------------------------------------------------------


def test_names_are_the_same_for_the_same_seed():
    assert fictional_names(50) == fictional_names(50)
    assert fictional_names(50) != fictional_names(50, seed=1)
    assert len(set(fictional_names(500))) == 500


def test_a_denylisted_name_is_drawn_again():
    first = NameGenerator(random.Random(7)).candidate()
    generator = NameGenerator(random.Random(7), denylist=frozenset({first}))
    assert generator.next() != first


def test_generated_names_avoid_the_denylist():
    names = NameGenerator(random.Random(2026)).take(5000)
    assert not set(names) & DENYLIST


def check_public_site_has_2023_and_part_of_this_year(demo):
    from django.utils import timezone

    from minyi.publication.models import Publication, PublishedFigures, WithholdRequest

    congress, _output = demo
    published = Publication.objects.filter(congress=congress, state="published")
    this_year = timezone.localdate().year
    assert published.filter(year=2023).count() > 300
    assert Publication.objects.filter(congress=congress, year=2023, state="withheld").count() == 1
    # part of this year: early in January the demo's year may have closed little or nothing yet
    closed = congress.suggestions.filter(year=this_year, state="closed").count()
    published_now = published.filter(year=this_year).count()
    assert published_now <= closed and (closed == 0 or published_now > 0)
    assert closed < 3 or published_now < closed
    pending = WithholdRequest.objects.filter(congress=congress, state="pending").count()
    assert pending == (1 if closed >= 3 else 0)
    assert set(PublishedFigures.objects.filter(congress=congress).values_list("year", flat=True)) == {
        2023,
        this_year,
    }


def test_seed_demo(demo, monkeypatch):
    """Seeding the whole demo (every feature) takes a while, so it runs once and every check above
    looks at the same seeded database; a failing check names itself in the traceback."""
    check_seed_creates_the_demo_congress(demo)
    check_seed_is_idempotent(demo)
    check_seed_leaves_an_intact_audit_chain(demo)
    check_policy_taxonomies(demo)
    check_term_and_sessions(demo)
    check_roster(demo)
    check_accounts_by_role_with_the_demo_password(demo)
    check_deputies_are_linked_to_their_accounts(demo)
    check_names_are_fictional_and_distinct(demo)
    check_contact_details_cannot_reach_anyone(demo)
    check_demo_logins_lists_every_role(demo)
    check_public_site_has_2023_and_part_of_this_year(demo)
    check_awards_and_points_are_alive(demo[0])  # at the real clock here, on 5 January in CI's date run
    check_superuser_only_on_request(demo, monkeypatch)  # last: it adds `root`
