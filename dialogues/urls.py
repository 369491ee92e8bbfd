"""Pages of the dialogues app, under /dialogues/ (namespace ``dialogues``).

Two modules own the routes: ``views_dialogues`` (dialogues, minutes and attachments, conclusion
notices, engagement meetings) and ``views_petitions`` (petitions, transitions, the agency inbox,
answers, reported aggregates, exports).
"""

from . import views_dialogues, views_petitions

app_name = "dialogues"

urlpatterns = [*views_dialogues.urlpatterns, *views_petitions.urlpatterns]
