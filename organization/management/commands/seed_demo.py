"""Demo data for trying the portal: Bảo Yên's units, one account per role, people, documents.

Every step is idempotent, so ``make run`` can call this on every start. It refuses to run with
DEBUG off unless given ``--force``: the demo accounts share one published password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from organization.models import Document, DocumentKind, Membership, Person, PersonKind, Role, Unit, User
from organization.services import document_issue

from .load_units import reported_as, upsert


@dataclass
class Seed:
    """What the steps share: where to write, and the accounts to list at the end."""

    stdout: OutputWrapper
    accounts: list[tuple[User, Membership | None]] = field(default_factory=list)

    @staticmethod
    def unit(key: str) -> Unit:
        return Unit.objects.get(key=key)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str | None = None  # None: a superuser without a membership
    unit: str | None = None
    body: str | None = None
    title: str = ""


# Names are fictional ("Demo" marks them); the offices are real.
ACCOUNTS = (
    DemoAccount("demo_admin", "Nguyễn Văn Demo"),
    DemoAccount(
        "demo_district",
        "Trần Thị Demo",
        Role.DISTRICT_STAFF,
        "bao-yen",
        "bao-yen/huyen-uy/ban-dan-van",
        "Chuyên viên Ban Dân vận",
    ),
    DemoAccount(
        "demo_leader",
        "Lê Văn Demo",
        Role.LEADER,
        "bao-yen",
        "bao-yen/huyen-uy/thuong-truc",
        "Phó Bí thư Thường trực Huyện ủy",
    ),
    DemoAccount("demo_commune", "Hoàng Thị Demo", Role.COMMUNE_OFFICER, "bao-yen/vinh-yen", title="Cán bộ xã Vĩnh Yên"),
    DemoAccount("demo_commune2", "Ma Văn Demo", Role.COMMUNE_OFFICER, "bao-yen/nghia-do", title="Cán bộ xã Nghĩa Đô"),
    DemoAccount(
        "demo_agency",
        "Phạm Thị Demo",
        Role.AGENCY_OFFICER,
        "bao-yen/ubnd/tai-nguyen-moi-truong",
        title="Chuyên viên Phòng Tài nguyên và Môi trường",
    ),
)

FICTIONAL = "Nhân vật hư cấu, dùng cho dữ liệu demo."
SECRETARY = "Hoàng Văn Demo"

# (unit key, full name, kind, position, ethnicity, religion)
PEOPLE = (
    ("bao-yen/huyen-uy", SECRETARY, PersonKind.OFFICIAL, "Bí thư Huyện ủy", "", ""),
    ("bao-yen/huyen-uy/ban-dan-van", "Lương Thị Demo", PersonKind.OFFICIAL, "Trưởng Ban Dân vận Huyện ủy", "", ""),
    ("bao-yen/vinh-yen/tong-kim", "Giàng A Demo", PersonKind.PRESTIGIOUS, "Người có uy tín bản Tổng Kim", "Mông", ""),
    ("bao-yen/vinh-yen/tong-kim", "Vàng Seo Demo", PersonKind.ELDER, "Già làng bản Tổng Kim", "Mông", ""),
    ("bao-yen/pho-rang", "Phạm Văn Demo", PersonKind.CLERGY, "Linh mục quản xứ", "", "Công giáo"),
)

# Issued in date order, so the allocator numbers them 1 and 2. The article gives 07-ĐA/HU and
# 10-ĐA/HU: a gap-free allocator starting from an empty register cannot reproduce those numbers
# without inventing the documents in between. The dates are illustrative.
DOCUMENTS = (
    (
        date(2020, 12, 15),
        "Đổi mới hoạt động của MTTQ Việt Nam và các đoàn thể chính trị - xã hội huyện Bảo Yên, giai đoạn 2020 – 2025",
    ),
    (
        date(2021, 3, 15),
        "Nâng cao hiệu quả công tác chính trị tư tưởng, tuyên truyền vận động huyện Bảo Yên, giai đoạn 2020 – 2025",
    ),
)


def seed_units(seed: Seed) -> None:
    call_command("load_units", stdout=seed.stdout)


def seed_accounts(seed: Seed) -> None:
    for spec in ACCOUNTS:
        is_admin = spec.role is None
        values: dict[str, Any] = {
            "full_name": spec.full_name,
            "email": f"{spec.username}@example.test",
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
        }
        with reported_as(f'user "{spec.username}"'):
            user, _outcome = upsert(User, {"username": spec.username}, values, save=_save_user)
        # Checked, not reset every run: set_password would write a new hash and a history row.
        if not user.check_password(settings.DEMO_PASSWORD):
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        membership = None
        if spec.role is not None and spec.unit is not None:
            lookup = {"user": user, "unit": seed.unit(spec.unit), "role": spec.role}
            body = seed.unit(spec.body) if spec.body else None
            with reported_as(f'membership of "{spec.username}"'):
                membership, _outcome = upsert(
                    Membership, lookup, {"body": body, "title": spec.title, "is_active": True}
                )
        seed.accounts.append((user, membership))


def _save_user(user: User) -> None:
    if not user.password:
        user.set_password(settings.DEMO_PASSWORD)
    user.full_clean()
    user.save()


def seed_people(seed: Seed) -> None:
    for unit_key, full_name, kind, position, ethnicity, religion in PEOPLE:
        values = {"kind": kind, "position": position, "ethnicity": ethnicity, "religion": religion, "note": FICTIONAL}
        with reported_as(f'person "{full_name}"'):
            upsert(Person, {"full_name": full_name, "unit": seed.unit(unit_key)}, values)


def seed_documents(seed: Seed) -> None:
    issuer = seed.unit("bao-yen/huyen-uy")
    signer = Person.objects.get(unit=issuer, full_name=SECRETARY)
    admin = User.objects.get(username="demo_admin")
    for day, subject in DOCUMENTS:
        if Document.objects.filter(issuer=issuer, kind=DocumentKind.DA, subject=subject).exists():
            continue
        with reported_as(f'document "{subject}"'):
            document_issue(
                issuer=issuer, kind=DocumentKind.DA, day=day, subject=subject, created_by=admin, signer=signer
            )


# The organization's own steps, in order. Other apps add theirs without this module importing
# them (imports flow from the domain apps to organization, never back): an app with demo records
# writes `<app>/demo.py` with `DEMO_STEPS`, a list of functions taking the Seed (each idempotent:
# get by natural key, then update), and they run after these, in INSTALLED_APPS order.
STEPS: list[Callable[[Seed], None]] = [seed_units, seed_accounts, seed_people, seed_documents]


def app_steps() -> list[Callable[[Seed], None]]:
    steps: list[Callable[[Seed], None]] = []
    for config in apps.get_app_configs():
        if config.name == "organization" or not module_has_submodule(config.module, "demo"):
            continue
        steps.extend(import_module(f"{config.name}.demo").DEMO_STEPS)
    return steps


class Command(BaseCommand):
    help = "Load the Bảo Yên units and demo accounts, people and documents (idempotent; DEBUG only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with the shared demo password and runs only with DEBUG on. "
                "Use --force to seed anyway (never on a production server)."
            )
        seed = Seed(stdout=self.stdout)
        with transaction.atomic():
            for step in [*STEPS, *app_steps()]:
                step(seed)
        self.print_accounts(seed)

    def print_accounts(self, seed: Seed) -> None:
        rows = [("user", "full name", "role", "acts for")]
        for user, membership in seed.accounts:
            if membership is None:
                rows.append((user.username, user.full_name, "superuser", "—"))
            else:
                acting_for = membership.body or membership.unit
                rows.append((user.username, user.full_name, str(membership.get_role_display()), acting_for.name))
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        self.stdout.write(f"\nDemo accounts (password: {settings.DEMO_PASSWORD}):")
        for row in rows:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
