"""The portal's production settings, as the HTTP benchmark runs them.

Only what a benchmark on one machine needs differs, each from the
environment that bench/http.py sets:
- STATIC_ROOT: collectstatic goes to a temporary directory;
- FEEDBACK_RATE_LIMIT_PER_HOUR is raised (by bench/http.py's environment)
  so that the form POST measures the portal, not the limiter: every POST
  comes from one address.
TLS is said to be terminated in front (X-Forwarded-Proto: https on every
request), as production expects.
"""

import os

from sendportal.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
