"""Paper feedback cards, for officers and approvers: make a batch and
print it (a PDF), and log returned cards one after another on one page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from core.selectors import organisations_where
from core.views import StaffPermissionMixin

from .cards import card_batch_pdf_request, card_batch_print, card_log
from .forms import CardBatchForm, CardLogForm, EasyReadCardLogForm
from .models import CardBatch
from .routing_views import _form_errors
from .rules import HANDLERS


class CardsMixin(StaffPermissionMixin):
    permission_required = "feedback.log_feedback"

    def organisations(self, request):
        return organisations_where(request.user, *HANDLERS).order_by("name")


class CardsView(CardsMixin, View):
    """The batches printed for the person's organisations, how many of
    each have come back, and a form to make more."""

    def page(self, request, form, status=200) -> HttpResponse:
        batches = (CardBatch.objects.filter(organisation__in=self.organisations(request))
                   .select_related("organisation")
                   .annotate(logged=Count("cards", filter=Q(cards__feedback__isnull=False))))
        return render(request, "feedback/cards.html", {"batches": batches, "form": form},
                      status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, CardBatchForm(organisations=self.organisations(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CardBatchForm(request.POST, organisations=self.organisations(request))
        if not form.is_valid():
            return self.page(request, form, status=400)
        try:
            batch = card_batch_print(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.page(request, form, status=400)
        messages.success(request, f"{batch.size} cards made")
        return redirect("staff:feedback:card-batch", pk=batch.pk)


class CardBatchMixin(CardsMixin):
    def get_batch(self, request, pk: int) -> CardBatch:
        batch = (CardBatch.objects.filter(organisation__in=self.organisations(request), pk=pk)
                 .select_related("organisation").first())
        if batch is None:
            raise Http404
        return batch


class CardBatchView(CardBatchMixin, View):
    """One batch: its PDF being prepared (made by a worker), then the
    download; if it could not be made, or was made before PDFs were made in
    the background, a button to make it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "feedback/card_batch.html", {"batch": self.get_batch(request, pk)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = card_batch_pdf_request(batch=self.get_batch(request, pk))
        if batch.pdf_pending:
            messages.success(request, "The cards are being prepared")
        return redirect("staff:feedback:card-batch", pk=batch.pk)


class CardBatchPdfView(CardBatchMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.get_batch(request, pk)
        if not batch.pdf_ready:  # not made yet: the batch's page says where it is
            return redirect("staff:feedback:card-batch", pk=batch.pk)
        return FileResponse(batch.pdf_file.open("rb"), content_type="application/pdf",
                            as_attachment=True, filename=batch.pdf_filename)


class CardLogView(CardsMixin, View):
    """One page, used again and again: type the card's reference and its
    answers, press Enter, and the page is ready for the next card (the
    reference box has the focus)."""

    easy_read = False

    @property
    def form_class(self):
        return EasyReadCardLogForm if self.easy_read else CardLogForm

    def page(self, request, form, status=200) -> HttpResponse:
        return render(request, "feedback/card_log.html", {
            "form": form, "easy_read": self.easy_read,
            "next_card": status == 200 and request.GET.get("next") == "1",
            "other_url": reverse("staff:feedback:card-log" if self.easy_read
                                 else "staff:feedback:card-log-easy-read"),
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.form_class())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        try:
            feedback = card_log(acting_user=request.user,
                                reference=form.cleaned_data["reference"],
                                easy_read=self.easy_read, answers=form.service_kwargs(),
                                organisation_ids=self.organisations(request).values_list(
                                    "pk", flat=True))
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.page(request, form, status=400)
        messages.success(request, f"Card {form.cleaned_data['reference']} logged as "
                                  f"{feedback.reference}. Type the next card’s reference")
        return redirect(f"{request.path}?next=1")
