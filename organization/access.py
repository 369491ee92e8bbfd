"""The one place that answers "which units may this user see or edit".

Every page, API view, export and task asks here. Rules (DESIGN.md, Roles):
- admin (superuser or an ``admin`` membership) sees and edits everything;
- every other membership lets the user *see* its unit's subtree;
- district staff and commune officers may also *write* domain records in their subtree;
- agency officers write only answers to what is assigned to their agency (decided per model by
  the app that owns it), leaders and viewers write nothing here.

Outside the user's scope an object answers 404 (existence does not leak); inside it but without
the right to write, 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Membership, Role, Unit

WRITE_ROLES = frozenset({Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER})
#: Roles that may issue conclusion notices and reports and lock periods (decided per app).
APPROVER_ROLES = frozenset({Role.LEADER, Role.DISTRICT_STAFF})

_CACHE_ATTR = "_danvan_memberships"


def memberships(user) -> list[Membership]:
    """Active memberships of ``user``, fetched once per request object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.active().filter(user=user).select_related("unit", "body"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the per-request cache (after memberships change in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(m.role == Role.ADMIN for m in memberships(user))


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def _subtree_condition(units: list[Unit]) -> Q | None:
    condition = None
    for unit in units:
        term = Q(path__startswith=unit.path)
        condition = term if condition is None else condition | term
    return condition


def _units_for_roles(user, allowed_roles: frozenset[str] | None) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    if is_admin(user):
        return Unit.objects.all()
    roots = [m.unit for m in memberships(user) if allowed_roles is None or m.role in allowed_roles]
    condition = _subtree_condition(roots)
    return Unit.objects.filter(condition) if condition is not None else Unit.objects.none()


def visible_units(user) -> QuerySet[Unit]:
    """Every unit the user may see: the union of the subtrees of their memberships."""
    return _units_for_roles(user, None)


def editable_units(user) -> QuerySet[Unit]:
    """Units in which the user may create and edit domain records."""
    return _units_for_roles(user, WRITE_ROLES)


def units_with_role(user, *wanted: str) -> QuerySet[Unit]:
    """Subtrees where the user holds one of ``wanted`` roles (admins hold every role)."""
    return _units_for_roles(user, frozenset(wanted))


def can_view_unit(user, unit: Unit) -> bool:
    return is_admin(user) or any(unit.path.startswith(m.unit.path) for m in memberships(user))


def can_edit_unit(user, unit: Unit) -> bool:
    return is_admin(user) or any(m.role in WRITE_ROLES and unit.path.startswith(m.unit.path) for m in memberships(user))


def has_role_over(user, unit: Unit, *wanted: str) -> bool:
    return is_admin(user) or any(m.role in wanted and unit.path.startswith(m.unit.path) for m in memberships(user))


def scope(queryset: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """Restrict ``queryset`` to rows whose ``unit_field`` is visible to ``user``."""
    if is_admin(user):
        return queryset
    return queryset.filter(**{f"{unit_field}__in": visible_units(user)})


def unit_of(obj: Model) -> Unit:
    """The unit an object belongs to: models may define ``scope_unit``, else a ``unit`` field."""
    if isinstance(obj, Unit):
        return obj
    if hasattr(obj, "scope_unit"):
        return obj.scope_unit
    return obj.unit


def can_edit(user, obj: Model) -> bool:
    return can_edit_unit(user, unit_of(obj))


def get_object_for_user(queryset: QuerySet, user, pk, *, write: bool = False, unit_field: str = "unit"):
    """Fetch ``pk`` within the user's scope: 404 outside it, 403 if read-only and ``write``."""
    scoped = queryset & visible_units(user) if queryset.model is Unit else scope(queryset, user, unit_field)
    obj = scoped.filter(pk=pk).first()
    if obj is None:
        raise Http404
    if write and not can_edit(user, obj):
        raise PermissionDenied
    return obj


def get_unit_for_user(user, pk, *, write: bool = False) -> Unit:
    unit = visible_units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    if write and not can_edit_unit(user, unit):
        raise PermissionDenied
    return unit


def within(units: Unit | Iterable[Unit], field: str = "unit") -> Q:
    """Rows whose ``field`` (a foreign key to Unit) lies in the subtree of one of ``units``.

    Used by every app's metrics, so a district's figure is exactly the sum of its communes'.
    Nested roots are dropped (a commune inside a listed district adds nothing), and an empty
    ``units`` matches nothing, never everything."""
    if isinstance(units, Unit):
        units = [units]
    paths = sorted({unit.path for unit in units if unit.path})
    roots = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for path in roots:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


class ScopedQuerySet(QuerySet):
    """Base QuerySet for domain models: ``visible_to(user)`` keeps the rows whose
    ``scope_field`` (a foreign key to Unit) lies in the user's subtrees."""

    scope_field = "unit"

    def visible_to(self, user):
        return scope(self, user, self.scope_field)
