"""Placeholder until its pages are written."""

urlpatterns: list = []
