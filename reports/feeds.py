from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from . import selectors


class ReportsFeed(Feed):
    """Atom feed of published reports: titles, summaries and links only."""

    feed_type = Atom1Feed

    def title(self):
        return f"“You said, we did” reports — {settings.ORGANISATION_NAME}"

    def link(self):
        return "/reports/"

    def author_name(self):
        # Atom requires an author for the feed, or for every entry; both are given.
        return settings.ORGANISATION_NAME

    def item_author_name(self, item):
        return item.organisation.display_name

    def subtitle(self):
        return "What families told us about SEND services, and what we did as a result."

    def items(self):
        return selectors.reports_published()[:30]

    def item_title(self, item):
        return item.title if item.version == 1 else f"{item.title} (version {item.version})"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        # A back-filled report was published long before the portal had it.
        if item.first_published_on:
            return timezone.make_aware(datetime.combine(item.first_published_on, time.min))
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]
