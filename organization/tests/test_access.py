"""organization.access: who sees and edits which units."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from organization import access
from organization.models import Unit


def keys(queryset):
    return set(queryset.values_list("key", flat=True))


def test_commune_officer_sees_exactly_own_commune_subtree(tree, commune_a_officer):
    assert keys(access.visible_units(commune_a_officer)) == {"t-vinh-yen", "t-tong-kim"}


def test_district_staff_sees_whole_district_but_not_province(tree, district_staff):
    visible = keys(access.visible_units(district_staff))
    assert "t-province" not in visible
    assert visible == keys(tree.district.descendants(include_self=True))


def test_agency_officer_sees_only_its_agency(tree, agency_officer):
    assert keys(access.visible_units(agency_officer)) == {"t-tnmt"}


def test_admin_sees_everything(tree, portal_admin):
    assert access.visible_units(portal_admin).count() == Unit.objects.count()


def test_anonymous_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_units(AnonymousUser()).exists()


def test_leader_sees_district_but_cannot_edit(tree, leader):
    assert access.can_view_unit(leader, tree.commune_b)
    assert not access.can_edit_unit(leader, tree.commune_b)
    with pytest.raises(PermissionDenied):
        access.get_unit_for_user(leader, tree.commune_b.pk, write=True)


def test_commune_officer_gets_404_for_other_commune(tree, commune_a_officer):
    with pytest.raises(Http404):
        access.get_unit_for_user(commune_a_officer, tree.commune_b.pk)
    assert access.get_unit_for_user(commune_a_officer, tree.village_a.pk, write=True) == tree.village_a


def test_visible_units_is_one_query(tree, commune_a_officer, django_assert_num_queries):
    access.forget_memberships(commune_a_officer)
    with django_assert_num_queries(2):  # memberships, then the units
        list(access.visible_units(commune_a_officer))
