"""Organization API: placeholder replaced below."""

urlpatterns: list = []


def register(router) -> None:
    return None
