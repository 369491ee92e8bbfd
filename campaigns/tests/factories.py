"""Builders for campaigns tests: a movement with a valid criteria set per target type, and rounds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from campaigns import services
from campaigns.models import Movement, ScoringRound, TargetType


def criteria_rows(*maxima: str, prefix: str = "TC") -> list[dict]:
    return [
        {"code": f"{prefix}{index}", "text": f"Tiêu chí {index}", "group": "Vệ sinh", "max_points": Decimal(m)}
        for index, m in enumerate(maxima, start=1)
    ]


def movement_with_criteria(
    user,
    unit,
    *,
    launched_by=None,
    types=(TargetType.VILLAGE,),
    year: int = 2024,
    maxima=("40", "30", "30"),
    name: str = "10 phút góp phần cải thiện môi trường",
) -> Movement:
    movement = services.movement_create(
        user=user,
        values={
            "name": name,
            "unit": unit,
            "launched_by": launched_by or unit,
            "launch_date": date(year, 1, 1),
            "is_dvk": True,
            "target_types": list(types),
        },
    )
    total = sum(Decimal(m) for m in maxima)
    for target in types:
        services.criteria_set_save(
            user=user,
            movement=movement,
            data=services.CriteriaSetInput(
                target_type=target, year=year, total_points=total, criteria=criteria_rows(*maxima)
            ),
        )
    return movement


def open_round(user, movement: Movement, month: date) -> ScoringRound:
    round_ = services.round_create(user=user, movement=movement, month=month, closes_on=month.replace(day=28))
    return services.round_open(user=user, round_=round_)
