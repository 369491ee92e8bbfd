"""Pages of the programs app under /programs/ (namespace ``programs``).

``views_programs`` owns programs (work items, contributions, participation); ``views_land`` owns
road projects, land donations and site clearance with its disbursements.
"""

from . import views_land, views_programs

app_name = "programs"

urlpatterns = [*views_programs.urlpatterns, *views_land.urlpatterns]
