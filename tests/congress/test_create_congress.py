"""``manage.py create_congress``: the first congress in production — its policy and default
taxonomies, its first admin with a one-time set-password link, audited; idempotent for the same
congress; clear refusals for a taken or malformed code, a username in use elsewhere and a missing
parent. And `do_create_congress` itself refuses everyone but platform admins."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from minyi.accounts.models import Membership, Role, User
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress import defaults
from minyi.congress.actions import FieldErrors, do_create_congress
from minyi.congress.models import Category, Channel, Congress, ExclusionReason, Policy, ResultClass, ThemeTag
from minyi.core.errors import NotPermitted
from tests.audit.support import domain_event_count
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ARGS = ["--code", "shifan", "--name", "示范区人民代表大会常务委员会", "--short-name", "示范"]


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_congress", *args, stdout=out)
    return out.getvalue()


def link_in(text: str) -> str:
    line = next(line for line in text.splitlines() if "一次性设置密码链接" in line)
    return line.split("：", 1)[1].strip()


def test_creates_the_congress_with_policy_and_default_taxonomies_audited(settings):
    text = create(*ARGS, "--level", "city")
    congress = Congress.objects.get(code="shifan")
    assert (congress.name, congress.short_name, congress.level, congress.active) == (
        "示范区人民代表大会常务委员会",
        "示范",
        "city",
        True,
    )
    assert "已新建人大" in text and "/c/shifan/" in text
    assert Policy.objects.filter(congress=congress).exists()
    assert (
        list(Category.objects.filter(congress=congress).values_list("name", flat=True)) == defaults.CATEGORIES
    )
    assert ThemeTag.objects.filter(congress=congress).count() == len(defaults.THEMES)
    assert Channel.objects.filter(congress=congress, grassroots=True).count() == 4
    assert sorted(ResultClass.objects.filter(congress=congress).values_list("code", flat=True)) == list(
        "ABCD"
    )
    assert ExclusionReason.objects.filter(congress=congress).count() == len(defaults.EXCLUSION_REASONS)
    created = AuditEvent.objects.get(code="congress.created")
    assert created.congress_id == congress.pk and created.actor_id is None
    assert AuditEvent.objects.filter(congress=congress).count() == 1 + len(defaults.default_items())
    assert verify_chain().ok


def test_admin_gets_an_account_of_this_congress_and_a_working_one_time_link(settings):
    settings.MINYI_SITE_URL = "https://minyi.example.gov.cn"
    text = create(*ARGS, "--admin", "shifan_admin", "--admin-name", "王管理")
    congress = Congress.objects.get(code="shifan")
    admin = User.objects.get(username="shifan_admin")
    assert admin.home_congress_id == congress.pk and admin.full_name == "王管理"
    assert not admin.has_usable_password() and not admin.is_superuser
    assert Membership.objects.filter(
        user=admin, congress=congress, role=Role.CONGRESS_ADMIN, active=True
    ).exists()
    codes = list(AuditEvent.objects.filter(target_user=admin).values_list("code", flat=True))
    assert codes == ["user.created", "membership.granted", "account.password_link_issued"]

    link = link_in(text)
    assert link.startswith("https://minyi.example.gov.cn/")
    client = Client()
    page = client.get(urlsplit(link).path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else urlsplit(link).path
    done = client.post(
        form_url, {"new_password1": "Gui-hua-ba-yue-7391", "new_password2": "Gui-hua-ba-yue-7391"}
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    admin.refresh_from_db()
    assert admin.check_password("Gui-hua-ba-yue-7391")
    client.force_login(admin)
    assert client.get("/c/shifan/policy/").status_code == 200  # the congress admin's own pages


def test_running_it_again_changes_nothing_and_gives_a_fresh_link():
    create(*ARGS, "--admin", "shifan_admin")
    events = domain_event_count()
    again = create(*ARGS, "--admin", "shifan_admin")
    assert "已存在，未做更改" in again and "已是本人大管理员" in again and "一次性设置密码链接" in again
    assert Congress.objects.filter(code="shifan").count() == 1
    assert Category.objects.filter(congress__code="shifan").count() == len(defaults.CATEGORIES)
    assert User.objects.filter(username="shifan_admin").count() == 1
    assert domain_event_count() == events + 1  # only the new link
    assert AuditEvent.objects.last().code == "account.password_link_issued"


def test_a_code_taken_by_another_congress_is_refused_and_nothing_changes():
    create(*ARGS)
    events = domain_event_count()
    with pytest.raises(CommandError, match="已被另一个人大"):
        create("--code", "shifan", "--name", "另一个区人大常委会", "--short-name", "另一")
    assert Congress.objects.get(code="shifan").name == "示范区人民代表大会常务委员会"
    assert domain_event_count() == events


@pytest.mark.parametrize("code", ["ShiFan", "shi fan", "shi_fan", "-shifan", "示范", "a" * 33, ""])
def test_a_malformed_code_is_refused(code):
    with pytest.raises(CommandError, match="小写英文字母"):
        create(f"--code={code}", "--name", "示范区人大常委会", "--short-name", "示范")
    assert not Congress.objects.exists() and not AuditEvent.objects.exists()


def test_bad_input_is_refused_and_leaves_nothing():
    with pytest.raises(CommandError):  # a short name longer than the numbering allows
        create("--code", "shifan", "--name", "示范区人大常委会", "--short-name", "示" * 21)
    with pytest.raises(CommandError, match="上级人大"):
        create(*ARGS, "--parent", "nowhere")
    with pytest.raises(CommandError):  # argparse: unknown level
        create(*ARGS, "--level", "galactic")
    assert not Congress.objects.exists() and not AuditEvent.objects.exists()


def test_an_admin_username_in_use_elsewhere_is_refused_and_the_whole_run_rolls_back():
    UserFactory(username="taken")
    with pytest.raises(CommandError, match="已被使用"):
        create(*ARGS, "--admin", "taken")
    assert not Congress.objects.filter(code="shifan").exists()
    assert not AuditEvent.objects.filter(code="congress.created").exists()


def test_a_parent_congress_by_code():
    create("--code", "shi", "--name", "示范市人大常委会", "--short-name", "示范市", "--level", "city")
    create(*ARGS, "--parent", "shi")
    assert Congress.objects.get(code="shifan").parent.code == "shi"


def test_only_platform_admins_and_the_system_may_create_a_congress():
    clerk = UserFactory(username="clerk")
    with pytest.raises(NotPermitted):
        do_create_congress(actor=clerk, code="shifan", name="示范区人大常委会", short_name="示范")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    congress = do_create_congress(actor=root, code="shifan", name="示范区人大常委会", short_name="示范")
    assert AuditEvent.objects.get(code="congress.created").actor_id == root.pk
    with pytest.raises(FieldErrors) as info:
        do_create_congress(actor=root, code="shifan", name="又一个", short_name="又")
    assert info.value.code == "duplicate_code"
    assert congress.pk and Congress.objects.count() == 1
