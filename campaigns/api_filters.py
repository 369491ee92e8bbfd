"""Query-string filters of the campaigns API.

They narrow a queryset that is already scoped to the user (``visible_to`` or the selectors), so a
filter can never widen what a user sees: a unit, movement or round outside the scope gives an
empty list, the same answer as an id that does not exist.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organization.api_filters import IdFilter
from organization.models import Unit
from organization.search import search_folded

from .models import (
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    CriteriaSet,
    DvkField,
    DvkKind,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    MovementStatus,
    PledgeResult,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoringRound,
    TargetType,
)
from .workflow import DvkStatus


def in_subtree(queryset: QuerySet, field: str, unit_id: int) -> QuerySet:
    """Rows whose ``field`` is the unit ``unit_id`` or lies below it.

    The unit is looked up without scope on purpose: the rows are already scoped, so an unknown id
    and a hidden one both give an empty list.
    """
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


def _subtree(field: str, help_text) -> IdFilter:
    return IdFilter(method=lambda queryset, name, value: in_subtree(queryset, field, value), help_text=help_text)


def _year(field: str, help_text) -> django_filters.NumberFilter:
    return IdFilter(field_name=f"{field}__year", help_text=help_text)


class _SearchMixin:
    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")


class MovementFilter(_SearchMixin, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MovementStatus.choices, help_text=_("draft, active, ended."))
    is_dvk = django_filters.BooleanFilter(help_text=_("true: Dân vận khéo movements only; false: the others."))
    unit = _subtree("unit", _("Movements whose area is this unit id or lies below it."))
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("Words of the name or description, with or without accents.")
    )

    class Meta:
        model = Movement
        fields = ["status", "is_dvk", "unit", "search"]


class CriteriaSetFilter(django_filters.FilterSet):
    movement = IdFilter(field_name="movement_id", help_text=_("Sets of this movement id."))
    year = IdFilter(field_name="year", help_text=_("Sets in force in this year."))
    target_type = django_filters.ChoiceFilter(choices=TargetType.choices, help_text=_("Kind of unit scored."))

    class Meta:
        model = CriteriaSet
        fields = ["movement", "year", "target_type"]


class ScoringRoundFilter(django_filters.FilterSet):
    movement = IdFilter(field_name="movement_id", help_text=_("Rounds of this movement id."))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, help_text=_("draft, open, closed."))
    year = _year("month", _("Rounds of months in this year."))

    class Meta:
        model = ScoringRound
        fields = ["movement", "status", "year"]


class ScorecardFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round_id", help_text=_("Scorecards of this round id."))
    movement = IdFilter(field_name="round__movement_id", help_text=_("Scorecards of this movement id."))
    status = django_filters.ChoiceFilter(choices=ScorecardStatus.choices, help_text=_("draft, submitted, verified."))
    target_type = django_filters.ChoiceFilter(choices=TargetType.choices, help_text=_("Kind of unit scored."))
    commune = IdFilter(field_name="commune_id", help_text=_("Units of this commune id."))
    unit = _subtree("unit", _("This unit id or units below it."))

    class Meta:
        model = Scorecard
        fields = ["round", "movement", "status", "target_type", "commune", "unit"]


class AwardFilter(django_filters.FilterSet):
    form = django_filters.ChoiceFilter(choices=AwardForm.choices, help_text=_("commendation, certificate, …"))
    movement = IdFilter(field_name="movement_id", help_text=_("Awards of this movement id."))
    round = IdFilter(field_name="round_id", help_text=_("Awards of this round id."))
    year = _year("date", _("Awards dated in this year."))
    recipient_unit = _subtree("recipient_unit", _("Awards to this unit id or units below it."))

    class Meta:
        model = Award
        fields = ["form", "movement", "round", "year", "recipient_unit"]


class DvkModelFilter(_SearchMixin, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DvkStatus.choices, help_text=_("registered, surveyed, …"))
    field = django_filters.ChoiceFilter(choices=DvkField.choices, help_text=_("Field of work."))
    level = django_filters.ChoiceFilter(choices=DvkLevel.choices, help_text=_("village, commune, district."))
    kind = django_filters.ChoiceFilter(choices=DvkKind.choices, help_text=_("model or exemplar."))
    owner_unit = _subtree("owner_unit", _("Models of this unit id or units below it."))
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("Words of the name, target group or objectives, with or without accents.")
    )

    class Meta:
        model = DvkModel
        fields = ["status", "field", "level", "kind", "owner_unit", "search"]


class HouseholdCommitmentFilter(_SearchMixin, django_filters.FilterSet):
    model = IdFilter(field_name="model_id", help_text=_("Commitments for this model id."))
    village = _subtree("village", _("Households of this unit id or units below it."))
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, help_text=_("kept or broken."))
    item = IdFilter(field_name="items", help_text=_("Commitments that signed this commitment item id."))
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("Words of the household head's name, with or without accents.")
    )

    class Meta:
        model = HouseholdCommitment
        fields = ["model", "village", "status", "item", "search"]


class EmulationPledgeFilter(django_filters.FilterSet):
    year = IdFilter(field_name="year", help_text=_("Pledges for this year."))
    result = django_filters.ChoiceFilter(choices=PledgeResult.choices, help_text=_("pledged, achieved, not_achieved."))
    unit = _subtree("unit", _("Pledges of this unit id or units below it."))

    class Meta:
        model = EmulationPledge
        fields = ["year", "result", "unit"]


class CommitmentItemFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(help_text=_("true: items still offered for new commitments."))

    class Meta:
        model = CommitmentItem
        fields = ["is_active"]
