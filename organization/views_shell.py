"""The portal shell: the home page and the unit switcher."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import access
from .middleware import SESSION_KEY
from .models import Role


@dataclass(frozen=True)
class NextStep:
    url_name: str
    label: str
    description: str
    icon: str
    query: str = ""  # e.g. "overdue=yes": a filtered list is a step of its own

    @property
    def key(self) -> str:
        return f"{self.url_name}?{self.query}"


_UNITS = NextStep("unit_list", gettext_lazy("Units"), gettext_lazy("Browse the units in your scope."), "bi-diagram-3")
_DOCUMENTS = NextStep(
    "document_list", gettext_lazy("Documents"), gettext_lazy("Look up the document register."), "bi-journal-text"
)
_PEOPLE = NextStep(
    "person_list",
    gettext_lazy("People"),
    gettext_lazy("Officials, prestigious persons and village heads."),
    "bi-people",
)
_ADMIN = NextStep(
    "admin:index", gettext_lazy("Administration"), gettext_lazy("Manage users, units and memberships."), "bi-gear"
)

# What each role can do with the organization's own pages. Domain apps put their steps (which come
# first: they are the daily work) in `<app>/home.py` as NEXT_STEPS_BY_ROLE, so this module never
# imports them.
NEXT_STEPS_BY_ROLE: dict[str, tuple[NextStep, ...]] = {
    Role.ADMIN: (_ADMIN, _UNITS, _DOCUMENTS, _PEOPLE),
    Role.DISTRICT_STAFF: (_UNITS, _DOCUMENTS, _PEOPLE),
    Role.COMMUNE_OFFICER: (
        NextStep("unit_list", gettext_lazy("Your commune"), gettext_lazy("Your commune and its villages."), "bi-house"),
        _PEOPLE,
        _DOCUMENTS,
    ),
    Role.AGENCY_OFFICER: (
        NextStep("unit_list", gettext_lazy("Your agency"), gettext_lazy("The agency you answer for."), "bi-building"),
        _DOCUMENTS,
    ),
    Role.LEADER: (_DOCUMENTS, _UNITS, _PEOPLE),
    Role.VIEWER: (_UNITS, _DOCUMENTS),
}


def steps_for_role(role: str) -> list[NextStep]:
    """The domain apps' steps for ``role`` (INSTALLED_APPS order), then the organization's."""
    steps: list[NextStep] = []
    for config in apps.get_app_configs():
        if config.name != "organization" and module_has_submodule(config.module, "home"):
            steps.extend(import_module(f"{config.name}.home").NEXT_STEPS_BY_ROLE.get(role, ()))
    return [*steps, *NEXT_STEPS_BY_ROLE[role]]


def next_steps(user) -> list[dict]:
    """Links for the user's roles, most important role first, each page once."""
    roles = access.roles(user)
    if access.is_admin(user):
        roles.add(Role.ADMIN)
    steps, seen = [], set()
    for role in Role.values:  # Role's declaration order is the order of importance
        if role not in roles:
            continue
        for step in steps_for_role(role):
            if step.key in seen:
                continue
            seen.add(step.key)
            url = reverse(step.url_name)
            steps.append({"step": step, "url": f"{url}?{step.query}" if step.query else url})
    return steps


@login_required
def home(request):
    return render(request, "organization/home.html", {"next_steps": next_steps(request.user)})


@login_required
@require_POST
def switch_membership(request):
    """Act under another of one's own active memberships (the unit switcher in the user menu)."""
    wanted = request.POST.get("membership_id", "")
    membership = next((m for m in access.memberships(request.user) if str(m.pk) == wanted), None)
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.pk
    messages.success(request, _("You are now working as: %(label)s.") % {"label": membership.label})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return redirect(target)
