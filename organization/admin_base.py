"""Admin bases shared by the domain apps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin


class RefusalAwareAdmin(SimpleHistoryAdmin):
    """Shows a refusal raised while saving or deleting (a locked reporting period, a rule a
    service enforces) as an error message instead of a server error. Django's admin wraps the
    view in a transaction, so nothing of the refused change is kept."""

    def _refused(self, request, error: ValidationError) -> HttpResponseRedirect:
        self.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            return self._refused(request, error)
