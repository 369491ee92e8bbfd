"""seed_demo: one working account per role, people and documents; idempotent; DEBUG only."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organization import access
from organization.models import Document, Membership, Person, PersonKind, Role, Unit, User

pytestmark = pytest.mark.django_db

# username → (role, scope unit key, acting-for body key or None)
EXPECTED_MEMBERSHIPS = {
    "demo_district": (Role.DISTRICT_STAFF, "bao-yen", "bao-yen/huyen-uy/ban-dan-van"),
    "demo_leader": (Role.LEADER, "bao-yen", "bao-yen/huyen-uy/thuong-truc"),
    "demo_commune": (Role.COMMUNE_OFFICER, "bao-yen/vinh-yen", None),
    "demo_commune2": (Role.COMMUNE_OFFICER, "bao-yen/nghia-do", None),
    "demo_agency": (Role.AGENCY_OFFICER, "bao-yen/ubnd/tai-nguyen-moi-truong", None),
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    return settings


def test_creates_six_accounts_with_the_demo_password(debug_on):
    output = seed()
    users = User.objects.filter(username__startswith="demo_")
    assert set(users.values_list("username", flat=True)) == {"demo_admin", *EXPECTED_MEMBERSHIPS}
    for user in users:
        assert user.check_password(debug_on.DEMO_PASSWORD), user.username
        assert user.full_name and user.email == f"{user.username}@example.test"
        assert user.username in output
    admin = users.get(username="demo_admin")
    assert admin.is_superuser and admin.is_staff
    assert not users.exclude(username="demo_admin").filter(is_staff=True).exists()


def test_each_account_gets_its_role_unit_and_body(debug_on):
    seed()
    memberships = Membership.objects.filter(user__username__startswith="demo_").select_related("unit", "body")
    actual = {m.user.username: (m.role, m.unit.key, m.body.key if m.body else None) for m in memberships}
    assert actual == EXPECTED_MEMBERSHIPS
    assert memberships.get(user__username="demo_leader").title == "Phó Bí thư Thường trực Huyện ủy"
    assert memberships.get(user__username="demo_district").title == "Chuyên viên Ban Dân vận"


def test_commune_account_sees_its_commune_and_villages_only(debug_on):
    seed()
    officer = User.objects.get(username="demo_commune")
    visible = set(access.visible_units(officer).values_list("key", flat=True))
    assert visible == set(
        Unit.objects.get(key="bao-yen/vinh-yen").descendants(include_self=True).values_list("key", flat=True)
    )
    assert "bao-yen/vinh-yen/tong-kim/nam-meng" in visible
    assert "bao-yen/nghia-do" not in visible


def test_registers_the_two_schemes_and_the_people_who_sign_and_are_met(debug_on):
    seed()
    documents = Document.objects.filter(kind="DA").order_by("number")
    assert [d.symbol for d in documents] == ["1-ĐA/HU", "2-ĐA/HU"]
    assert all(d.term.name == "khóa XXII" and d.signer.position == "Bí thư Huyện ủy" for d in documents)
    assert "MTTQ" in documents[0].subject
    assert "chính trị tư tưởng" in documents[1].subject
    kinds = set(Person.objects.values_list("kind", flat=True))
    assert {PersonKind.OFFICIAL, PersonKind.PRESTIGIOUS, PersonKind.ELDER, PersonKind.CLERGY} <= kinds
    assert Person.objects.filter(unit__name="Bản Tổng Kim").count() == 2


def test_running_twice_changes_nothing(debug_on):
    seed()
    models = (User, Membership, Person, Document, Unit)

    def counts():
        return [model.objects.count() for model in models] + [model.history.count() for model in models]

    before = counts()
    output = seed()
    assert counts() == before
    assert "units: 0 created, 0 updated" in output


def test_restores_a_changed_demo_password(debug_on):
    seed()
    user = User.objects.get(username="demo_commune")
    user.set_password("something-else")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password(debug_on.DEMO_PASSWORD)


def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not User.objects.exists()
    assert not Unit.objects.exists()
    seed("--force")
    assert User.objects.filter(username__startswith="demo_").count() == 6
