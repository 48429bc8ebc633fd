"""Theme suggestions and similar feedback, computed on the portal's own
machine.

The model is WordLlama's 256-dimension word embeddings, shipped inside the
`wordllama` wheel (weights and tokenizer files in the installed package):
loaded once per process, from `settings.SUGGEST_MODEL_DIR`, with downloads
disabled. No family's words leave the machine (tests/feedback/test_suggest.py
fails if loading or suggesting opens a network connection).

- Themes: each active theme is scored by the feedback already tagged with it
  (the nearest tagged neighbours vote, weighted by how close they are) and by
  its own name and description; up to three are suggested. An officer
  always decides; what they take and leave is counted (`ThemeSuggestion`).
- Similar feedback: the nearest earlier items the person may read (their
  organisations' own and what is shared with them), with the reply they got.

Vectors of existing feedback are stored (`FeedbackEmbedding`) and kept in
this process's memory, so a suggestion does not embed earlier feedback again.
If the model cannot load, everything here returns "unavailable" and triage
works as before; the reason is logged once per process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch

from core.models import Theme

from .models import Feedback, FeedbackEmbedding, Reply, ThemeSuggestion

logger = logging.getLogger(__name__)

MODEL_CONFIG = "l2_supercat"
MODEL_DIM = 256
WEIGHTS_FILE = f"{MODEL_CONFIG}_{MODEL_DIM}.safetensors"
TOKENIZER_FILE = f"{MODEL_CONFIG}_tokenizer_config.json"
MODEL_TAG = f"wordllama:{MODEL_CONFIG}:{MODEL_DIM}"
MAX_THEMES = 3
MAX_SIMILAR = 5
# The most recent feedback a suggestion compares with: bounds the work per
# request whatever the years of history.
MAX_CANDIDATES = 5000
NEIGHBOURS = 25
# Cosine similarity from which earlier feedback is shown as similar; at 0.90
# and above it is flagged as a possible duplicate. Chosen on the labelled
# sample in tests/feedback/suggest_sample.py.
SIMILAR_FROM = 0.55
DUPLICATE_FROM = 0.90
NAME_WEIGHT = 0.5

_lock = threading.Lock()
_state: dict = {"model": None, "error": None, "tried": False}
# feedback id -> (digest, vector): this process's copy of stored vectors.
_vectors: dict[int, tuple[str, np.ndarray]] = {}
_theme_vectors: dict[tuple, np.ndarray] = {}


def model_dir() -> Path:
    configured = getattr(settings, "SUGGEST_MODEL_DIR", "")
    if configured:
        return Path(configured)
    import wordllama

    return Path(wordllama.__file__).parent


def _load():
    from wordllama import WordLlama

    directory = model_dir()
    for sub, name in (("weights", WEIGHTS_FILE), ("tokenizers", TOKENIZER_FILE)):
        if not (directory / sub / name).is_file():
            raise FileNotFoundError(f"{sub}/{name} is not in {directory}")
    return WordLlama.load(config=MODEL_CONFIG, dim=MODEL_DIM, cache_dir=directory,
                          disable_download=True)


def model():
    """The model, loaded once per process; None if it cannot be loaded (the
    reason is logged once, and `unavailable_reason()` says it)."""
    if _state["tried"]:
        return _state["model"]
    with _lock:
        if not _state["tried"]:
            try:
                _state["model"] = _load()
            except Exception as exc:  # noqa: BLE001 - any failure leaves triage as it was
                _state["error"] = f"{type(exc).__name__}: {exc}"
                logger.warning("Theme suggestions are off: the model could not be loaded "
                               "(%s)", _state["error"])
            _state["tried"] = True
    return _state["model"]


def unavailable_reason() -> str | None:
    model()
    return _state["error"]


def reset() -> None:
    """Forget the model and cached vectors (tests; a changed setting)."""
    with _lock:
        _state.update(model=None, error=None, tried=False)
        _vectors.clear()
        _theme_vectors.clear()
        _pools.clear()


def feedback_text(feedback) -> str:
    return "\n".join(t for t in (feedback.what_went_well, feedback.even_better_if) if t).strip()


def _digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL_TAG}\n{text}".encode()).hexdigest()[:32]


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32), one a text; an empty text is all zeros."""
    wl = model()
    if not texts:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    vectors = wl.embed([t or " " for t in texts], norm=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def _vectors_for(items: list[tuple[int, str]]) -> np.ndarray:
    """Vectors for (feedback id, text) pairs: from this process's memory,
    else the database, else embedded now and stored."""
    digests = {pk: _digest(text) for pk, text in items}
    texts = dict(items)
    missing = [pk for pk, d in digests.items() if _vectors.get(pk, ("",))[0] != d]
    if missing:
        for start in range(0, len(missing), 2000):
            for pk, digest, blob in FeedbackEmbedding.objects.filter(
                    feedback_id__in=missing[start:start + 2000]).values_list(
                    "feedback_id", "digest", "vector"):
                if digest == digests[pk]:
                    _vectors[pk] = (digest, np.frombuffer(bytes(blob), dtype="<f2")
                                    .astype(np.float32))
        to_embed = [pk for pk in missing if _vectors.get(pk, ("",))[0] != digests[pk]]
        if to_embed:
            fresh = embed([texts[pk] for pk in to_embed])
            rows = []
            for pk, vector in zip(to_embed, fresh, strict=True):
                _vectors[pk] = (digests[pk], vector)
                rows.append(FeedbackEmbedding(feedback_id=pk, digest=digests[pk],
                                              vector=vector.astype("<f2").tobytes()))
            # Another web process may be storing the same new feedback's vector
            # at this moment (the first views after it arrives): the later one
            # overwrites, rather than failing on the key (a 500 under a
            # working day's load, bench/day.py).
            FeedbackEmbedding.objects.bulk_create(
                rows, batch_size=1000, update_conflicts=True, unique_fields=["feedback"],
                update_fields=["digest", "vector"])
    if not items:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    return np.stack([_vectors[pk][1] for pk, _ in items])


def _themes() -> tuple[list[Theme], np.ndarray]:
    themes = list(Theme.objects.filter(is_active=True).order_by("name"))
    key = tuple((t.pk, t.name, t.description) for t in themes)
    if key not in _theme_vectors:
        _theme_vectors.clear()
        _theme_vectors[key] = embed([f"{t.name}. {t.description}" for t in themes])
    return themes, _theme_vectors[key]


@dataclass
class Similar:
    feedback: Feedback
    score: float
    duplicate: bool
    reply: Reply | None = None


@dataclass
class Suggestions:
    available: bool
    themes: list[Theme] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)


@dataclass
class _Candidates:
    ids: list[int]
    vectors: np.ndarray
    theme_ids: list[set[int]]


# The candidates of each pool (a queryset's SQL), with the stamp they were
# read under and each row's (lock_version, updated_at): reused while the stamp
# holds, refreshed row by row when it moves.
@dataclass
class _Pool:
    stamp: tuple
    candidates: _Candidates
    versions: dict[int, tuple]


_pools: dict[str, _Pool] = {}
MAX_POOLS = 64


def _signature(visible) -> dict:
    """Changes whenever feedback is added to or leaves the pool, is tagged,
    shared, assigned or answered (each raises its lock_version) or edited
    (updated_at). One aggregate query over the whole pool: the fallback
    when the `feedback` tables' generation cannot be trusted (see _stamp)."""
    from django.db.models import Count, Max, Sum

    return visible.order_by().aggregate(n=Count("pk"), top=Max("pk"),
                                        versions=Sum("lock_version"), changed=Max("updated_at"))


def _stamp(visible) -> tuple:
    """What the pool was read under. Normally the generation of the
    `feedback` tables (core.changes: moved on after any committed write to
    feedback, its themes, shares, replies or vectors; one read from the
    derived cache, whatever the volume). Two cases fall back to the
    aggregate `_signature` (one query over the pool): the derived cache
    cannot be reached, or this connection's open transaction has itself
    written to the feedback tables (its writes are not counted until it
    commits, so a pool read under the old number would hide them)."""
    from django.db import connections

    from core import changes

    if not changes.written_uncommitted(connections[visible.db], "feedback"):
        current = changes.generations(("feedback",))
        if current is not None:
            return ("generation", current["feedback"])
    return ("signature", _signature(visible))


def _candidates(visible) -> _Candidates:
    """The most recent feedback the person may read, with its vectors and
    themes. Nothing is read while the pool's stamp holds (see _stamp). When
    it moved, one query lists the pool's rows now (id, lock_version,
    updated_at: what is added, gone, tagged, shared or edited shows there),
    and only the rows new or changed since are read again (their texts,
    themes and vectors); the rest are kept from the last read."""
    from django.core.exceptions import EmptyResultSet

    try:
        key = str(visible.query)
    except EmptyResultSet:  # .none(): nothing to compare with
        return _Candidates([], np.zeros((0, MODEL_DIM), dtype=np.float32), [])
    stamp = _stamp(visible)
    cached = _pools.get(key)
    if cached is not None and cached.stamp == stamp:
        return cached.candidates
    from django.db.models import TextField
    from django.db.models.functions import Cast

    # updated_at as text: parsing 5,000 timestamps cost more than the query.
    rows = list(visible.order_by("-received_on", "-pk").values_list(
        "pk", "lock_version", Cast("updated_at", TextField()))[:MAX_CANDIDATES])
    versions = {pk: (lock_version, updated_at) for pk, lock_version, updated_at in rows}
    before = cached.versions if cached is not None else {}
    kept = ({pk: i for i, pk in enumerate(cached.candidates.ids)}
            if cached is not None else {})
    changed = [pk for pk in versions if before.get(pk) != versions[pk]]
    texts: dict[int, str] = {}
    tagged: dict[int, set[int]] = {}
    for start in range(0, len(changed), 2000):
        chunk = changed[start:start + 2000]
        for pk, good, better in Feedback.objects.filter(pk__in=chunk).values_list(
                "pk", "what_went_well", "even_better_if"):
            texts[pk] = "\n".join(t for t in (good, better) if t).strip()
        for feedback_id, theme_id in Feedback.themes.through.objects.filter(
                feedback_id__in=chunk).values_list("feedback_id", "theme_id"):
            tagged.setdefault(feedback_id, set()).add(theme_id)
    changed = [pk for pk in changed if pk in texts]  # deleted since the list was read
    fresh = dict(zip(changed, _vectors_for([(pk, texts[pk]) for pk in changed]), strict=True))
    ids = [pk for pk in versions if pk in fresh or pk in kept]
    vectors = np.zeros((len(ids), MODEL_DIM), dtype=np.float32)
    theme_ids = []
    from_kept, to_rows = [], []
    for row, pk in enumerate(ids):
        if pk in fresh:
            vectors[row] = fresh[pk]
            theme_ids.append(tagged.get(pk, set()))
        else:
            from_kept.append(kept[pk])
            to_rows.append(row)
            theme_ids.append(cached.candidates.theme_ids[kept[pk]])
    if from_kept:
        vectors[to_rows] = cached.candidates.vectors[from_kept]
    candidates = _Candidates(ids, vectors, theme_ids)
    _pools.pop(key, None)
    if len(_pools) >= MAX_POOLS:
        _pools.pop(next(iter(_pools)))
    _pools[key] = _Pool(stamp, candidates, {pk: versions[pk] for pk in ids})
    return candidates


def _theme_scores(vectors: np.ndarray, pool: _Candidates, themes, theme_vectors,
                  exclude: list[int | None]) -> np.ndarray:
    """Scores (items x themes): nearest tagged neighbours' votes plus the
    likeness to each theme's own words."""
    theme_index = {t.pk: i for i, t in enumerate(themes)}
    scores = NAME_WEIGHT * (vectors @ theme_vectors.T) if len(themes) else np.zeros(
        (len(vectors), 0))
    tagged_rows = [i for i, ids in enumerate(pool.theme_ids) if ids & theme_index.keys()]
    if not tagged_rows or not len(themes):
        return scores
    tagged_vectors = pool.vectors[tagged_rows]
    tagged_pks = np.array([pool.ids[i] for i in tagged_rows])
    membership = np.zeros((len(tagged_rows), len(themes)), dtype=np.float32)
    for row, i in enumerate(tagged_rows):
        for theme_id in pool.theme_ids[i]:
            if theme_id in theme_index:
                membership[row, theme_index[theme_id]] = 1.0
    similarity = vectors @ tagged_vectors.T
    for row, pk in enumerate(exclude):
        if pk is not None:
            similarity[row, tagged_pks == pk] = -1.0
    k = min(NEIGHBOURS, similarity.shape[1])
    nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    for row in range(len(vectors)):
        sims = similarity[row, nearest[row]]
        weights = np.clip(sims, 0, None)
        total = weights.sum() or 1.0
        scores[row] += (weights @ membership[nearest[row]]) / total
    return scores


def _replies(feedback_ids: list[int]) -> dict[int, Reply]:
    latest: dict[int, Reply] = {}
    for reply in (Reply.objects.filter(feedback_id__in=feedback_ids,
                                       state=Reply.State.PUBLISHED).order_by("created_at")):
        latest[reply.feedback_id] = reply
    return latest


def for_texts(texts: list[str], visible, *, exclude: list[int | None] | None = None,
              with_similar: bool = True) -> list[Suggestions]:
    """Suggestions for several texts at once (a bulk screen): one model call,
    one pass over the candidates."""
    if model() is None:
        return [Suggestions(available=False) for _ in texts]
    exclude = exclude or [None] * len(texts)
    pool = _candidates(visible)
    themes, theme_vectors = _themes()
    vectors = embed(texts)
    scores = _theme_scores(vectors, pool, themes, theme_vectors, exclude)
    similarity = vectors @ pool.vectors.T if pool.ids else np.zeros((len(texts), 0))
    results = []
    for row, text in enumerate(texts):
        chosen = []
        if text.strip() and len(themes):
            order = np.argsort(-scores[row])[:MAX_THEMES]
            chosen = [themes[i] for i in order]
        similar = []
        if with_similar and text.strip() and similarity.shape[1]:
            order = np.argsort(-similarity[row])[:MAX_SIMILAR + 1]
            for i in order:
                score = float(similarity[row, i])
                if pool.ids[i] == exclude[row] or score < SIMILAR_FROM:
                    continue
                similar.append(Similar(pool.ids[i], score, score >= DUPLICATE_FROM))
            similar = similar[:MAX_SIMILAR]
        results.append(Suggestions(available=True, themes=chosen, similar=similar))
    if with_similar:
        ids = {s.feedback for r in results for s in r.similar}
        if ids:
            # Checked against the pool as it is now (a share revoked since
            # the candidates were read is never shown).
            full = {f.pk: f for f in visible.filter(pk__in=ids).select_related(
                "organisation").prefetch_related(Prefetch("themes"))}
            replies = _replies(list(ids))
            for result in results:
                result.similar = [item for item in result.similar if item.feedback in full]
                for item in result.similar:
                    item.reply = replies.get(item.feedback)
                    item.feedback = full[item.feedback]
    return results


def pool_for(user, organisation_id: int):
    """What may be suggested as similar to an organisation's feedback: what
    the person may read, and of that only the organisation's own and what is
    shared with it. Another organisation's feedback never appears."""
    from django.db.models import Q

    from .selectors import feedback_visible_to

    shared = Feedback.shared_with.through.objects.filter(
        organisation_id=organisation_id).values("feedback_id")
    return feedback_visible_to(user).filter(Q(organisation_id=organisation_id)
                                            | Q(pk__in=shared))


def for_feedback(feedback: Feedback, visible) -> Suggestions:
    """Up to three themes and the similar earlier feedback, for the triage panel."""
    return for_texts([feedback_text(feedback)], visible, exclude=[feedback.pk])[0]


@transaction.atomic
def decisions_record(*, acting_user, feedback: Feedback, suggested: list[int],
                     chosen: list[int]) -> None:
    """What the officer did with the themes suggested: each is accepted if it
    is among the themes chosen, rejected if not (the latest decision counts)."""
    chosen_set = set(chosen)
    known = set(Theme.objects.filter(pk__in=suggested).values_list("pk", flat=True))
    for theme_id in [t for t in dict.fromkeys(suggested) if t in known]:
        ThemeSuggestion.objects.update_or_create(
            feedback=feedback, theme_id=theme_id,
            defaults={"accepted": theme_id in chosen_set, "decided_by": acting_user})


def acceptance(organisation_ids) -> dict:
    """Accepted and rejected suggestions for the organisations' feedback."""
    from django.db.models import Count, Q

    counts = ThemeSuggestion.objects.filter(
        feedback__organisation_id__in=organisation_ids).aggregate(
        taken=Count("pk", filter=Q(accepted=True)),
        left=Count("pk", filter=Q(accepted=False)))
    decided = counts["taken"] + counts["left"]
    counts["decided"] = decided
    counts["rate"] = round(100 * counts["taken"] / decided) if decided else None
    return counts


@transaction.atomic
def bulk_tag(*, acting_user, items: list[Feedback], additions: dict[int, set[int]],
             suggested: dict[int, list[int]]) -> int:
    """Add themes to several pieces of feedback at once (a bulk screen). Each
    piece changed is tagged and audited as on its own page (feedback.tagged);
    for the pieces changed, each suggestion shown counts as taken or left.
    Who may call: someone who handles each piece (the view passes only
    those). Returns how many pieces changed."""
    from .services import feedback_set_themes

    themes = {t.pk: t for t in Theme.objects.filter(
        pk__in={t for ids in additions.values() for t in ids}, is_active=True)}
    changed = 0
    for feedback in items:
        wanted = {t for t in additions.get(feedback.pk, set()) if t in themes}
        current = {t.pk: t for t in feedback.themes.all()}
        if not wanted - current.keys():
            continue
        feedback_set_themes(acting_user=acting_user, feedback=feedback,
                            themes=[*current.values(), *(themes[t] for t in wanted
                                                         if t not in current)])
        decisions_record(acting_user=acting_user, feedback=feedback,
                         suggested=suggested.get(feedback.pk, []),
                         chosen=list(wanted | current.keys()))
        changed += 1
    return changed
