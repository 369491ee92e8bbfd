"""Pages of the campaigns app under /campaigns/ (namespace ``campaigns``).

``views_scoring`` owns movements, criteria sets, rounds and awards; ``views_grid`` the scoring
grid, scorecards (evidence, verification) and rankings; ``views_models`` Dân vận khéo models,
household commitments and pledges.
"""

from . import views_grid, views_models, views_scoring

app_name = "campaigns"

urlpatterns = [*views_scoring.urlpatterns, *views_grid.urlpatterns, *views_models.urlpatterns]
