"""The sign-in form: Django's, with the portal's own wording for labels and the failure message."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message for a wrong username and a wrong password, so the form does not reveal which
    # usernames exist.
    error_messages = {
        "invalid_login": _("The username or password is incorrect."),
        "inactive": _("This account has been deactivated. Please contact the administrator."),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
