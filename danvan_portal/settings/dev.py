"""Zero-setup default: SQLite under var/, tasks in-process, e-mail to the console."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# A fixed key is acceptable only here: dev never serves real data. Production has no default.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

# Zero setup: the SQLite file and uploads live under var/, created on first use.
VAR_DIR.mkdir(parents=True, exist_ok=True)
