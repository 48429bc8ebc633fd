"""Settings for trying the portal on your own machine: zero configuration."""

from django.core.management.utils import get_random_secret_key

from sendportal.env import env_bool, env_list

from .base import *  # noqa: F403
from .base import BASE_DIR, SECRET_KEY

DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])


def _local_secret_key() -> str:
    """A secret generated once and kept beside the SQLite file, so sessions
    survive a restart without anyone having to invent a key."""
    path = BASE_DIR / ".local-secret-key"
    if not path.exists():
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()

# Trying the demo should not need a phone: administrators may sign in with a
# password here. Production (base settings) requires two-factor sign-in for them.
STAFF_TWO_FACTOR_REQUIRED_ROLES = env_list("STAFF_TWO_FACTOR_REQUIRED_ROLES", [])
