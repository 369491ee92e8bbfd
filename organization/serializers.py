"""API representations of organization data.

Read serializers never trigger queries of their own: the viewsets prefetch what they need, so a
page of units costs the same number of queries whatever its size.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import access
from .models import Document, DocumentKind, Membership, Person, Unit, User


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
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    date = serializers.DateField()
    subject = serializers.CharField(max_length=500)
    signer = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        required=False,
        allow_null=True,
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
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=_("Send as 'Authorization: Token <token>'."))
