"""Paper feedback cards: printed in batches, each with its own reference,
the same questions as the online form (read from the form's own fields,
so the card cannot drift from it) and a QR code to the online form; staff
log a card by typing its reference and the answers. A reference logs one
feedback, once.

A card's reference is "FC-", four characters, a hyphen, three more and a
check character (Crockford's base 32: no I, L, O or U, so nothing reads as
another letter; a typed O is read as 0, I and L as 1). The check character
catches one mistyped character and most swapped pairs before the
reference is looked up (all but 0 and Z mistaken for each other).
"""

import re
import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from core.audit import Verb
from core.models import Organisation
from core.services import audit_record

from .models import CardBatch, Feedback, FeedbackCard

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
# The PDF is drawn by a worker ("card_batch_pdf", feedback.tasks), not while
# the officer waits: about 0.23 s of CPU and 2.7 MB of memory a card (500
# cards: 115 s, 1.4 GB at the peak, a 6.3 MB PDF). 200 keeps a worker on a
# small server under about 600 MB; print a larger run as several batches.
MAX_BATCH = 200
_TYPED = re.compile(r"[\s.\-\u2010-\u2015\u2212_/]")


def _check(body: str) -> str:
    # Weights 1..7 modulo the prime 31: a character changed by fewer than 31
    # places, or two neighbours swapped, always changes the check.
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body))
    return ALPHABET[total % 31]


def card_reference_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(7))
    return f"FC-{body[:4]}-{body[4:]}{_check(body)}"


def card_reference_from_typed(text: str) -> str | None:
    """The reference as printed, however it was typed ("fc 7k3m 9qx4",
    "7K3M9QX4", with O for 0), or None when it cannot be one (wrong length,
    other letters, a check character that does not match)."""
    plain = _TYPED.sub("", text).upper()
    if len(plain) == 10 and plain.startswith("FC"):  # a card's own body may start "FC"
        plain = plain[2:]
    plain = plain.translate(str.maketrans("OIL", "011"))
    if len(plain) != 8 or any(c not in ALPHABET for c in plain):
        return None
    body, check = plain[:7], plain[7]
    if _check(body) != check:
        return None
    return f"FC-{body[:4]}-{body[4:]}{check}"


# --- The card's questions, from the form ---------------------------------------------------


@dataclass(frozen=True)
class CardQuestion:
    name: str
    label: str
    help_text: str
    kind: str  # "tick-one", "tick-any", "write", "write-short"
    choices: tuple[str, ...] = ()


def card_questions(form_class) -> list[CardQuestion]:
    """The online form's questions, in its order, as a card prints them:
    each field's label, hint and choices read from the form itself (an
    instance, so choices built per form, like the easy-read pictures' words,
    are there). A question added to the form is on the next card printed."""
    form = form_class()
    questions = []
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            kind = "tick-any"
        elif isinstance(widget, (forms.RadioSelect, forms.Select)):
            kind = "tick-one"
        elif isinstance(widget, forms.Textarea):
            kind = "write"
        else:
            kind = "write-short"
        choices = ()
        if kind.startswith("tick"):
            choices = tuple(strip_tags(str(label)).strip() for value, label in field.choices
                            if value not in ("", None))
        questions.append(CardQuestion(name, strip_tags(str(field.label)).strip(),
                                      strip_tags(str(field.help_text or "")).strip(), kind,
                                      choices))
    return questions


def card_form_class(easy_read: bool):
    from .forms import EasyReadForm, FeedbackForm

    return EasyReadForm if easy_read else FeedbackForm


def qr_data_uri(url: str) -> str:
    """The QR code to `url` as an SVG data address, for an <img>: WeasyPrint
    reads one image once for every card, where inline SVG is laid out again
    on each (a third of the time of a batch)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def card_batch_pdf(batch: CardBatch) -> bytes:
    """The batch's cards, one a page, on A5 or A4."""
    from core.pdf import render_pdf_from_template

    form_url = settings.SITE_URL + reverse(
        "feedback:give-easy-read" if batch.easy_read else "feedback:give")
    return render_pdf_from_template("feedback/card_pdf.html", {
        "batch": batch, "cards": list(batch.cards.values_list("reference", flat=True)),
        "questions": card_questions(card_form_class(batch.easy_read)),
        "form_url": form_url, "qr": qr_data_uri(form_url),
        "organisation": batch.organisation.display_name,
    })


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def card_batch_print(*, acting_user, organisation: Organisation, paper: str, easy_read: bool,
                     size: int, prepare_pdf: bool = True) -> CardBatch:
    """A batch of `size` cards (1 to MAX_BATCH), each with a new reference,
    and its PDF asked for (unless `prepare_pdf` is False: the demo's, made
    when someone asks on the batch's page). Audited (cards.printed). Who may
    call: a handler of the organisation (the view checks)."""
    batch = CardBatch(organisation=organisation, paper=paper, easy_read=easy_read, size=size,
                      created_by=acting_user)
    batch.full_clean()
    if size > MAX_BATCH:
        raise ValidationError({"size": f"Make {MAX_BATCH} cards or fewer at a time"})
    batch.save()
    references: set[str] = set()
    while len(references) < size:
        wanted = {card_reference_new() for _ in range(size - len(references))}
        taken = set(FeedbackCard.objects.filter(reference__in=wanted)
                    .values_list("reference", flat=True))
        references |= wanted - taken
    FeedbackCard.objects.bulk_create([FeedbackCard(batch=batch, reference=r)
                                      for r in sorted(references)])
    audit_record(actor=acting_user, verb=Verb.CARDS_PRINTED, target=batch,
                 summary=f"{size} cards", data={"organisation": organisation.pk,
                                                "size": size, "easy_read": easy_read})
    return card_batch_pdf_request(batch=batch) if prepare_pdf else batch


@transaction.atomic
def card_batch_pdf_request(*, batch: CardBatch) -> CardBatch:
    """Ask for the batch's PDF to be made in the background: pending now,
    the job sent after commit (asking again while it is pending reuses that
    job). For a new batch, a batch made before PDFs were made in the
    background, or one whose PDF failed ("Try again")."""
    from core import jobs

    batch = CardBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.pdf_can_ask:
        return batch
    batch.pdf_state, batch.pdf_error = CardBatch.PdfState.PENDING, ""
    batch.save(update_fields=["pdf_state", "pdf_error", "updated_at"])
    jobs.enqueue("card_batch_pdf", batch.pk, organisation_id=batch.organisation_id)
    return batch


def card_batch_pdf_build(batch_id: int) -> CardBatch | None:
    """Draw the batch's PDF and store it as its one file, marked ready. Safe
    to run twice: drawn outside any transaction, then stored under a row
    lock only while the batch still waits for it, at a fixed name that
    replaces any earlier or partial file (core.pdf.store_pdf_when)."""
    from core.pdf import store_pdf_when

    batch = CardBatch.objects.select_related("organisation").filter(pk=batch_id).first()
    if batch is None or batch.pdf_state != CardBatch.PdfState.PENDING:
        return None
    pdf = card_batch_pdf(batch)
    return store_pdf_when(
        CardBatch.objects.all(), batch_id,
        still_wanted=lambda locked: locked.pdf_state == CardBatch.PdfState.PENDING,
        field="pdf_file", filename=batch.pdf_filename, pdf=pdf,
        mark={"pdf_state": CardBatch.PdfState.READY, "pdf_error": "",
              "pdf_ready_at": timezone.now()})


class CardAlreadyLogged(ValidationError):
    pass


@transaction.atomic
def card_log(*, acting_user, reference: str, easy_read: bool, answers: dict,
             organisation_ids) -> Feedback:
    """Log one card: its answers become feedback from the "Feedback card"
    channel (routed like any other), and the card is marked as logged. A
    reference logs one feedback: a second time is refused, saying which
    feedback it logged and when. The card must be one of the organisations
    the person works for (`organisation_ids`). Audited (card.logged, and
    feedback.received by feedback_submit)."""
    from .services import feedback_submit

    card = (FeedbackCard.objects.select_for_update(of=("self",))
            .select_related("batch", "feedback").filter(reference=reference).first())
    if card is None or card.batch.organisation_id not in set(organisation_ids):
        raise ValidationError({"reference": "We cannot find a card with that reference. "
                                            "Check it against the card"})
    if card.feedback_id is not None:
        raise CardAlreadyLogged({"reference": (
            f"Card {card.reference} was logged already, as {card.feedback.reference} on "
            f"{timezone.localtime(card.logged_at):%-d %B %Y}. A card is logged once")})
    if card.batch.easy_read != easy_read:
        other = "easy-read cards" if card.batch.easy_read else "standard cards"
        raise ValidationError({"reference": f"This is one of the {other}: log it on that page"})
    # Routed like any feedback; about an area with no route, it goes to the
    # organisation that printed the card (unless the family named one).
    answers = {**answers, "channel": Feedback.Channel.FEEDBACK_CARD,
               "about_organisation": answers.get("about_organisation") or card.batch.organisation}
    feedback = feedback_submit(acting_user=acting_user, source_label=f"Paper card {card.reference}",
                               **answers)
    card.feedback, card.logged_at = feedback, timezone.now()
    card.save(update_fields=["feedback", "logged_at"])
    audit_record(actor=acting_user, verb=Verb.CARD_LOGGED, target=card.batch,
                 summary=card.reference, data={"feedback": feedback.pk})
    return feedback
