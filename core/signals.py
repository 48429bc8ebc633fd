"""Sign-out and the sessions' cached copies.

Sessions are Django's cached_db sessions (settings.SESSION_ENGINE): the
database row is the truth and the fail-soft cache holds a copy that pages
read. Signing out deletes both; but if Redis cannot be reached at that
moment, the fail-soft cache lets the copy's deletion fail quietly, and a
copy that outlives the outage (Redis unreachable, not restarted) would open
the session again for anyone holding its cookie. So the sign-out asks the
plain cache, which says when it fails, to delete the copy; if it cannot, the
person's session generation moves on, and every session of theirs made
before fails Django's own check on its next request."""

import logging

from django.contrib.auth.signals import user_logged_out
from django.core.cache import caches
from django.db.models import F
from django.dispatch import receiver

logger = logging.getLogger(__name__)


@receiver(user_logged_out, dispatch_uid="core.signals.forget_cached_session")
def forget_cached_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if user is None or session is None or not session.session_key:
        return
    cache_key = getattr(session, "cache_key", None)  # cached_db sessions only
    if cache_key is None:
        return
    try:
        # The same Redis and key prefix as the sessions' fail-soft alias
        # (core.cache), but it raises when it cannot answer.
        caches["default"].delete(cache_key)
    except Exception as exc:  # connection refused, timeout, …
        from .models import User

        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        logger.warning("sign-out: the session's cached copy could not be deleted (%s); "
                       "every session of user %s ended", exc.__class__.__name__, user.pk)
