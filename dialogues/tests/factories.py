"""Factories for dialogues, petitions and conclusion notices.

They create records **through the services** (``dialogue_create``, ``petition_create``,
``petition_transition``, ``conclusion_notice_issue``), never by setting fields, so every record a
test sees went through the same validation, event log and numbering as one made on a page. The
acting user is ``by=`` when given, else a superuser ("factory-admin") who may do everything.

    dialogue = DialogueFactory(unit=tree.commune_a, by=commune_a_officer)
    petition = PetitionFactory(unit=tree.commune_a, status="answered", agency=tree.agency)
    move_to(petition, "resolved", by=district_staff)
"""

from __future__ import annotations

from datetime import date, timedelta

import factory

from dialogues import services
from dialogues.models import (
    ConclusionNotice,
    Dialogue,
    DialogueKind,
    DialogueLevel,
    HostBody,
    Petition,
    PetitionField,
    PetitionSource,
    PetitionType,
    ResponseStatus,
)
from dialogues.services import DialogueInput, DirectiveInput, PetitionInput
from dialogues.workflow import Action, PetitionStatus
from organization.models import Unit, UnitKind, User
from organization.tests.factories import TermFactory, UnitFactory, UserFactory

S = PetitionStatus

#: The moves that take a fresh petition ("received") to each status, in order.
PATHS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (),
    S.ASSIGNED: (Action.ASSIGN,),
    S.IN_PROGRESS: (Action.ASSIGN, Action.START),
    S.ANSWERED: (Action.ASSIGN, Action.START, Action.ANSWER),
    S.RESOLVED: (Action.ASSIGN, Action.START, Action.ANSWER, Action.RESOLVE),
    S.TRANSFERRED: (Action.ASSIGN, Action.TRANSFER),
    # Created directly in these states by petition_create (on-spot answer, legal track).
    S.ANSWERED_ON_SPOT: (),
    S.ROUTED_OUT: (),
}


def system_user() -> User:
    """A superuser for arranging data when the test is not about who does it."""
    return UserFactory(username="factory-admin", is_superuser=True, is_staff=True)


def agency_unit(**kwargs) -> Unit:
    return UnitFactory(kind=UnitKind.DEPARTMENT, name=kwargs.pop("name", "Phòng Nông nghiệp"), **kwargs)


def petition_input(**overrides) -> PetitionInput:
    values = {
        "type": PetitionType.REQUEST,
        "field": PetitionField.TRANSPORT,
        "content": "Đề nghị sửa chữa tuyến đường liên thôn bị sạt lở.",
    }
    values.update(overrides)
    return PetitionInput(**values)


class DialogueFactory(factory.Factory):
    """A held commune dialogue of ``unit`` (required: a commune valid on ``date``).

    Extra keywords: ``by`` (acting user), ``petitions`` (a list of ``PetitionInput``),
    ``minutes_text``, ``attachments`` (uploaded files)."""

    class Meta:
        model = Dialogue

    level = DialogueLevel.COMMUNE
    host_body = HostBody.COMMUNE_PEOPLES_COMMITTEE
    kind = DialogueKind.PERIODIC
    topic = factory.Sequence(lambda n: f"Đối thoại định kỳ số {n} về đường giao thông nông thôn")
    date = date(2023, 5, 10)
    commune = factory.SelfAttribute("unit")
    participant_count = 60

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Dialogue:
        user = kwargs.pop("by", None) or system_user()
        petitions = kwargs.pop("petitions", ())
        minutes_text = kwargs.pop("minutes_text", "")
        attachments = kwargs.pop("attachments", ())
        return services.dialogue_create(
            user=user,
            data=DialogueInput(values=kwargs, minutes_text=minutes_text),
            petitions=list(petitions),
            attachments=list(attachments),
        )


class PetitionFactory(factory.Factory):
    """A petition of ``unit`` (required), received at citizen reception unless ``dialogue`` is
    given, then moved to ``status`` through the workflow (see ``move_to``).

    Extra keywords: ``by``, ``status``, ``agency``, ``deadline``, ``answered_on``."""

    class Meta:
        model = Petition

    type = PetitionType.REQUEST
    field = PetitionField.TRANSPORT
    content = factory.Sequence(lambda n: f"Kiến nghị số {n}: đề nghị làm đường bê tông vào thôn.")
    received_on = date(2023, 5, 10)
    dialogue = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Petition:
        user = kwargs.pop("by", None) or system_user()
        status = kwargs.pop("status", S.RECEIVED)
        agency = kwargs.pop("agency", None)
        deadline = kwargs.pop("deadline", None)
        answered_on = kwargs.pop("answered_on", None)
        unit = kwargs.pop("unit")
        dialogue = kwargs.pop("dialogue")
        received_on = dialogue.date if dialogue is not None else kwargs.pop("received_on")
        kwargs.pop("received_on", None)
        if status == S.ANSWERED_ON_SPOT:
            kwargs.update(answered_on_spot=True, on_spot_answer=kwargs.get("on_spot_answer") or "Đã giải thích.")
        if status == S.ROUTED_OUT:
            kwargs.setdefault("legal_track", "complaint")
        petition = services.petition_create(
            user=user,
            unit=unit,
            source=kwargs.pop("source", PetitionSource.DIALOGUE if dialogue else PetitionSource.CITIZEN_RECEPTION),
            received_on=received_on,
            data=PetitionInput(**kwargs),
            dialogue=dialogue,
        )
        return move_to(petition, status, by=user, agency=agency, deadline=deadline, answered_on=answered_on)


def move_to(
    petition: Petition,
    status: str,
    *,
    by: User | None = None,
    agency: Unit | None = None,
    deadline: date | None = None,
    answered_on: date | None = None,
) -> Petition:
    """Take a freshly received petition to ``status`` by the workflow's own moves.

    ``agency`` defaults to a new department, ``deadline`` to 30 days after receipt and
    ``answered_on`` to the deadline (an on-time answer)."""
    user = by or system_user()
    for action in PATHS[status]:
        petition = take(petition, action, by=user, agency=agency, deadline=deadline, answered_on=answered_on)
        agency, deadline = petition.assigned_agency, petition.deadline
    return petition


def take(
    petition: Petition,
    action: str,
    *,
    by: User | None = None,
    agency: Unit | None = None,
    deadline: date | None = None,
    answered_on: date | None = None,
    comment: str = "",
) -> Petition:
    """One move with sensible arguments for it: an agency and deadline to assign, a draft to
    publish, a reason to reopen or transfer."""
    user = by or system_user()
    extra: dict = {}
    if action in {Action.ASSIGN, Action.REASSIGN}:
        extra["agency"] = agency or agency_unit()
        extra["deadline"] = deadline or petition.received_on + timedelta(days=30)
    if action == Action.ANSWER and not petition.responses.filter(status=ResponseStatus.DRAFT).exists():
        services.response_save_draft(
            user=user,
            petition=petition,
            text="Phòng đã kiểm tra thực địa và bố trí kinh phí sửa chữa trong quý tới.",
            answered_on=answered_on or petition.deadline,
        )
    if action in {Action.REOPEN, Action.TRANSFER} and not comment:
        comment = "Câu trả lời chưa đầy đủ." if action == Action.REOPEN else "Chuyển UBND tỉnh giải quyết."
    return services.petition_transition(user=user, petition=petition, action=action, comment=comment, **extra)


def committee_with_term(symbol: str = "HU") -> Unit:
    """A Party committee that can number notices (a document symbol and a 2020–2025 term)."""
    committee = UnitFactory(kind=UnitKind.PARTY_COMMITTEE, name="Huyện ủy", doc_symbol=symbol)
    TermFactory(unit=committee, name="khóa XXII", start_date=date(2020, 8, 1), end_date=date(2025, 6, 30))
    return committee


class ConclusionNoticeFactory(factory.Factory):
    """A numbered conclusion notice for ``dialogue`` (required) issued by ``issuer`` (default: a
    new committee with a term). ``directives`` is a list of ``DirectiveInput``; by default one
    assigning every petition of the dialogue that is still "received" to ``agency``."""

    class Meta:
        model = ConclusionNotice

    summary = "Thường trực Huyện ủy kết luận và giao các cơ quan trả lời kiến nghị của Nhân dân."

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> ConclusionNotice:
        user = kwargs.pop("by", None) or system_user()
        dialogue = kwargs.pop("dialogue")
        issuer = kwargs.pop("issuer", None) or committee_with_term()
        day = kwargs.pop("day", None) or dialogue.date + timedelta(days=7)
        directives = kwargs.pop("directives", None)
        if directives is None:
            agency = kwargs.pop("agency", None) or agency_unit()
            pending = list(dialogue.petitions.filter(status=S.RECEIVED))
            directives = [
                DirectiveInput(
                    agency=agency,
                    content="Kiểm tra, trả lời các kiến nghị về đất đai.",
                    deadline=kwargs.pop("deadline", None) or day + timedelta(days=30),
                    petitions=pending,
                )
            ]
        return services.conclusion_notice_issue(
            user=user, dialogue=dialogue, issuer=issuer, day=day, summary=kwargs.pop("summary"), directives=directives
        )
