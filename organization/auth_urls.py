"""Sign-in, sign-out and password change, on Django's auth views with the portal's templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext as _

from .forms_auth import LoginForm


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default); tells the user on the sign-in page that it worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # Added after the session is flushed, so the message travels in the fresh session/cookie.
        messages.success(request, _("You have been signed out."))
        return response


urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
