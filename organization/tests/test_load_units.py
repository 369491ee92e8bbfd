"""load_units: the Bảo Yên data file loads completely, idempotently, and all-or-nothing."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organization.models import Term, Unit, UnitKind, UnitSuccession

pytestmark = pytest.mark.django_db

# GSO codes as listed in DOMAIN.md (Geography), typed here independently of units.yaml.
OLD_COMMUNES = {
    "Thị trấn Phố Ràng": "02947",
    "Xã Tân Tiến": "02950",
    "Xã Nghĩa Đô": "02953",
    "Xã Vĩnh Yên": "02956",
    "Xã Điện Quan": "02959",
    "Xã Xuân Hòa": "02962",
    "Xã Tân Dương": "02965",
    "Xã Thượng Hà": "02968",
    "Xã Kim Sơn": "02971",
    "Xã Cam Cọn": "02974",
    "Xã Minh Tân": "02977",
    "Xã Xuân Thượng": "02980",
    "Xã Việt Tiến": "02983",
    "Xã Yên Sơn": "02986",
    "Xã Bảo Hà": "02989",
    "Xã Lương Sơn": "02992",
    "Xã Phúc Khánh": "02998",
}
NEW_COMMUNES = {
    "Xã Bảo Yên": "02947",
    "Xã Nghĩa Đô": "02953",
    "Xã Thượng Hà": "02968",
    "Xã Xuân Hòa": "02962",
    "Xã Bảo Hà": "02989",
    "Xã Phúc Khánh": "02998",
}


def load(path: Path | None = None) -> str:
    out = StringIO()
    if path is None:
        call_command("load_units", stdout=out)
    else:
        call_command("load_units", file=path, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(Unit.objects.order_by("key").values_list("key", "name", "parent__key", "path", "valid_to"))


def test_loads_the_township_and_sixteen_communes_with_their_codes():
    load()
    old = Unit.objects.filter(parent__key="bao-yen", kind__in=[UnitKind.COMMUNE, UnitKind.TOWNSHIP])
    assert dict(old.values_list("name", "code")) == OLD_COMMUNES
    assert old.get(kind=UnitKind.TOWNSHIP).name == "Thị trấn Phố Ràng"
    assert set(old.values_list("valid_from", "valid_to")) == {(date(2020, 1, 1), date(2025, 6, 30))}


def test_loads_the_six_post_2025_communes_under_the_province_with_party_committees():
    load()
    new = Unit.objects.filter(parent__key="lao-cai", kind=UnitKind.COMMUNE)
    assert dict(new.values_list("name", "code")) == NEW_COMMUNES
    assert set(new.values_list("valid_from", "valid_to")) == {(date(2025, 7, 1), None)}
    committees = Unit.objects.filter(parent__in=new, kind=UnitKind.PARTY_COMMITTEE)
    assert committees.count() == 6
    assert set(committees.values_list("doc_symbol", flat=True)) == {"ĐU"}
    assert Term.objects.filter(unit__in=committees, name="nhiệm kỳ 2025–2030").count() == 6


def test_every_old_commune_has_exactly_one_successor_and_the_mapping_is_marked_unverified():
    load()
    assert UnitSuccession.objects.count() == 17
    for commune in Unit.objects.filter(parent__key="bao-yen", kind__in=[UnitKind.COMMUNE, UnitKind.TOWNSHIP]):
        assert commune.successors.count() == 1, commune.name
    assert Unit.objects.get(key="bao-yen/vinh-yen").successors.get().key == "xa-nghia-do"
    assert not Unit.objects.get(key="bao-yen").successors.exists()
    assert all("chưa kiểm chứng" in note for note in UnitSuccession.objects.values_list("note", flat=True))
    assert set(UnitSuccession.objects.values_list("effective_date", flat=True)) == {date(2025, 7, 1)}


def test_nam_meng_cluster_sits_under_tong_kim_in_vinh_yen():
    load()
    nam_meng = Unit.objects.get(name="Khu dân cư Nặm Mèng")
    assert nam_meng.kind == UnitKind.RESIDENTIAL_CLUSTER
    assert [unit.name for unit in nam_meng.ancestors()] == [
        "Tỉnh Lào Cai",
        "Huyện Bảo Yên",
        "Xã Vĩnh Yên",
        "Bản Tổng Kim",
    ]
    for commune in ("bao-yen/vinh-yen", "bao-yen/nghia-do", "bao-yen/pho-rang"):
        villages = Unit.objects.filter(parent__key=commune, kind=UnitKind.VILLAGE)
        assert 3 <= villages.count() <= 5, commune


def test_district_bodies_carry_document_symbols_and_the_committee_its_term():
    load()
    district = Unit.objects.get(key="bao-yen")
    symbols = dict(district.descendants().exclude(doc_symbol="").values_list("name", "doc_symbol"))
    assert symbols == {"Huyện ủy Bảo Yên": "HU", "Ban Dân vận Huyện ủy": "BDVHU", "UBND huyện Bảo Yên": "UBND"}
    term = Term.objects.get(unit__key="bao-yen/huyen-uy")
    assert (term.name, term.start_date, term.end_date) == ("khóa XXII", date(2020, 8, 1), date(2025, 6, 30))


def test_running_twice_creates_and_writes_nothing():
    first = load()
    before = (snapshot(), UnitSuccession.objects.count(), Term.objects.count(), Unit.history.count())
    second = load()
    assert "units: 65 created" in first
    assert "units: 0 created, 0 updated, 65 unchanged" in second
    assert "successions: 0 created, 0 updated, 17 unchanged" in second
    assert "terms: 0 created, 0 updated, 7 unchanged" in second
    assert (snapshot(), UnitSuccession.objects.count(), Term.objects.count(), Unit.history.count()) == before


def test_an_edited_row_is_updated_in_place(tmp_path):
    load()
    district = Unit.objects.get(key="bao-yen")
    path = tmp_path / "units.yaml"
    path.write_text(
        "units:\n"
        "  - {key: bao-yen, name: Huyện Bảo Yên (cũ), kind: district, code: '087', parent: lao-cai,"
        " valid_from: 2020-01-01, valid_to: 2025-06-30}\n",
        encoding="utf-8",
    )
    assert "units: 0 created, 1 updated, 0 unchanged" in load(path)
    district.refresh_from_db()
    assert district.name == "Huyện Bảo Yên (cũ)"


BROKEN_ROWS = {
    "child outlives its parent": (
        "  - {key: bao-yen/vinh-yen/ban-moi, name: Bản Mới, kind: village, parent: bao-yen/vinh-yen,"
        " valid_from: 2020-01-01, valid_to: 2026-01-01}\n",
        'unit "bao-yen/vinh-yen/ban-moi": valid_from',
    ),
    "unknown parent": (
        "  - {key: bao-yen/ban-moi, name: Bản Mới, kind: village, parent: bao-yen/khong-co, valid_from: 2020-01-01}\n",
        'unit "bao-yen/ban-moi": unknown parent "bao-yen/khong-co"',
    ),
    "parents in a loop": (
        "  - {key: vong-a, name: A, kind: village, parent: vong-b, valid_from: 2020-01-01}\n"
        "  - {key: vong-b, name: B, kind: village, parent: vong-a, valid_from: 2020-01-01}\n",
        "leads back to itself",
    ),
    "unquoted code": (
        "  - {key: bao-yen/xa-moi, name: Xã Mới, kind: commune, code: 3000, parent: bao-yen,"
        " valid_from: 2020-01-01, valid_to: 2025-06-30}\n",
        'unit "bao-yen/xa-moi": code must be text',
    ),
}


@pytest.mark.parametrize("case", BROKEN_ROWS)
def test_a_broken_file_changes_nothing_and_names_the_unit(tmp_path, case):
    load()
    before = snapshot()
    bad_row, message = BROKEN_ROWS[case]
    path = tmp_path / "units.yaml"
    # A valid rename and a valid new unit come first: the error must roll both back.
    path.write_text(
        "units:\n"
        "  - {key: lao-cai, name: Tỉnh Đổi Tên, kind: province, code: '10', valid_from: 1991-10-01}\n"
        "  - {key: bao-yen/vinh-yen/ban-hop-le, name: Bản Hợp Lệ, kind: village, parent: bao-yen/vinh-yen,"
        " valid_from: 2020-01-01, valid_to: 2025-06-30}\n" + bad_row,
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=message):
        load(path)
    assert snapshot() == before


def test_a_succession_to_itself_is_refused(tmp_path):
    load()
    path = tmp_path / "units.yaml"
    path.write_text(
        "units: []\n"
        "successions:\n"
        "  - {predecessor: bao-yen/kim-son, successor: bao-yen/kim-son, effective_date: 2025-07-01}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match='succession "bao-yen/kim-son" → "bao-yen/kim-son"'):
        load(path)
    assert UnitSuccession.objects.count() == 17
