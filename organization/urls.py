from django.urls import path

from . import views, views_notifications, views_shell

urlpatterns = [
    path("", views_shell.home, name="home"),
    path("switch-membership/", views_shell.switch_membership, name="switch_membership"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_issue, name="document_issue"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    *views_notifications.urlpatterns,
]
