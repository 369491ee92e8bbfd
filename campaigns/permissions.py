"""Who may do what in campaigns. Pages, API and imports call these before the services do.

- Running a movement (its criteria, rounds, verification, closing, awards for its rounds) is
  for district staff over the movement's area (and admins).
- Self-assessment is for whoever may write records of the scored unit: the commune officer of
  its commune, or district staff.
- Dân vận khéo models, household commitments and pledges are written by district staff and
  commune officers in their subtree; only district staff recognize a model (the level above).
- Leaders and viewers read.
"""

from __future__ import annotations

from organization import access
from organization.models import Role, Unit


def can_manage_movement(user, movement) -> bool:
    return access.has_role_over(user, movement.unit, Role.DISTRICT_STAFF)


def can_create_movement_in(user, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.DISTRICT_STAFF)


def can_self_assess(user, unit: Unit) -> bool:
    return access.can_edit_unit(user, unit)


def can_verify(user, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.DISTRICT_STAFF)


def can_recognize(user, model) -> bool:
    return access.has_role_over(user, model.owner_unit, Role.DISTRICT_STAFF)
