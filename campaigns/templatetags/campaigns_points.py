"""``{{ value|points }}``: a score as Vietnamese writing shows it ("7,5", "100"), with no
trailing zeros, unlike ``floatformat`` which would print "32,50"."""

from decimal import Decimal

from django import template

from campaigns.models import format_points

register = template.Library()


@register.filter
def points(value) -> str:
    if value is None or value == "":
        return ""
    return format_points(Decimal(value))
