"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop running in the main thread for the rest of the
# session, which makes Django refuse ORM calls there; the tests' own calls (fixtures, assertions,
# database flushes) are synchronous and safe. Subprocesses that run deployment checks drop it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never a downloaded browser: Debian's chromium, with the flags this closed network needs.
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def demo(transactional_db, settings):
    """The demo units and accounts, as `make run` loads them."""
    call_command("seed_demo", force=True, verbosity=0)
    return settings.DEMO_PASSWORD
