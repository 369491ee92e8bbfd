"""Remembers which of a user's memberships they are acting under (the unit switcher)."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .access import memberships

SESSION_KEY = "active_membership_id"


def active_membership(request):
    items = memberships(request.user)
    if not items:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in items:
        if membership.pk == wanted:
            return membership
    return items[0]


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.active_membership = active_membership(request) if request.user.is_authenticated else None
        return self.get_response(request)


class PortalLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a commune office's
    browser installed in English would show the portal in English. Here only the language cookie
    set by the switcher (``set_language``) overrides the default.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
