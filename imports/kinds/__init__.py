"""The kinds of import, each in its own module; importing this package registers them all.

Order here is the order of the Import page and of docs/import.md.
"""

from . import petitions  # noqa: F401
from .base import REGISTRY, ImportKind, Plan, register

__all__ = ["REGISTRY", "ImportKind", "Plan", "register"]
