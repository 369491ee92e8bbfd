"""Scoping matrix on the demo data: each demo account sees exactly its own subtree of units,
in the unit list page and in the API (DESIGN.md, principle 3)."""

import re

import pytest

from organization.models import Unit

# (demo account, key of the unit whose subtree it must see; None = everything)
MATRIX = [
    ("demo_admin", None),
    ("demo_district", "bao-yen"),
    ("demo_leader", "bao-yen"),
    ("demo_commune", "bao-yen/vinh-yen"),
    ("demo_commune2", "bao-yen/nghia-do"),
    ("demo_agency", "bao-yen/ubnd/tai-nguyen-moi-truong"),
]


@pytest.fixture
def demo(demo_data, db):
    """The demo, seeded once for this module (see conftest.demo_data)."""


def expected_ids(root_key: str | None) -> set[int]:
    units = Unit.objects.all() if root_key is None else Unit.objects.get(key=root_key).descendants(include_self=True)
    return set(units.values_list("pk", flat=True))


def ids_on_unit_list_pages(client) -> set[int]:
    seen: set[int] = set()
    url = "/units/"
    for _page in range(50):  # bounded: the demo has far fewer than 50 pages
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        table = html[html.index("<table") : html.index("</table>")]
        seen |= {int(pk) for pk in re.findall(r'href="/units/(\d+)/"', table)}
        following = re.search(r'href="(\?[^"]*page=\d+[^"]*)"[^>]*rel="next"', html) or re.search(
            r'rel="next"[^>]*href="(\?[^"]*page=\d+[^"]*)"', html
        )
        if following is None:
            return seen
        url = "/units/" + following.group(1).replace("&amp;", "&")
    raise AssertionError("pagination did not end")


def ids_from_api(client) -> set[int]:
    seen: set[int] = set()
    url = "/api/v1/units/?page_size=200"
    while url:
        body = client.get(url).json()
        seen |= {row["id"] for row in body["results"]}
        url = body["next"]
    return seen


@pytest.mark.parametrize(("username", "root_key"), MATRIX)
def test_demo_account_sees_exactly_its_subtree(client, demo, username, root_key):
    from organization.models import User

    client.force_login(User.objects.get(username=username))
    expected = expected_ids(root_key)
    assert ids_from_api(client) == expected
    shown = ids_on_unit_list_pages(client)
    # The list links every unit it shows (parents it cannot open are plain text), so the set of
    # detail links on its pages is the set of units listed.
    assert shown == expected


@pytest.mark.parametrize(("username", "root_key"), MATRIX[1:])
def test_demo_account_gets_404_for_a_unit_outside_its_subtree(client, demo, username, root_key):
    from organization.models import User

    client.force_login(User.objects.get(username=username))
    outside = Unit.objects.exclude(pk__in=expected_ids(root_key)).order_by("pk").first()
    assert client.get(f"/units/{outside.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{outside.pk}/").status_code == 404
