"""Rules of the unit tree: no cycles, validity inside the parent's, paths follow moves."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from organization.models import Unit, UnitKind, UnitSuccession
from organization.services import unit_save
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

END_2025 = date(2025, 6, 30)


@pytest.fixture
def chain() -> tuple[Unit, Unit, Unit]:
    """district → commune → village, all valid 2020-01-01 – 2025-06-30."""
    district = UnitFactory(kind=UnitKind.DISTRICT, valid_to=END_2025)
    commune = UnitFactory(parent=district, valid_to=END_2025)
    village = UnitFactory(kind=UnitKind.VILLAGE, parent=commune, valid_to=END_2025)
    return district, commune, village


def errors_of(unit: Unit | UnitSuccession) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        unit.full_clean()
    return excinfo.value.message_dict


def test_a_unit_cannot_be_placed_under_its_own_descendant(chain):
    district, _commune, village = chain
    district.parent = village
    assert "parent" in errors_of(district)


def test_a_unit_cannot_be_its_own_parent(chain):
    _district, commune, _village = chain
    commune.parent = commune
    assert "parent" in errors_of(commune)


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (date(2019, 12, 31), END_2025),  # starts before the parent
        (date(2020, 1, 1), date(2025, 7, 1)),  # ends after the parent
        (date(2020, 1, 1), None),  # open-ended under an ended parent
    ],
)
def test_a_child_must_be_valid_only_while_its_parent_is(chain, valid_from, valid_to):
    _district, commune, _village = chain
    child = Unit(
        key="ban-moi", name="Bản Mới", kind=UnitKind.VILLAGE, parent=commune, valid_from=valid_from, valid_to=valid_to
    )
    assert "valid_from" in errors_of(child)


def test_a_child_inside_its_parents_validity_is_accepted(chain):
    _district, commune, _village = chain
    child = Unit(
        key="ban-moi",
        name="Bản Mới",
        kind=UnitKind.VILLAGE,
        parent=commune,
        valid_from=date(2022, 1, 1),
        valid_to=END_2025,
    )
    child.full_clean()
    assert unit_save(unit=child).pk is not None


def test_validity_cannot_end_before_it_starts():
    unit = Unit(
        key="xa-moi", name="Xã Mới", kind=UnitKind.COMMUNE, valid_from=date(2025, 7, 1), valid_to=date(2025, 6, 30)
    )
    assert "valid_to" in errors_of(unit)


def test_a_unit_cannot_succeed_itself(chain):
    _district, commune, _village = chain
    link = UnitSuccession(predecessor=commune, successor=commune, effective_date=date(2025, 7, 1))
    assert "successor" in errors_of(link)


def test_moving_a_unit_rewrites_the_paths_of_its_subtree(chain):
    district, commune, village = chain
    cluster = UnitFactory(kind=UnitKind.RESIDENTIAL_CLUSTER, parent=village, valid_to=END_2025)
    other = UnitFactory(parent=district, valid_to=END_2025)

    village.parent = other
    unit_save(unit=village)  # validates first: a move to another branch is not a cycle

    cluster.refresh_from_db()
    assert cluster.path == f"{district.path}{other.pk:08d}/{village.pk:08d}/{cluster.pk:08d}/"
    assert cluster.depth == 3
    assert not commune.descendants().filter(pk=cluster.pk).exists()
    assert list(other.descendants().order_by("depth")) == [village, cluster]


def test_subtree_of_returns_exactly_the_unit_and_its_descendants(chain):
    district, commune, village = chain
    sibling = UnitFactory(parent=district, valid_to=END_2025)
    UnitFactory(kind=UnitKind.VILLAGE, parent=sibling, valid_to=END_2025)
    UnitFactory(kind=UnitKind.PROVINCE, valid_to=None)  # an unrelated root

    assert set(Unit.objects.subtree_of(commune)) == {commune, village}
    assert set(Unit.objects.subtree_of(village)) == {village}
    assert set(Unit.objects.subtree_of(commune, sibling)) == {commune, village, sibling, *sibling.children.all()}
    assert not Unit.objects.subtree_of().exists()


def test_term_outside_its_committee_validity_is_refused(tree):
    from organization.models import Term

    term = Term(unit=tree.party_committee, name="khóa XXIII", start_date=date(2025, 7, 1), end_date=date(2030, 6, 30))
    with pytest.raises(ValidationError) as excinfo:
        term.full_clean()
    assert "Huyện ủy Bảo Yên" in excinfo.value.message_dict["start_date"][0]


def test_succession_needs_predecessor_ended_and_successor_started(tree):
    new_commune = UnitFactory(key="t-new", name="Xã mới", parent=tree.province, valid_from=date(2025, 7, 1))
    ok = UnitSuccession(predecessor=tree.commune_a, successor=new_commune, effective_date=date(2025, 7, 1))
    ok.full_clean()
    too_early = UnitSuccession(predecessor=tree.commune_a, successor=new_commune, effective_date=date(2025, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        too_early.full_clean()
    assert set(excinfo.value.message_dict) == {"successor", "predecessor"}
