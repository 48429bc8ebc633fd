"""The demo's year of tagged feedback (issue 24): the same every time, every
theme well represented, and enough for theme suggestions and "similar
feedback" to mean something in `make run`."""

from collections import Counter

import pytest

from core import demo as core_demo
from feedback import demo_volume, suggest
from feedback.models import Feedback


def test_the_demo_pieces_are_the_same_every_time_and_cover_every_theme():
    first, again = demo_volume.items(), demo_volume.items()
    assert first == again
    assert len(first) >= 150
    counts = Counter(t for item in first for t in item["themes"])
    assert set(counts) == set(demo_volume.PHRASES) and min(counts.values()) >= 15
    assert all(item["even_better_if"] or item["what_went_well"] for item in first)


@pytest.mark.django_db
def test_the_demo_pieces_make_suggestions_and_similar_feedback_meaningful():
    core_demo.load()
    assert demo_volume.load() == len(demo_volume.items())
    assert demo_volume.load() == 0  # safe to run twice
    pieces = list(Feedback.objects.prefetch_related("themes").order_by("pk"))
    tagged = [f for f in pieces if f.themes.all()]
    assert len(tagged) >= 150
    untagged = [f for f in pieces if not f.themes.all()]
    assert 3 <= len(untagged) <= 15  # the newest, waiting for triage
    # Each tagged piece as if it were new (itself left out): its first theme
    # is among the three suggested for most of them.
    results = suggest.for_texts([suggest.feedback_text(f) for f in tagged],
                                Feedback.objects.all(), exclude=[f.pk for f in tagged],
                                with_similar=False)
    wanted = {item["even_better_if"] or item["what_went_well"]: item["themes"]
              for item in demo_volume.items()}
    hits = sum(bool({t.name for t in result.themes} & set(
        wanted[f.even_better_if or f.what_went_well]))
        for f, result in zip(tagged, results, strict=True))
    assert hits / len(tagged) >= 0.7, hits / len(tagged)
    # An untagged piece finds earlier ones like it.
    similar = [suggest.for_feedback(f, Feedback.objects.all()).similar for f in untagged]
    assert sum(bool(s) for s in similar) >= len(untagged) // 2
