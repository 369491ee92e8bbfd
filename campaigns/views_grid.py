"""The scoring grid, the scorecard page (evidence, verification, return) and the ranking of a
round, under /campaigns/ (namespace ``campaigns``).

- ``grid``: one screen where a commune officer scores every unit of one target type in their
  commune across all criteria of the round's set, saves a draft and submits. District staff
  choose the commune. Rows and cells come from a fixed number of queries however many units.
- ``scorecard_detail``: one unit's card with its evidence; the commune edits notes and photos,
  district staff verify or return it. Photos are streamed by ``scorecard_photo`` to users who
  may see the card, never from a public media URL.
- ``ranking``: the ranked units of a closed round, per target type, for anyone who can see the
  movement (results are announced at the monthly conference), with xlsx/csv export.

Scope first: a round outside ``selectors.rounds_visible_to`` and a scorecard outside
``Scorecard.objects.visible_to`` answer 404; inside but read-only, a POST answers 403. Writes go
through ``campaigns.services`` only; their errors are shown and nothing is saved.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from organization import access, audit
from organization.exports import FORMATS, ExportColumn, ExportMixin, choice, export_response
from organization.exports import field as value_of
from organization.models import COMMUNE_KINDS, Unit

from . import permissions, selectors, services
from .forms_grid import (
    SUBMIT,
    EvidenceForm,
    GridForm,
    ReturnForm,
    SubmitForm,
    VerifyForm,
    grid_communes,
    posted_unit_ids,
    score_name,
    score_text,
    version_name,
)
from .models import (
    ZERO,
    Award,
    Criterion,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoreEntry,
    ScoringRound,
    TargetType,
)

#: Bootstrap badge classes per scorecard status; "new" is a unit without a scorecard yet.
STATUS_BADGES = {
    "new": "text-bg-light border",
    ScorecardStatus.DRAFT: "text-bg-secondary",
    ScorecardStatus.SUBMITTED: "text-bg-primary",
    ScorecardStatus.VERIFIED: "text-bg-success",
}
#: The ``commune`` value choosing the movement's area itself: its units outside the communes.
AREA = "area"
ROUND_BADGES = {
    RoundStatus.DRAFT: "text-bg-secondary",
    RoundStatus.OPEN: "text-bg-primary",
    RoundStatus.CLOSED: "text-bg-dark",
}


# --- Helpers -------------------------------------------------------------------------------------


def get_round(user, pk) -> ScoringRound:
    round_ = selectors.rounds_visible_to(user).select_related("movement__unit").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    return round_


def round_label(round_: ScoringRound) -> str:
    return _("Round %(month)s") % {"month": f"{round_.month:%m/%Y}"}


def round_crumbs(round_: ScoringRound, *tail: tuple) -> list[tuple]:
    """Movements › the movement › the round › ``tail``."""
    movement = round_.movement
    return [
        (_("Movements"), reverse("campaigns:movement_list")),
        (movement.name, reverse("campaigns:movement_detail", args=[movement.pk])),
        (round_label(round_), reverse("campaigns:round_detail", args=[round_.pk])),
        *tail,
    ]


def error_lines(error: ValidationError) -> list[str]:
    """A service's error as lines to show: keys that name a unit or a criterion lead the line
    ("Bản Vành – TC2: at most 30 points."); generic keys do not."""
    if not hasattr(error, "error_dict"):
        return [str(message) for message in error.messages]
    lines = []
    for key, errors in error.error_dict.items():
        for item in errors:
            for message in item.messages:
                generic = key in (NON_FIELD_ERRORS, "unit", "note", "status")
                lines.append(str(message) if generic else f"{key}: {message}")
    return lines


def closed_reason(round_: ScoringRound) -> str:
    if round_.status == RoundStatus.DRAFT:
        return _("The round has not been opened yet; scores can be entered once the district opens it.")
    if round_.status == RoundStatus.CLOSED:
        return _("The round is closed; its scores can no longer change.")
    return ""


def trimmed(value: Decimal) -> Decimal:
    """12.50 → 12.5 and 40.00 → 40, as the grid's script writes totals while the officer types."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _shown(value: Decimal | None) -> Decimal | None:
    return None if value is None else trimmed(value)


def percent_of(total: Decimal, maximum: Decimal) -> Decimal | None:
    if not maximum:
        return None
    return trimmed((total * 100 / maximum).quantize(Decimal("0.01")))


# --- The grid ------------------------------------------------------------------------------------


@dataclass
class GridCell:
    criterion: Criterion
    name: str
    text: str
    errors: list[str] = field(default_factory=list)


@dataclass
class GridRow:
    unit: Unit
    card: Scorecard | None
    editable: bool
    cells: list[GridCell]
    total: Decimal
    percent: Decimal | None
    missing: list[str]
    posted_version: str | None = None

    @property
    def status(self) -> str:
        return self.card.status if self.card else "new"

    @property
    def status_label(self) -> str:
        if self.card is None:
            return _("Not started")
        return self.card.get_status_display()

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "")

    @property
    def version(self) -> int | str:
        # After a failed save the page keeps the version the officer started from, so saving
        # again still detects a colleague's save in between instead of overwriting it.
        if self.posted_version is not None:
            return self.posted_version
        return self.card.version if self.card else 0

    @property
    def version_name(self) -> str:
        return version_name(self.unit.pk)


def group_bands(criteria: list[Criterion]) -> list[tuple[str, int]]:
    """Consecutive criteria of one group become one header cell spanning them."""
    bands: list[tuple[str, int]] = []
    for criterion in criteria:
        if bands and bands[-1][0] == criterion.group:
            bands[-1] = (criterion.group, bands[-1][1] + 1)
        else:
            bands.append((criterion.group, 1))
    return bands


class Grid:
    """Everything the grid page shows for one round, target type and commune.

    Besides the communes, staff over a district-wide movement get the district itself
    (``?commune=area``): its units outside any commune, such as the district's departments,
    which are offices scored like the communes' ones."""

    def __init__(self, request, round_: ScoringRound):
        self.request, self.user, self.round = request, request.user, round_
        movement = round_.movement
        self.communes = list(grid_communes(self.user, round_))
        area = movement.unit
        self.area = area if area.kind not in COMMUNE_KINDS and access.can_view_unit(self.user, area) else None
        wanted_type = request.GET.get("type", "")
        self.types = [(t, TargetType(t).label) for t in movement.target_types if t in TargetType.values]
        self.target_type = wanted_type if wanted_type in dict(self.types) else (self.types[0][0] if self.types else "")
        self.scope = self._chosen_scope(request.GET.get("commune", ""))
        self.is_area = self.scope is not None and self.scope == self.area
        self.commune = None if self.is_area else self.scope
        self.criteria_set = (
            selectors.criteria_set_for(movement, self.target_type, round_.year) if self.target_type else None
        )
        self.criteria = list(self.criteria_set.criteria.all()) if self.criteria_set else []
        self.weighted_max = self.criteria_set.weighted_max() if self.criteria_set else ZERO
        self.units = self._units() if self.scope and self.criteria else []
        cards = Scorecard.objects.filter(round=round_, unit_id__in=[u.pk for u in self.units]).prefetch_related(
            "entries"
        )
        self.cards = {card.unit_id: card for card in cards} if self.units else {}
        self.may_score = self.scope is not None and permissions.can_self_assess(self.user, self.scope)

    def _chosen_scope(self, wanted: str) -> Unit | None:
        if not wanted:
            return self.communes[0] if self.communes else self.area
        if wanted == AREA and self.area is not None:
            return self.area
        for commune in self.communes:
            if str(commune.pk) == wanted:
                return commune
        raise Http404  # a commune outside the user's scope (or not a commune of this movement)

    def _units(self) -> list[Unit]:
        units = selectors.eligible_units(self.round, target_type=self.target_type, within=self.scope)
        if self.is_area:
            inside = Unit.objects.filter(kind__in=COMMUNE_KINDS, path__startswith=self.scope.path)
            for path in inside.values_list("path", flat=True):
                units = units.exclude(path__startswith=path)
        return list(units)

    @property
    def scope_label(self) -> str:
        if self.is_area:
            return _("%(area)s, outside the communes") % {"area": self.scope.name}
        return self.scope.name if self.scope else ""

    @property
    def is_open(self) -> bool:
        return self.round.status == RoundStatus.OPEN

    @property
    def editable(self) -> bool:
        return self.may_score and self.is_open and bool(self.criteria)

    def read_only_reason(self) -> str:
        if not self.is_open:
            return closed_reason(self.round)
        if self.scope and not self.may_score:
            return _("You can read this grid; the commune's officers and the district's staff enter the scores.")
        return ""

    def query(self) -> str:
        scope = AREA if self.is_area else (self.scope.pk if self.scope else "")
        return urlencode({"type": self.target_type, "commune": scope})

    def formable_units(self) -> list[Unit]:
        """Rows whose scores a POST may change: every rendered row that is not verified."""
        return [
            unit
            for unit in self.units
            if not (self.cards.get(unit.pk) and self.cards[unit.pk].status == ScorecardStatus.VERIFIED)
        ]

    def rows(self, form: GridForm | None = None) -> list[GridRow]:
        posted = form is not None and form.is_bound
        cleaned = getattr(form, "cleaned_data", {}) if posted else {}
        rows = []
        for unit in self.units:
            card = self.cards.get(unit.pk)
            entries = {entry.criterion_id: entry for entry in card.entries.all()} if card else {}
            editable = self.editable and not (card and card.status == ScorecardStatus.VERIFIED)
            cells, total, missing = [], ZERO, []
            for criterion in self.criteria:
                name = score_name(unit.pk, criterion.pk)
                entry = entries.get(criterion.pk)
                stored = entry.self_score if entry else None
                if posted and editable:
                    errors = [str(e) for e in form.errors.get(name, [])]
                    text = form.data.get(name, "")
                    value = None if errors else cleaned.get(name)
                else:
                    errors, text, value = [], score_text(stored), stored
                if value is None:
                    missing.append(criterion.code)
                else:
                    total += value * criterion.weight
                cells.append(GridCell(criterion, name, text, errors))
            rows.append(
                GridRow(
                    unit=unit,
                    card=card,
                    editable=editable,
                    cells=cells,
                    total=trimmed(total),
                    percent=percent_of(total, self.weighted_max),
                    missing=missing if card is None or card.status != ScorecardStatus.VERIFIED else [],
                    posted_version=form.data.get(version_name(unit.pk)) if posted and editable else None,
                )
            )
        return rows

    def context(self, form: GridForm | None = None, **extra) -> dict:
        rows = self.rows(form)
        return {
            "round": self.round,
            "movement": self.round.movement,
            "round_badge": ROUND_BADGES.get(self.round.status, ""),
            "types": self.types,
            "target_type": self.target_type,
            "target_type_label": dict(self.types).get(self.target_type, ""),
            "communes": self.communes,
            "commune": self.commune,
            "area": self.area,
            "is_area": self.is_area,
            "scope_label": self.scope_label,
            "criteria_set": self.criteria_set,
            "criteria": self.criteria,
            "bands": group_bands(self.criteria) if any(c.group for c in self.criteria) else [],
            "weighted_max": self.weighted_max,
            "rows": rows,
            "editable": self.editable,
            "any_editable": any(row.editable for row in rows),
            "missing_rows": [row for row in rows if row.editable and row.missing],
            "read_only_reason": self.read_only_reason(),
            "query": self.query(),
            "breadcrumbs": round_crumbs(self.round, (_("Scoring grid"), None)),
            **extra,
        }


class GridView(LoginRequiredMixin, View):
    template_name = "campaigns/grid/grid.html"

    def get(self, request, pk):
        grid = Grid(request, get_round(request.user, pk))
        return render(request, self.template_name, grid.context())

    def post(self, request, pk):
        grid = Grid(request, get_round(request.user, pk))
        if not grid.may_score:
            raise PermissionDenied
        rendered = {unit.pk for unit in grid.units}
        extra_ids = posted_unit_ids(request.POST) - rendered
        extra = list(Unit.objects.filter(pk__in=extra_ids).order_by("path")) if extra_ids else []
        form = GridForm(request.POST, units=[*grid.formable_units(), *extra], criteria=grid.criteria)
        submit = request.POST.get("action") == SUBMIT
        if not form.is_valid():
            return self.failed(grid, form, form.problems())
        rows, refused = self.rows_to_save(grid, form, [u.pk for u in extra], submit)
        if refused:
            return self.failed(grid, form, refused)
        if not rows:
            messages.info(request, _("Nothing to save: type at least one score."))
            return redirect(f"{request.path}?{grid.query()}")
        versions = {unit_id: version for unit_id, version in form.versions().items() if unit_id in rows}
        try:
            result = services.grid_save(
                user=request.user, round_=grid.round, rows=rows, versions=versions, submit=submit
            )
        except services.StaleVersion as error:
            return self.failed(grid, form, error_lines(error), stale=True)
        except ValidationError as error:
            return self.failed(grid, form, error_lines(error))
        count = len(result.saved)
        if submit:
            text = ngettext(
                "Submitted %(count)s scorecard to the district for verification.",
                "Submitted %(count)s scorecards to the district for verification.",
                count,
            )
        else:
            text = ngettext(
                "Saved the scores of %(count)s unit as a draft.",
                "Saved the scores of %(count)s units as a draft.",
                count,
            )
        messages.success(request, text % {"count": count})
        return redirect(f"{request.path}?{grid.query()}")

    def rows_to_save(self, grid: Grid, form: GridForm, extra_ids: list[int], submit: bool):
        """The rows to hand to the service, and lines refusing the save.

        A new row left empty is not sent on "Save draft" (no empty scorecards); on "Submit" every
        row is sent so the service lists all that is missing. A submitted row is sent only when
        its scores changed, and only with "Submit" (a draft save would silently skip it)."""
        rows = form.rows([u.pk for u in grid.formable_units()] + extra_ids)
        wanted, refused = {}, []
        for unit_id, scores in rows.items():
            card = grid.cards.get(unit_id)
            if card is None:
                if submit or any(value is not None for value in scores.values()) or unit_id in extra_ids:
                    wanted[unit_id] = scores
                continue
            if card.status == ScorecardStatus.SUBMITTED:
                stored = {e.criterion_id: e.self_score for e in card.entries.all()}
                if all(stored.get(cid) == value for cid, value in scores.items()):
                    continue
                if not submit:
                    refused.append(
                        _(
                            "%(unit)s was already submitted: press “Submit” to send its changed scores. "
                            "Nothing was saved."
                        )
                        % {"unit": card.unit.name}
                    )
                    continue
            wanted[unit_id] = scores
        return wanted, refused

    def failed(self, grid: Grid, form: GridForm, problems: list[str], stale: bool = False):
        context = grid.context(form, problems=problems, stale=stale)
        return render(self.request, self.template_name, context)


# --- The scorecard -------------------------------------------------------------------------------


def get_scorecard(user, pk) -> Scorecard:
    card = (
        selectors.scorecards_with_entries(Scorecard.objects.visible_to(user))
        .select_related("round__movement__unit", "submitted_by", "verified_by")
        .filter(pk=pk)
        .first()
    )
    if card is None:
        raise Http404
    return card


def _may_edit_evidence(user, card: Scorecard) -> bool:
    return (
        card.round.status == RoundStatus.OPEN
        and card.status != ScorecardStatus.VERIFIED
        and permissions.can_self_assess(user, card.unit)
    )


def _may_verify(user, card: Scorecard) -> bool:
    return (
        card.round.status == RoundStatus.OPEN
        and card.status != ScorecardStatus.DRAFT
        and permissions.can_verify(user, card.unit)
    )


def _scorecard_context(request, card: Scorecard, **forms) -> dict:
    user = request.user
    criteria = list(card.criteria_set.criteria.all())
    entries = {entry.criterion_id: entry for entry in card.entries.all()}
    may_edit = _may_edit_evidence(user, card)
    may_verify = _may_verify(user, card)
    may_submit = (
        card.round.status == RoundStatus.OPEN
        and card.status == ScorecardStatus.DRAFT
        and permissions.can_self_assess(user, card.unit)
    )
    evidence_form = forms.get("evidence_form")
    if evidence_form is None and may_edit:
        evidence_form = EvidenceForm(criteria=criteria, entries=entries, initial={"version": card.version})
    verify_form = forms.get("verify_form")
    if verify_form is None and may_verify:
        verify_form = VerifyForm(
            criteria=criteria, entries=entries, initial={"version": card.version, "note": card.verification_note}
        )
    rows = [
        {
            "criterion": criterion,
            "entry": entries.get(criterion.pk),
            "self": _shown(entries[criterion.pk].self_score) if criterion.pk in entries else None,
            "verified": _shown(entries[criterion.pk].verified_score) if criterion.pk in entries else None,
            "photo_url": (
                reverse("campaigns:scorecard_photo", args=[entries[criterion.pk].pk])
                if criterion.pk in entries and entries[criterion.pk].evidence_photo
                else ""
            ),
        }
        for criterion in criteria
    ]
    grid_query = urlencode({"type": card.target_type, "commune": card.commune_id or AREA})
    return {
        "card": card,
        "totals": {
            "self": trimmed(card.self_total),
            "verified": _shown(card.verified_total),
            "max": trimmed(card.max_total),
            "percent": trimmed(card.percent),
        },
        "round": card.round,
        "movement": card.round.movement,
        "status_badge": STATUS_BADGES.get(card.status, ""),
        "rows": rows,
        "missing": services.missing_scores(card) if card.status == ScorecardStatus.DRAFT else [],
        "evidence_form": evidence_form,
        "verify_form": verify_form,
        "return_form": forms.get("return_form") or (ReturnForm() if may_verify else None),
        "submit_form": SubmitForm(initial={"version": card.version}) if may_submit else None,
        "problems": forms.get("problems", []),
        "stale": forms.get("stale", False),
        "read_only_reason": closed_reason(card.round),
        "grid_url": f"{reverse('campaigns:grid', args=[card.round_id])}?{grid_query}",
        "history": audit.history_rows(card),
        "breadcrumbs": round_crumbs(card.round, (card.unit.name, None)),
    }


class ScorecardDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        card = get_scorecard(request.user, pk)
        return render(request, "campaigns/grid/scorecard_detail.html", _scorecard_context(request, card))


def _render_card(request, card: Scorecard, **forms):
    context = _scorecard_context(request, card, **forms)
    return render(request, "campaigns/grid/scorecard_detail.html", context)


def _files_dropped(request) -> list[str]:
    """Browsers do not resend chosen files after an error; say so instead of losing them silently."""
    return [_("The photos you chose were not saved. Choose them again before saving.")] if request.FILES else []


@login_required
@require_POST
def scorecard_evidence(request, pk):
    card = get_scorecard(request.user, pk)
    if not permissions.can_self_assess(request.user, card.unit):
        raise PermissionDenied
    criteria = list(card.criteria_set.criteria.all())
    entries = {entry.criterion_id: entry for entry in card.entries.all()}
    form = EvidenceForm(
        request.POST,
        request.FILES,
        criteria=criteria,
        entries=entries,
        require_scores=card.status == ScorecardStatus.SUBMITTED,
    )
    if form.is_valid():
        try:
            services.scorecard_update(
                user=request.user,
                scorecard=card,
                entries=form.entries(),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersion as error:
            return _render_card(request, card, evidence_form=form, problems=error_lines(error), stale=True)
        except ValidationError as error:
            return _render_card(
                request, card, evidence_form=form, problems=error_lines(error) + _files_dropped(request)
            )
        messages.success(request, _("Saved the scores and evidence of %(unit)s.") % {"unit": card.unit.name})
        return redirect("campaigns:scorecard_detail", pk=card.pk)
    return _render_card(request, card, evidence_form=form, problems=_files_dropped(request))


@login_required
@require_POST
def scorecard_submit(request, pk):
    card = get_scorecard(request.user, pk)
    if not permissions.can_self_assess(request.user, card.unit):
        raise PermissionDenied
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        services.scorecard_submit(user=request.user, scorecard=card, expected_version=form.cleaned_data.get("version"))
    except services.StaleVersion as error:
        return _render_card(request, card, problems=error_lines(error), stale=True)
    except ValidationError as error:
        return _render_card(request, card, problems=error_lines(error))
    messages.success(request, _("Submitted the scorecard of %(unit)s for verification.") % {"unit": card.unit.name})
    return redirect("campaigns:scorecard_detail", pk=card.pk)


@login_required
@require_POST
def scorecard_verify(request, pk):
    card = get_scorecard(request.user, pk)
    if not permissions.can_verify(request.user, card.unit):
        raise PermissionDenied
    criteria = list(card.criteria_set.criteria.all())
    entries = {entry.criterion_id: entry for entry in card.entries.all()}
    form = VerifyForm(request.POST, criteria=criteria, entries=entries)
    if form.is_valid():
        try:
            services.scorecard_verify(
                user=request.user,
                scorecard=card,
                verified=form.verified(),
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersion as error:
            return _render_card(request, card, verify_form=form, problems=error_lines(error), stale=True)
        except ValidationError as error:
            return _render_card(request, card, verify_form=form, problems=error_lines(error))
        messages.success(request, _("Verified the scorecard of %(unit)s.") % {"unit": card.unit.name})
        return redirect("campaigns:scorecard_detail", pk=card.pk)
    return _render_card(request, card, verify_form=form)


@login_required
@require_POST
def scorecard_return(request, pk):
    card = get_scorecard(request.user, pk)
    if not permissions.can_verify(request.user, card.unit):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.scorecard_return(user=request.user, scorecard=card, note=form.cleaned_data["note"])
        except ValidationError as error:
            return _render_card(request, card, return_form=form, problems=error_lines(error))
        messages.success(
            request, _("Returned the scorecard of %(unit)s to the commune as a draft.") % {"unit": card.unit.name}
        )
        return redirect("campaigns:scorecard_detail", pk=card.pk)
    return _render_card(request, card, return_form=form)


@login_required
@require_GET
def scorecard_photo(request, pk):
    """Stream an evidence photo to a user who may see its scorecard; uploads are never served
    statically (MEDIA_URL is not routed)."""
    entry = ScoreEntry.objects.filter(pk=pk, scorecard__in=Scorecard.objects.visible_to(request.user)).first()
    photo = entry.evidence_photo if entry else None
    if not photo or not photo.storage.exists(photo.name):
        raise Http404
    name = os.path.basename(photo.name)
    content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(photo.open("rb"), content_type=content_type, filename=name)
    response["Cache-Control"] = "private, max-age=0"
    return response


# --- The ranking ---------------------------------------------------------------------------------


def ranking_columns() -> list[str]:
    return [
        _("Type"),
        _("Rank in type"),
        _("Unit"),
        _("Commune"),
        _("Rank in commune"),
        _("Total (verified)"),
        _("Maximum"),
        _("Percent"),
        _("Selected"),
        _("Rank overall"),
    ]


class RankingView(LoginRequiredMixin, View):
    template_name = "campaigns/grid/ranking.html"

    def get(self, request, pk):
        round_ = get_round(request.user, pk)
        context = {
            "round": round_,
            "movement": round_.movement,
            "round_badge": ROUND_BADGES.get(round_.status, ""),
            "breadcrumbs": round_crumbs(round_, (_("Ranking"), None)),
        }
        if round_.status != RoundStatus.CLOSED:
            return render(request, self.template_name, context)
        order = {target: index for index, target in enumerate(round_.movement.target_types)}
        # The movement's order of types (villages first, as announced), ranks within each.
        cards = sorted(selectors.ranking(round_), key=lambda card: order.get(card.target_type, len(order)))
        communes = sorted({card.commune for card in cards if card.commune}, key=lambda unit: (unit.name, unit.pk))
        commune = next((c for c in communes if str(c.pk) == request.GET.get("commune", "")), None)
        if commune is not None:
            cards = [card for card in cards if card.commune_id == commune.pk]
        fmt = request.GET.get("export", "")
        if fmt in FORMATS:
            return self.export(round_, cards, fmt)
        labels = dict(TargetType.choices)
        for card in cards:
            card.shown_total, card.shown_max = trimmed(card.final_total), trimmed(card.max_total)
            card.shown_percent = trimmed(card.percent)
        groups = []
        for target in round_.movement.target_types:
            members = [card for card in cards if card.target_type == target]
            if not members:
                continue
            ranks = [card.rank_in_type for card in members]
            groups.append(
                {
                    "type": target,
                    "label": labels.get(target, target),
                    "cards": members,
                    "ties": len(ranks) != len(set(ranks)),
                }
            )
        user = request.user
        context.update(
            groups=groups,
            communes=communes,
            commune=commune,
            any_ties=any(group["ties"] for group in groups),
            awarded=set(
                Award.objects.visible_to(user).filter(round=round_).values_list("recipient_unit_id", flat=True)
            ),
            visible_cards=set(Scorecard.objects.visible_to(user).filter(round=round_).values_list("pk", flat=True)),
            may_award=permissions.can_manage_movement(user, round_.movement),
            award_url=reverse("campaigns:award_create"),
        )
        return render(request, self.template_name, context)

    def export(self, round_: ScoringRound, cards: list[Scorecard], fmt: str):
        labels = dict(TargetType.choices)
        rows = (
            [
                str(labels.get(card.target_type, card.target_type)),
                card.rank_in_type,
                card.unit.name,
                card.commune.name if card.commune else "",
                card.rank_in_commune,
                card.final_total,
                card.max_total,
                card.percent,
                card.selected,
                card.rank_overall,
            ]
            for card in cards
        )
        stamp = timezone.localdate().strftime("%Y-%m-%d")
        filename = f"xep-hang-{round_.movement_id}-{round_.month:%Y-%m}-{stamp}"
        return export_response(rows, ranking_columns(), filename, fmt)


# --- The round's scores, exported for the "scorecards" import --------------------------------


class _RoundPage(View):
    def get(self, request, pk):
        return redirect("campaigns:round_detail", pk=pk)


class ScoresExportView(LoginRequiredMixin, ExportMixin, _RoundPage):
    """``?export=xlsx|csv``: the scorecards of a round the user may see, one row per unit and
    criterion, with the sheet and headers of the "scorecards" import template
    (imports/kinds/scorecards.py), so the file can be imported again into another round or
    database. Verified scores, statuses and criterion texts are informational columns. Without
    ``export`` the address leads to the round's page."""

    export_filename = "cham-diem"
    export_sheet_title = "Chấm điểm"
    export_fields = (
        "scorecard__round__movement__name",
        "scorecard__round__month",
        "scorecard__commune__name",
        "scorecard__unit__name",
        "scorecard__target_type",
        "scorecard__status",
        "criterion__code",
        "criterion__text",
        "criterion__max_points",
        "self_score",
        "verified_score",
        "evidence_note",
    )

    def get_round(self) -> ScoringRound:
        if not hasattr(self, "round_obj"):
            self.round_obj = get_round(self.request.user, self.kwargs["pk"])
        return self.round_obj

    def get_queryset(self):
        cards = Scorecard.objects.visible_to(self.request.user).filter(round=self.get_round())
        return ScoreEntry.objects.filter(scorecard__in=cards).order_by(
            "scorecard__target_type", "scorecard__unit__path", "criterion__order", "criterion_id"
        )

    def export_stem(self) -> str:
        round_ = self.get_round()
        return f"{self.export_filename}-{round_.movement_id}-{round_.month:%Y-%m}-{timezone.localdate():%Y-%m-%d}"

    def get_export_columns(self) -> list[ExportColumn]:
        sent = {ScorecardStatus.SUBMITTED, ScorecardStatus.VERIFIED}
        return [
            ExportColumn("Phong trào", value_of("scorecard__round__movement__name")),
            ExportColumn("Tháng", lambda row: f"{row['scorecard__round__month']:%m/%Y}"),
            ExportColumn("Xã, phường", value_of("scorecard__commune__name")),
            ExportColumn("Đơn vị", value_of("scorecard__unit__name")),
            ExportColumn("Loại đơn vị", choice("scorecard__target_type", TargetType.choices)),
            ExportColumn("Mã tiêu chí", value_of("criterion__code")),
            ExportColumn("Tiêu chí", value_of("criterion__text")),
            ExportColumn("Điểm tối đa", value_of("criterion__max_points")),
            ExportColumn("Điểm tự chấm", value_of("self_score")),
            ExportColumn("Ghi chú minh chứng", value_of("evidence_note")),
            ExportColumn("Gửi", lambda row: row["scorecard__status"] in sent),
            ExportColumn("Điểm thẩm định", value_of("verified_score")),
            ExportColumn("Trạng thái", choice("scorecard__status", ScorecardStatus.choices)),
        ]

    def get(self, request, *args, **kwargs):
        self.get_round()  # 404 outside the user's rounds, export or not
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("rounds/<int:pk>/grid/", GridView.as_view(), name="grid"),
    path("rounds/<int:pk>/scores/", ScoresExportView.as_view(), name="round_scores_export"),
    path("rounds/<int:pk>/ranking/", RankingView.as_view(), name="ranking"),
    path("scorecards/<int:pk>/", ScorecardDetailView.as_view(), name="scorecard_detail"),
    path("scorecards/<int:pk>/evidence/", scorecard_evidence, name="scorecard_evidence"),
    path("scorecards/<int:pk>/submit/", scorecard_submit, name="scorecard_submit"),
    path("scorecards/<int:pk>/verify/", scorecard_verify, name="scorecard_verify"),
    path("scorecards/<int:pk>/return/", scorecard_return, name="scorecard_return"),
    path("score-entries/<int:pk>/photo/", scorecard_photo, name="scorecard_photo"),
]
