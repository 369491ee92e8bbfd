"""Factories for programs, roads, land donations and site clearance.

They create records **through the services** (``program_create``, ``road_project_save``,
``land_donation_save``, ``clearance_project_save``, ``disbursement_record``), never by setting
fields, so every record a test sees passed the same validation and history as one made on a
page. The acting user is ``by=`` when given, else a superuser ("factory-admin").

    program = ProgramFactory(unit=tree.commune_a, by=commune_a_officer,
                             contributions=[contribution(value_vnd=5_000_000)])
    road = RoadProjectFactory(unit=tree.commune_a, program=program, length_m=Decimal(750))
    DonationFactory(unit=tree.commune_a, road=road, area_m2=Decimal(500), trees={"quế": 300})
    project = ClearanceProjectFactory(unit=tree.district, budget_vnd=250_000_000_000)
    DisbursementFactory(project=project, amount_vnd=100_000_000_000, paid_on=date(2022, 6, 15))

Default dates lie in 2023, within the ``tree`` fixture's units (which end on 30/06/2025).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory

from organization.models import User
from organization.tests.factories import UnitFactory, UserFactory
from programs import services
from programs.models import (
    ContributionKind,
    ContributorType,
    Disbursement,
    DonationPurpose,
    LandDonation,
    OrganizerLevel,
    ParticipantCategory,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
    RoadProject,
    SiteClearanceProject,
    WorkCategory,
)
from programs.services import ProgramInput


def system_user() -> User:
    """A superuser for arranging data when the test is not about who does it."""
    return UserFactory(username="factory-admin", is_superuser=True, is_staff=True)


def work_item(**values: Any) -> dict[str, Any]:
    """One inline work-item row for ``program_create`` (a done clean-up unless told)."""
    return {
        "category": WorkCategory.CLEAN_UP,
        "description": "Dọn vệ sinh đường làng",
        "quantity": Decimal(1),
        "unit_of_measure": "km",
        "done": True,
        **values,
    }


def contribution(**values: Any) -> dict[str, Any]:
    """One inline contribution row (exact cash from officials unless told)."""
    return {
        "contributor_type": ContributorType.OFFICIALS,
        "kind": ContributionKind.CASH,
        "quantity": Decimal(0),
        "unit_of_measure": "đồng",
        "value_vnd": 1_000_000,
        "qualifier": Qualifier.EXACT,
        **values,
    }


def participation(category: str = ParticipantCategory.RESIDENTS, person_times: int = 10, **values: Any) -> dict:
    """One inline participation row."""
    return {"category": category, "person_times": person_times, "qualifier": Qualifier.EXACT, **values}


class _ServiceFactory(factory.django.DjangoModelFactory):
    """Base: ``_create`` calls the service instead of ``Model.objects.create``."""

    class Meta:
        abstract = True

    @classmethod
    def _user(cls, by: User | None) -> User:
        return by or system_user()


class ProgramFactory(_ServiceFactory):
    """A held commune-level program in its host commune; pass ``work_items``, ``contributions``
    and ``participation`` as lists of row dicts (see the helpers above)."""

    class Meta:
        model = Program

    unit = factory.SubFactory(UnitFactory)
    organizer_level = OrganizerLevel.COMMUNE
    organizer = factory.SelfAttribute("unit")
    title = factory.Sequence(lambda n: f"Chương trình ra quân số {n}")
    date = date(2023, 3, 15)
    status = ProgramStatus.HELD
    fields = factory.LazyFunction(lambda: [ProgramField.ENVIRONMENT])

    @classmethod
    def _create(cls, model_class, *args, by: User | None = None, **values) -> Program:
        rows = {name: list(values.pop(name, [])) for name in ("work_items", "contributions", "participation")}
        return services.program_create(user=cls._user(by), data=ProgramInput(values=values, **rows))


class RoadProjectFactory(_ServiceFactory):
    class Meta:
        model = RoadProject

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Đường bê tông nội thôn số {n}")
    year = 2023
    length_m = Decimal(500)
    total_investment_vnd = 0
    people_share_vnd = 0

    @classmethod
    def _create(cls, model_class, *args, by: User | None = None, **values) -> RoadProject:
        return services.road_project_save(user=cls._user(by), values=values)


class DonationFactory(_ServiceFactory):
    class Meta:
        model = LandDonation

    unit = factory.SubFactory(UnitFactory)
    donor = factory.Sequence(lambda n: f"Hộ ông Giàng A Páo {n}")
    donated_on = date(2023, 3, 15)
    purpose = DonationPurpose.ROAD
    area_m2 = Decimal(100)
    value_vnd = 0

    @classmethod
    def _create(cls, model_class, *args, by: User | None = None, consent_file=None, **values) -> LandDonation:
        return services.land_donation_save(user=cls._user(by), values=values, consent_file=consent_file)


class ClearanceProjectFactory(_ServiceFactory):
    """A site clearance project; ``communes=[...]`` sets the communes it touches."""

    class Meta:
        model = SiteClearanceProject

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Dự án giải phóng mặt bằng số {n}")
    started_on = date(2022, 3, 1)
    affected_households = 10
    area_ha = Decimal("1.50")
    budget_vnd = 1_000_000_000

    @classmethod
    def _create(cls, model_class, *args, by: User | None = None, communes=None, **values) -> SiteClearanceProject:
        return services.clearance_project_save(user=cls._user(by), values=values, communes=communes)


class DisbursementFactory(_ServiceFactory):
    class Meta:
        model = Disbursement

    project = factory.SubFactory(ClearanceProjectFactory)
    paid_on = date(2022, 6, 15)
    amount_vnd = 100_000_000
    households_paid = 0

    @classmethod
    def _create(cls, model_class, *args, by: User | None = None, project=None, **values) -> Disbursement:
        return services.disbursement_record(user=cls._user(by), project=project, values=values)
