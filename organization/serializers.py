"""API representations of organization data.

Read serializers never trigger queries of their own: the viewsets prefetch what they need, so a
page of units costs the same number of queries whatever its size.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import access
from .api_base import unit_field
from .models import Document, DocumentKind, Membership, Person, PersonKind, Term, Unit, UnitKind, UnitSuccession, User


class UnitBriefSerializer(serializers.ModelSerializer):
    """A unit named inside another object (a membership, a document)."""

    class Meta:
        model = Unit
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    successors = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text=_("Units this one continues as (after a merger), among those visible to you."),
    )
    predecessors = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text=_("Units that continue as this one, among those visible to you."),
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "key",
            "name",
            "kind",
            "kind_display",
            "code",
            "doc_symbol",
            "parent",
            "depth",
            "valid_from",
            "valid_to",
            "successors",
            "predecessors",
        ]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    body = UnitBriefSerializer(read_only=True, allow_null=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "unit", "role", "role_display", "body", "title", "is_active"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "memberships"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "kind",
            "kind_display",
            "position",
            "unit",
            "ethnicity",
            "religion",
            "phone",
            "note",
            "is_active",
        ]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    symbol = serializers.CharField(read_only=True, help_text=_("Number as written on paper, e.g. 10-ĐA/HU."))
    issuer = UnitBriefSerializer(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "issuer",
            "kind",
            "kind_display",
            "number",
            "symbol",
            "term",
            "date",
            "subject",
            "signer",
            "created_at",
        ]
        read_only_fields = fields


class DocumentCreateSerializer(serializers.Serializer):
    """What a client sends to register a document; the number is given by the server.

    ``issuer`` and ``signer`` are looked up among the units and people the user may see, and a
    unit outside that scope gets the same answer as one that does not exist.
    """

    issuer = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(),
        error_messages={
            "does_not_exist": _("Unknown issuer."),
            "incorrect_type": _("Unknown issuer."),
        },
        help_text=_("Issuing unit id: one you may edit, with a document symbol."),
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices, help_text=_("Kind of document (NQ, TB, …)."))
    date = serializers.DateField(help_text=_("Date (YYYY-MM-DD), within the issuer's existence and a Party term."))
    subject = serializers.CharField(max_length=500, help_text=_("Subject (trích yếu)."))
    signer = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("Person id of the signer, among the people of your units."),
        error_messages={
            "does_not_exist": _("Unknown signer."),
            "incorrect_type": _("Unknown signer."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request is not None else None
        self.fields["issuer"].queryset = access.visible_units(user)
        self.fields["signer"].queryset = access.scope(Person.objects.all(), user)


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(help_text=_("Your portal username."))
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, help_text=_("Your portal password.")
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=_("Send as 'Authorization: Token <token>'."))


# --- Writes by portal administrators ------------------------------------------------------------
#
# Plain serializers, not ``ModelSerializer``: they only read and type the body. Uniqueness, the
# key's pattern, validity inside the parent's and the other rules are the model's own
# (``full_clean`` in ``services.unit_save`` or ``api_base.save_as_admin``), so the API answers with
# the admin's messages.


class UnitWriteSerializer(serializers.Serializer):
    """A unit of the tree, as the admin's unit form takes it (successions have their own endpoint)."""

    key = serializers.CharField(
        max_length=120,
        help_text=_("Stable identifier used by data files and imports, e.g. 'bao-yen/vinh-yen'; unique."),
    )
    name = serializers.CharField(max_length=200, help_text=_("Name, e.g. Xã Vĩnh Yên."))
    kind = serializers.ChoiceField(choices=UnitKind.choices, help_text=_("What the unit is: a place or a body."))
    code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text=_("Official code, if any.")
    )
    doc_symbol = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Abbreviation after the slash in document numbers, e.g. HU in 10-ĐA/HU."),
    )
    parent = unit_field(
        _("Unknown parent."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Unit id it belongs to; null for the top of the tree. Moving a unit moves its subtree."),
    )
    valid_from = serializers.DateField(help_text=_("First day it exists (YYYY-MM-DD), within its parent's validity."))
    valid_to = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Last day it exists (YYYY-MM-DD); null while it still exists."),
    )


class PersonWriteSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, help_text=_("Full name, written whole."))
    kind = serializers.ChoiceField(
        choices=PersonKind.choices,
        required=False,
        default=PersonKind.OFFICIAL,
        help_text=_("Official, prestigious person, clergy, elder, village head or other."),
    )
    position = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_("Position, e.g. Bí thư Đảng ủy.")
    )
    unit = unit_field(_("Unknown unit."), help_text=_("Unit id the person belongs to."))
    ethnicity = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text=_("Ethnicity.")
    )
    religion = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text=_("Religion.")
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="", help_text=_("Phone."))
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Note."))
    is_active = serializers.BooleanField(
        required=False, default=True, help_text=_("False once the person no longer holds the position.")
    )


class TermSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("The Party committee whose term it is."))

    class Meta:
        model = Term
        fields = ["id", "unit", "name", "start_date", "end_date"]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": _("Name of the term, e.g. khóa XXII.")},
            "start_date": {"help_text": _("First day of the term.")},
            "end_date": {"help_text": _("Last day of the term; document numbers restart after it.")},
        }


class TermWriteSerializer(serializers.Serializer):
    unit = unit_field(_("Unknown unit."), help_text=_("Unit id of the Party committee."))
    name = serializers.CharField(max_length=60, help_text=_("Name of the term, e.g. khóa XXII; unique per committee."))
    start_date = serializers.DateField(help_text=_("First day (YYYY-MM-DD), within the committee's validity."))
    end_date = serializers.DateField(help_text=_("Last day (YYYY-MM-DD), not before the first."))


class UnitSuccessionSerializer(serializers.ModelSerializer):
    predecessor = UnitBriefSerializer(read_only=True, help_text=_("The unit that ceased to exist."))
    successor = UnitBriefSerializer(read_only=True, help_text=_("The unit it continues as."))

    class Meta:
        model = UnitSuccession
        fields = ["id", "predecessor", "successor", "effective_date", "note"]
        read_only_fields = fields
        extra_kwargs = {
            "effective_date": {"help_text": _("Day the successor took over, after the predecessor's last day.")},
            "note": {"help_text": _("Note, e.g. the resolution that merged the units.")},
        }


class UnitSuccessionWriteSerializer(serializers.Serializer):
    predecessor = unit_field(_("Unknown unit."), help_text=_("Unit id that ceased to exist."))
    successor = unit_field(_("Unknown unit."), help_text=_("Unit id it continues as."))
    effective_date = serializers.DateField(
        help_text=_("YYYY-MM-DD: after the predecessor's last day, while the successor exists.")
    )
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text=_("Note, e.g. the resolution.")
    )
