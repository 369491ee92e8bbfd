"""Identifiers are never written with thousands separators: petition #1234 must not read #1.234
(Vietnamese formats group digits with "."), and hidden form values must post back as numbers."""

from datetime import date

import pytest
from django.urls import reverse

from dialogues.tests.factories import PetitionFactory
from dialogues.workflow import PetitionStatus


@pytest.fixture
def big_petition(tree, district_staff):
    petition = PetitionFactory(
        unit=tree.commune_a,
        by=district_staff,
        status=PetitionStatus.ASSIGNED,
        agency=tree.agency,
        deadline=date(2024, 4, 30),
        received_on=date(2024, 3, 1),
    )
    # Move it to a four-digit id, as any real installation soon has.
    from dialogues.models import Petition, PetitionEvent

    PetitionEvent.objects.filter(petition=petition).delete()
    Petition.objects.filter(pk=petition.pk).update(id=12345)
    return Petition.objects.get(pk=12345)


def test_petition_ids_render_without_grouping(client, big_petition, district_staff, agency_officer):
    client.force_login(district_staff)
    for url in (reverse("dialogues:petition_list"), reverse("dialogues:petition_detail", args=[12345])):
        html = client.get(url).content.decode()
        assert "#12345" in html, url
        assert "12.345" not in html, url
    client.force_login(agency_officer)
    html = client.get(reverse("dialogues:inbox")).content.decode()
    assert "#12345" in html and "12.345" not in html
