"""The kinds of import, one module each; importing this package registers every module in it.

``ORDER`` is the order of the Import page and of docs/import.md; a kind not listed comes last.
"""

import importlib
import pkgutil

from .base import REGISTRY, ImportKind, Plan, register

ORDER = (
    "units",
    "dialogues",
    "petitions",
    "programs",
    "roads",
    "scorecards",
    "commitments",
    "aggregates",
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base" and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def ordered() -> list[ImportKind]:
    rank = {key: index for index, key in enumerate(ORDER)}
    return sorted(REGISTRY.values(), key=lambda kind: (rank.get(kind.key, len(ORDER)), kind.key))


__all__ = ["ORDER", "REGISTRY", "ImportKind", "Plan", "ordered", "register"]
