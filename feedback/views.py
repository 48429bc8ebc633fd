import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.approvals import approval_way_through
from core.concurrency import EditConflict
from core.csvexport import csv_streaming_response
from core.forms import VersionedFormMixin, blank_form_html
from core.http import parse_id
from core.models import Role
from core.pagination import CappedPaginator
from core.ratelimit import over_limit
from core.roles import WORKING_ROLES
from core.selectors import organisations_where
from core.views import StaffPermissionMixin

from . import imports, progress, selectors, services, suggest, workflow
from .filters import InboxFilter
from .forms import (
    BulkThemesForm,
    DifferenceForm,
    EasyReadForm,
    FeedbackForm,
    LocalOfferForm,
    NoteForm,
    QuoteForm,
    ReopenForm,
    StaffLogForm,
    StatusForm,
    SubjectRequestForm,
    SurveyMappingForm,
    SurveyRenameForm,
    SurveyReplaceFileForm,
    SurveyUploadForm,
    TemplatedReplyForm,
    TrackForm,
    TriageForm,
)
from .models import DifferenceAnswer, Feedback, Quote, Reply, SurveyImport, reference_from_typed
from .reply_templates import filled_reply, reply_templates_for
from .rules import HANDLERS

logger = logging.getLogger(__name__)

# The tracking token of the feedback this browser has just sent, for the
# "Feedback sent" page: in a signed cookie sent to that page only, not in the
# session, because sessions are stored in the database and the database keeps
# only the token's digest.
SENT_COOKIE = "feedback_sent"
SENT_COOKIE_MAX_AGE = 60 * 60

# Reference look-ups from one address per hour (references are sequential).
TRACK_LOOKUPS_PER_HOUR = 60


# --- Public ---------------------------------------------------------------------------


class GiveFeedbackView(View):
    form_class = FeedbackForm
    template_name = "feedback/give.html"
    rate_bucket = "give"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class()
        return render(request, self.template_name, {"form": form, "form_html": blank_form_html(form)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.POST)
        if form.is_spam():
            # Look like success to the robot; store nothing.
            return render(request, "feedback/sent_spam.html")
        if over_limit(request, self.rate_bucket, settings.FEEDBACK_RATE_LIMIT_PER_HOUR):
            form.is_valid()
            return render(request, self.template_name, {"form": form, "rate_limited": True},
                          status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        feedback = services.feedback_submit(**form.service_kwargs())
        logger.info("feedback %s received via %s", feedback.reference, feedback.channel)
        # The private link is shown on the confirmation page, never put in the
        # redirect: an address in a Location header ends up in access logs.
        response = redirect("feedback:sent")
        response.set_signed_cookie(
            SENT_COOKIE, feedback.tracking_token, salt=SENT_COOKIE, max_age=SENT_COOKIE_MAX_AGE,
            path=reverse("feedback:sent"), secure=settings.SESSION_COOKIE_SECURE,
            httponly=True, samesite="Lax")
        return response


class GiveEasyReadView(GiveFeedbackView):
    form_class = EasyReadForm
    template_name = "feedback/give_easy_read.html"


@method_decorator(never_cache, name="dispatch")
class TrackView(View):
    """Reference only: where it has got to, nothing of what was said or
    replied (references are sequential, so they are not secret)."""

    template_name = "feedback/track.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TrackForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TrackForm(request.POST)
        if over_limit(request, "track", TRACK_LOOKUPS_PER_HOUR):
            return render(request, self.template_name, {"form": form, "rate_limited": True},
                          status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        feedback = selectors.feedback_for_reference(form.cleaned_data["reference"])
        if feedback is None:
            form.add_error("reference", "We cannot find feedback with that reference. "
                                        "Check it and try again")
            return render(request, self.template_name, {"form": form}, status=400)
        return render(request, "feedback/track_status.html", {"feedback": feedback})


def _private_page(request: HttpRequest, token: str, *, just_sent: bool) -> HttpResponse:
    feedback = selectors.feedback_for_token(token)
    if feedback is None:
        raise Http404
    return _private_response(request, feedback, just_sent=just_sent, private_url=(
        request.build_absolute_uri(reverse("feedback:track-token", args=[token]))))


def _private_response(request: HttpRequest, feedback, *, just_sent: bool,
                      private_url: str = "", from_message: bool = False) -> HttpResponse:
    response = render(request, "feedback/track_private.html", {
        "feedback": feedback, "just_sent": just_sent, "private_url": private_url,
        "from_message": from_message,
        # "What happened as a result": public facts only, one query a kind.
        "outcomes": progress.outcomes_for(feedback.pk),
    })
    # The address is a secret: never send it on, not even to our own pages
    # (their access-log lines would carry it in the referrer).
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(never_cache, name="dispatch")
class SentView(View):
    """"Feedback sent": the reference and the private link of the feedback
    this browser has just sent, read from a signed cookie so that the token
    is never in an address that is logged, nor in the database."""

    def get(self, request: HttpRequest) -> HttpResponse:
        token = request.get_signed_cookie(SENT_COOKIE, default=None, salt=SENT_COOKIE,
                                          max_age=SENT_COOKIE_MAX_AGE)
        if not token:
            # A bookmark of this page, or this address opened later or in
            # another browser: say what the page was and where to go now,
            # rather than showing an empty form as if nothing had been sent.
            return render(request, "feedback/sent_expired.html")
        return _private_page(request, token, just_sent=True)


@method_decorator(never_cache, name="dispatch")
class TrackTokenView(View):
    """The private link: status and the published reply. (Access logs show
    this address with the token redacted: sendportal/gunicorn_logging.py.)"""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return _private_page(request, token, just_sent=False)


# --- Progress messages: the way back, stop, "Did it make a difference?" ------------------


@method_decorator(never_cache, name="dispatch")
class ProgressWayBackView(View):
    """The private page, from a progress message's signed way back (never
    the private link's token, which is not kept). Redacted in logs like it."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        where = progress.way_back_where(token)
        feedback = selectors.feedback_for_way_back(where) if where is not None else None
        if feedback is None:
            return render(request, "feedback/progress_link_expired.html", status=404)
        return _private_response(request, feedback, just_sent=False, from_message=True)


def _secret_page(response: HttpResponse) -> HttpResponse:
    # Only the origin, never the address (it is a secret): with "no-referrer"
    # the browser would send "Origin: null" with the page's own form, which
    # Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(never_cache, name="dispatch")
class ProgressStopView(View):
    """The stop link: a page that asks, and a button that stops (a link
    checker or a mail scanner that opens the link stops nothing). No
    sign-in: the signed link is the permission."""

    def feedback(self, token: str):
        pk = progress.feedback_pk_from_stop(token)
        return Feedback.objects.filter(pk=pk).only("pk", "reference", "wants_progress").first() \
            if pk is not None else None

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        feedback = self.feedback(token)
        if feedback is None:
            raise Http404
        return _secret_page(render(request, "feedback/progress_stop.html",
                                   {"feedback": feedback, "stopped": not feedback.wants_progress}))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        feedback = self.feedback(token)
        if feedback is None:
            raise Http404
        progress.progress_stop(feedback_pk=feedback.pk)
        logger.info("progress messages stopped for %s", feedback.reference)
        return _secret_page(render(request, "feedback/progress_stop.html",
                                   {"feedback": feedback, "stopped": True, "just_stopped": True}))


@method_decorator(never_cache, name="dispatch")
class ProgressDifferenceView(View):
    """"Did it make a difference?": yes, partly or no, and a comment."""

    template_name = "feedback/progress_difference.html"

    def feedback(self, token: str):
        pk = progress.feedback_pk_from_difference(token)
        return Feedback.objects.filter(pk=pk).only("pk", "reference", "channel").first() \
            if pk is not None else None

    def page(self, request, feedback, form, status=200, **context) -> HttpResponse:
        answered = DifferenceAnswer.objects.filter(feedback=feedback).exists()
        return _secret_page(render(request, self.template_name, {
            "feedback": feedback, "form": form, "answered": answered, **context}, status=status))

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        feedback = self.feedback(token)
        if feedback is None:
            return render(request, "feedback/progress_link_expired.html", status=404)
        return self.page(request, feedback, DifferenceForm())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        feedback = self.feedback(token)
        if feedback is None:
            return render(request, "feedback/progress_link_expired.html", status=404)
        form = DifferenceForm(request.POST)
        if over_limit(request, "difference", settings.FEEDBACK_RATE_LIMIT_PER_HOUR):
            return self.page(request, feedback, form, status=429, rate_limited=True)
        if not form.is_valid():
            return self.page(request, feedback, form, status=400)
        progress.difference_answer_record(feedback_pk=feedback.pk,
                                          answer=form.cleaned_data["answer"],
                                          comment=form.cleaned_data["comment"])
        return self.page(request, feedback, form, thanked=True)


# --- Staff ------------------------------------------------------------------------------


class FeedbackStaffMixin(StaffPermissionMixin):
    permission_required = "feedback.view_inbox"


def inbox_filter_data(request: HttpRequest):
    """The inbox's filters as asked for. Without a status, open feedback (what
    needs an answer), unless searching: a search looks through everything."""
    data = request.GET.copy()
    if "status" not in data and not data.get("q", "").strip():
        data["status"] = "open"
    return data


class InboxView(FeedbackStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        own_orgs = organisations_where(user, *WORKING_ROLES)
        q = request.GET.get("q", "").strip()
        reference = reference_from_typed(q) if q else None
        if reference is not None:
            # A whole reference typed into the search ("fb 2026 258", read as
            # a family's tracking page reads it) goes straight to that
            # feedback, whatever the other filters say: it names one item.
            found = selectors.feedback_visible_to(user).filter(reference=reference).first()
            if found is not None:
                return redirect("staff:feedback:detail", pk=found.pk)
        filterset = InboxFilter(inbox_filter_data(request), queryset=selectors.feedback_inbox(user),
                                user=user, organisations=own_orgs)
        counts = selectors.staff_counts(user)
        # Counts at most 1,000 rows (more when paging further), not five years of matches;
        # the default list (open feedback, nothing else chosen) is the "open" figure
        # just counted, so it is not counted again.
        known = counts["open"] if filterset.is_valid() and _only_open(filterset) else None
        page = CappedPaginator(filterset.qs, 25, known_count=known).get_page(
            request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "feedback/inbox.html", {
            "filter": filterset, "page": page, "query": query.urlencode(), "counts": counts,
        })


def _only_open(filterset) -> bool:
    """Whether the inbox lists all open feedback the person may see, and
    nothing narrower: then it matches what `staff_counts` calls open."""
    chosen = {name for name, value in filterset.form.cleaned_data.items()
              if value not in (None, "", False)}
    return chosen == {"status"} and filterset.form.cleaned_data["status"] == "open"


@method_decorator(never_cache, name="dispatch")
class InboxExportView(FeedbackStaffMixin, View):
    """The feedback the person may see, with the inbox's filters, as CSV:
    what families wrote and how it was handled, never who they are (no name,
    e-mail, phone or tracking link). Streamed, so five years of rows are
    never held in memory; every cell is formula-safe (core.csvexport)."""

    columns = ["Reference", "Received", "Channel", "From", "Child's age", "Organisation",
               "About organisation", "Service areas", "Themes", "Status", "Assigned to",
               "Reply due", "Responded", "Closed", "Rating", "Agreed to be quoted",
               "What went well", "What could be even better"]

    def rows(self, queryset):
        yield self.columns
        # chunk_size: the themes and service areas are fetched per 1,000 rows.
        for item in queryset.iterator(chunk_size=1000):
            yield (
                item.reference, item.received_on.isoformat(), item.get_channel_display(),
                item.get_respondent_display(), item.get_age_group_display(),
                item.organisation.name,
                item.about_organisation.name if item.about_organisation else "",
                "; ".join(a.name for a in item.service_areas.all()),
                "; ".join(t.name for t in item.themes.all()),
                item.get_status_display(),
                item.assigned_to.get_full_name() if item.assigned_to else "",
                item.response_due_on.isoformat() if item.response_due_on else "",
                item.responded_at.date().isoformat() if item.responded_at else "",
                item.closed_at.date().isoformat() if item.closed_at else "",
                item.rating or "", "Yes" if item.consent_to_quote else "No",
                item.what_went_well, item.even_better_if,
            )

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        user = request.user
        own_orgs = organisations_where(user, *WORKING_ROLES)
        data = inbox_filter_data(request)
        filterset = InboxFilter(data, queryset=selectors.feedback_visible_to(user),
                                user=user, organisations=own_orgs)
        if not filterset.is_valid():
            return redirect(reverse("staff:feedback:inbox") + "?" + request.GET.urlencode())
        services.feedback_export_record(
            acting_user=user, filters=[k for k, v in filterset.form.cleaned_data.items() if v])
        today = timezone.localdate()
        return csv_streaming_response(self.rows(selectors.feedback_for_export(filterset.qs)),
                                      f"feedback-{today:%Y-%m-%d}.csv")


class BulkThemesView(FeedbackStaffMixin, View):
    """Themes for a page of feedback at once: the inbox's filters (or one
    survey import's rows, `?import=`), 25 rows a page, each with up to three
    suggested themes and a possible duplicate; the officer ticks suggestions
    or selects rows and adds a theme to them. Only feedback of organisations
    where the person handles feedback is listed."""

    permission_required = "feedback.tag_in_bulk"
    per_page = 25

    def rows(self, request):
        user = request.user
        handled = organisations_where(user, *HANDLERS)
        queryset = selectors.feedback_inbox(user).filter(organisation__in=handled)
        survey_import = None
        import_id = parse_id(request.GET.get("import", ""))
        if import_id is not None:
            survey_import = get_object_or_404(selectors.survey_imports_for(user), pk=import_id)
            queryset = queryset.filter(survey_import=survey_import).order_by("pk")
            filterset = None
        else:
            filterset = InboxFilter(inbox_filter_data(request), queryset=queryset, user=user,
                                    organisations=organisations_where(user, *WORKING_ROLES))
            queryset = filterset.qs
        page = CappedPaginator(queryset, self.per_page).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        return rows, page, filterset, survey_import

    def suggestions(self, request, rows):
        found: dict[int, suggest.Suggestions] = {}
        by_org: dict[int, list] = {}
        for row in rows:
            by_org.setdefault(row.organisation_id, []).append(row)
        for organisation_id, group in by_org.items():
            results = suggest.for_texts([suggest.feedback_text(r) for r in group],
                                        suggest.pool_for(request.user, organisation_id),
                                        exclude=[r.pk for r in group])
            found.update({r.pk: result for r, result in zip(group, results, strict=True)})
        return [found[r.pk] for r in rows]

    def page(self, request, form=None, status=200):
        rows, page, filterset, survey_import = self.rows(request)
        suggestions = self.suggestions(request, rows)
        if form is None:
            form = BulkThemesForm(rows=rows, suggestions=suggestions)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "feedback/bulk_themes.html", {
            "form": form if form.is_bound else None, "bulk_form": form,
            "rows": list(zip(rows, suggestions, strict=True)), "page": page,
            "filter": filterset, "survey_import": survey_import, "query": query.urlencode(),
            "available": all(s.available for s in suggestions) if suggestions else
            suggest.model() is not None,
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        rows, _page, _filterset, _import = self.rows(request)
        suggestions = self.suggestions(request, rows)
        form = BulkThemesForm(request.POST, rows=rows, suggestions=suggestions)
        if not form.is_valid():
            return self.page(request, form=form, status=400)
        changed = suggest.bulk_tag(
            acting_user=request.user, items=rows, additions=form.additions(),
            suggested={r.pk: [t.pk for t in s.themes]
                       for r, s in zip(rows, suggestions, strict=True)})
        messages.success(request, f"Themes added to {changed} piece{pluralize(changed)} of "
                                  "feedback" if changed else "Those themes were already there")
        return redirect(request.get_full_path())


class FeedbackDetailView(FeedbackStaffMixin, View):
    def get_feedback(self, request, pk) -> Feedback:
        visible = selectors.feedback_visible_to(request.user).filter(pk=pk).exists()
        if not visible:
            raise Http404
        return selectors.feedback_detail(pk)

    def render_page(self, request, feedback, status=200, **forms) -> HttpResponse:
        user = request.user
        handles = user.has_perm("feedback.handle_feedback", feedback)
        allowed = sorted(services.manual_transitions(feedback))
        context = {
            "feedback": feedback,
            "handles": handles,
            "can_see_contact": user.has_perm("feedback.view_contact_details", feedback),
            "can_note": user.has_perm("feedback.add_note", feedback),
            "can_reopen": handles and feedback.status == Feedback.Status.CLOSED,
            "triage_form": forms.get("triage_form") or (TriageForm(feedback=feedback, initial={
                "assigned_to": feedback.assigned_to, "themes": list(feedback.themes.all()),
                "service_areas": list(feedback.service_areas.all()),
                "shared_with": list(feedback.shared_with.all()),
                "lock_version": feedback.lock_version}) if handles else None),
            "status_form": forms.get("status_form") or (
                StatusForm(allowed=allowed, initial={"lock_version": feedback.lock_version})
                if handles and allowed else None),
            "note_form": forms.get("note_form") or NoteForm(),
            "reply_form": forms.get("reply_form") or TemplatedReplyForm(
                initial={"lock_version": feedback.lock_version},
                templates=reply_templates_for(feedback.organisation_id) if handles else ()),
            "quote_form": forms.get("quote_form") or QuoteForm(),
            **self.local_offer_context(feedback, handles, forms.get("local_offer_form")),
            "form": next(iter(forms.values()), None),  # for the "Error:" title prefix
            "overdue": (feedback.status in services.OPEN_STATUSES
                        and feedback.response_due_on is not None
                        and feedback.response_due_on < timezone.localdate()),
        }
        if handles:
            context["suggestions"] = suggest.for_feedback(
                feedback, suggest.pool_for(user, feedback.organisation_id))
        # Waiting for approval with nobody left who may approve: say who can fix it.
        waiting_reply = next((r for r in feedback.replies.all()
                              if r.state == Reply.State.AWAITING_APPROVAL), None)
        if waiting_reply:
            context["reply_way_through"] = approval_way_through(
                viewer=user, organisation=feedback.organisation,
                exclude_user_ids=[waiting_reply.author_id])
        waiting_quote = next((q for q in feedback.quotes.all()
                              if q.status == Quote.Status.PROPOSED), None)
        if waiting_quote:
            context["quote_way_through"] = approval_way_through(
                viewer=user, organisation=feedback.organisation,
                roles=services.QUOTE_DECIDERS, exclude_user_ids=[waiting_quote.proposed_by_id])
        return render(request, "feedback/detail.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, self.get_feedback(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = self.get_feedback(request, pk)
        user = request.user
        action = request.POST.get("action")
        try:
            if action == "note":
                if not user.has_perm("feedback.add_note", feedback):
                    raise PermissionDenied
                form = NoteForm(request.POST)
                if not form.is_valid():
                    return self.render_page(request, feedback, 400, note_form=form)
                services.note_add(acting_user=user, feedback=feedback, text=form.cleaned_data["text"])
                messages.success(request, "Note added")
            elif action in {"triage", "status", "reply", "quote", "local_offer", "keep_route"}:
                if not user.has_perm("feedback.handle_feedback", feedback):
                    raise PermissionDenied
                response = getattr(self, f"do_{action}")(request, feedback)
                if response is not None:
                    return response
            else:
                return self.render_page(request, feedback, 400)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("staff:feedback:detail", pk=feedback.pk)

    def conflict(self, request, pk, exc, name, form):
        """Someone else changed the feedback since this page was shown: the
        page again, as it is now, with what this person typed kept."""
        feedback = selectors.feedback_detail(pk)
        replies = [r for r in feedback.replies.all() if r.state != Reply.State.RETURNED]
        values = [
            ("Status", feedback.get_status_display()),
            ("Assigned to", str(feedback.assigned_to or "No one")),
            ("Themes", ", ".join(t.name for t in feedback.themes.all()) or "None"),
            ("Service areas", ", ".join(a.name for a in feedback.service_areas.all()) or "None"),
            ("Shared with", ", ".join(o.name for o in feedback.shared_with.all()) or "No one"),
        ]
        if replies:
            values.append(("Latest reply", f"{replies[-1].get_outcome_display()} "
                                           f"({replies[-1].get_state_display().lower()}): "
                                           f"{replies[-1].text}"))
        form.show_conflict(exc, values)
        return self.render_page(request, feedback, 409, **{name: form})

    def do_triage(self, request, feedback):
        form = TriageForm(request.POST, feedback=feedback)
        if not form.is_valid():
            return self.render_page(request, feedback, 400, triage_form=form)
        try:
            services.feedback_triage(acting_user=request.user, feedback=feedback,
                                     **form.cleaned_data)
        except EditConflict as exc:
            return self.conflict(request, feedback.pk, exc, "triage_form", form)
        suggested = [parse_id(v) for v in request.POST.getlist("suggested_theme")]
        suggest.decisions_record(acting_user=request.user, feedback=feedback,
                                 suggested=[t for t in suggested if t is not None],
                                 chosen=[t.pk for t in form.cleaned_data["themes"]])
        moved = Feedback.objects.select_related("organisation").get(pk=feedback.pk)
        if moved.organisation_id != feedback.organisation_id:
            messages.success(request, f"Triage saved. The routing table sends feedback with that "
                                      f"theme to {moved.organisation.name}: it is theirs to answer "
                                      "now, and your organisation can still read it")
        elif moved.route_suggested_to_id:
            messages.success(request, "Triage saved. The routing table suggests another "
                                      "organisation for that theme: see “Suggested by the routing table”")
        else:
            messages.success(request, "Triage saved")

    def do_keep_route(self, request, feedback):
        form = VersionedFormMixin(request.POST)
        form.is_valid()  # a version that is not a number is no version: kept without the check
        try:
            services.route_suggestion_keep(acting_user=request.user, feedback=feedback,
                                           lock_version=form.cleaned_data.get("lock_version"))
        except EditConflict:
            messages.error(request, "Someone changed this feedback since the page was shown. "
                                    "Check it again")
            return None
        messages.success(request, f"{feedback.reference} stays with {feedback.organisation.name}")

    def do_status(self, request, feedback):
        allowed = sorted(services.manual_transitions(feedback))
        form = StatusForm(request.POST, allowed=allowed)
        if not form.is_valid():
            return self.render_page(request, feedback, 400, status_form=form)
        try:
            services.feedback_change_status(acting_user=request.user, feedback=feedback,
                                            **form.cleaned_data)
        except EditConflict as exc:
            form.fields["status"].choices = [
                (s, Feedback.Status(s).label)
                for s in sorted(services.MANUAL_TRANSITIONS.get(exc.current.status, set()))]
            return self.conflict(request, feedback.pk, exc, "status_form", form)
        messages.success(request, "Status changed")

    def do_reply(self, request, feedback):
        templates = list(reply_templates_for(feedback.organisation_id))
        form = TemplatedReplyForm(request.POST, templates=templates)
        if "use_template" in request.POST:
            return self.use_template(request, feedback, form, templates)
        if not form.is_valid():
            return self.render_page(request, feedback, 400, reply_form=form)
        form.cleaned_data.pop("template", None)
        try:
            reply = services.reply_create(acting_user=request.user, feedback=feedback,
                                          **form.cleaned_data)
        except EditConflict as exc:
            return self.conflict(request, feedback.pk, exc, "reply_form", form)
        messages.success(request, "Reply sent to the family" if reply.state == Reply.State.PUBLISHED
                         else "Reply saved. An approver must approve it before the family sees it")

    def use_template(self, request, feedback, form, templates):
        """"Use template": the reply form again, holding the template's words
        after anything typed, to edit; nothing is sent (reply templates)."""
        form.is_valid()
        template = form.cleaned_data.get("template")
        if template is None:
            form.errors.clear()
            form.add_error("template", "Select the template to use")
            return self.render_page(request, feedback, 400, reply_form=form)
        filled = filled_reply(template, typed_text=request.POST.get("text", ""),
                              typed_reason=request.POST.get("reason", ""))
        return self.render_page(request, feedback, reply_form=TemplatedReplyForm(
            initial={**filled, "template": template.pk,
                     "lock_version": request.POST.get("lock_version")}, templates=templates))

    @staticmethod
    def local_offer_context(feedback, handles, form=None) -> dict:
        """The Local Offer coding panel: for a comment in the Local Offer
        service area, one already marked, or (to mark it) any other."""
        coding = getattr(feedback, "local_offer", None)  # None when never coded
        in_area = services.is_local_offer_comment(feedback)
        if not handles:
            return {"local_offer": coding, "local_offer_in_area": in_area}
        return {"local_offer": coding, "local_offer_in_area": in_area,
                "local_offer_form": form or LocalOfferForm(in_area=in_area, initial={
                    "about_local_offer": bool(coding and coding.about_local_offer),
                    "code": coding.code if coding else "",
                    "left_out_reason": coding.left_out_reason if coding else ""})}

    def do_local_offer(self, request, feedback):
        in_area = services.is_local_offer_comment(feedback)
        form = LocalOfferForm(request.POST, in_area=in_area)
        if not form.is_valid():
            return self.render_page(request, feedback, 400, local_offer_form=form)
        try:
            services.local_offer_code(
                acting_user=request.user, feedback=feedback,
                about_local_offer=form.cleaned_data.get("about_local_offer", False),
                code=form.cleaned_data["code"],
                left_out_reason=form.cleaned_data["left_out_reason"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("about_local_offer" if "about_local_offer" in form.fields
                               else None, message)
            return self.render_page(request, feedback, 400, local_offer_form=form)
        messages.success(request, "Local Offer coding saved")

    def do_quote(self, request, feedback):
        form = QuoteForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, feedback, 400, quote_form=form)
        services.quote_propose(acting_user=request.user, feedback=feedback, **form.cleaned_data)
        messages.success(request, "Quote proposed. Someone else must approve it")


def feedback_handled_by(user, pk: int, *related: str) -> Feedback:
    """Feedback `pk` for a page that changes it: 404 when the person cannot
    see it, 403 when they can read but not handle it."""
    feedback = selectors.feedback_visible_to(user).filter(pk=pk).select_related(*related).first()
    if feedback is None:
        raise Http404
    if not user.has_perm("feedback.handle_feedback", feedback):
        raise PermissionDenied
    return feedback


class ReopenView(FeedbackStaffMixin, View):
    """Reopen closed feedback, saying why: its own page, as the reason is
    required and shown on the timeline."""

    template_name = "feedback/reopen.html"

    def page(self, request, feedback, form, status=200) -> HttpResponse:
        return render(request, self.template_name, {"feedback": feedback, "form": form},
                      status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = feedback_handled_by(request.user, pk)
        if feedback.status != Feedback.Status.CLOSED:
            messages.success(request, "This feedback is open already")
            return redirect("staff:feedback:detail", pk=feedback.pk)
        return self.page(request, feedback, ReopenForm(initial={"lock_version": feedback.lock_version}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = feedback_handled_by(request.user, pk)
        form = ReopenForm(request.POST)
        if not form.is_valid():
            return self.page(request, feedback, form, status=400)
        try:
            services.feedback_reopen(acting_user=request.user, feedback=feedback,
                                     **form.cleaned_data)
        except EditConflict as exc:
            form.show_conflict(exc, [("Status", exc.current.get_status_display())])
            return self.page(request, exc.current, form, status=409)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return self.page(request, feedback, form, status=400)
        messages.success(request, "Feedback reopened. It is back in the inbox as in review")
        return redirect("staff:feedback:detail", pk=feedback.pk)


class ContactEraseView(FeedbackDetailView):
    """Deleting a family's contact details cannot be undone, so it has its
    own "Are you sure?" page that says what will be lost; only its POST
    erases."""

    def get_erasable(self, request, pk) -> Feedback:
        feedback = self.get_feedback(request, pk)
        if not (request.user.has_perm("feedback.handle_feedback", feedback)
                and request.user.has_perm("feedback.view_contact_details", feedback)):
            raise PermissionDenied
        return feedback

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = self.get_erasable(request, pk)
        if not feedback.wants_contact or feedback.contact_details_erased_at:
            messages.success(request, "There are no contact details to delete")
            return redirect("staff:feedback:detail", pk=feedback.pk)
        return render(request, "confirm.html", {
            "confirm_title": f"Delete the contact details for {feedback.reference}",
            "confirm_caption": feedback.reference,
            "confirm_question": "Are you sure you want to delete their contact details?",
            "confirm_consequences": [
                "Their name, e-mail address and phone number will be deleted for good.",
                "You will not be able to contact them about this feedback again, and they "
                "will not get an e-mail when it is answered. They can still read answers "
                "through their private tracking link.",
            ],
            "confirm_button": "Yes, delete the contact details",
            "cancel_url": reverse("staff:feedback:detail", args=[feedback.pk]),
            "cancel_label": f"No, go back to {feedback.reference}",
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = self.get_erasable(request, pk)
        services.contact_details_erase(acting_user=request.user, feedback=feedback)
        messages.success(request, "Contact details deleted")
        return redirect("staff:feedback:detail", pk=feedback.pk)


class LogFeedbackView(FeedbackStaffMixin, View):
    permission_required = "feedback.log_feedback"

    def organisations(self, request):
        return organisations_where(request.user, *HANDLERS)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = StaffLogForm(organisations=self.organisations(request))
        return render(request, "feedback/log.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StaffLogForm(request.POST, organisations=self.organisations(request))
        if not form.is_valid():
            return render(request, "feedback/log.html", {"form": form}, status=400)
        data = form.cleaned_data
        feedback = services.feedback_submit(
            acting_user=request.user, channel=data["channel"], received_on=data["received_on"],
            organisation=data["organisation"], about_organisation=data["organisation"],
            service_areas=data["service_areas"],
            what_went_well=data["what_went_well"], even_better_if=data["even_better_if"],
            respondent=data["respondent"], consent_to_quote=data["consent_to_quote"],
            wants_contact=data["wants_contact"], contact_name=data["contact_name"],
            contact_email=data["contact_email"], contact_phone=data["contact_phone"],
        )
        if not request.user.has_perm("feedback.view_feedback", feedback):
            # Routed to an organisation this person does not work for.
            messages.success(request, f"Feedback logged as {feedback.reference}. It has gone to "
                                      f"{feedback.organisation.name}, who answer feedback about "
                                      "what it is about")
            return redirect("staff:feedback:log")
        messages.success(request, f"Feedback logged as {feedback.reference}")
        return redirect("staff:feedback:detail", pk=feedback.pk)


class RepliesAwaitingView(FeedbackStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "feedback/replies_awaiting.html",
                      {"replies": selectors.replies_awaiting_approval(request.user),
                       "decisions": workflow.REPLY_DECISIONS})


class DecideView(FeedbackStaffMixin, View):
    """Approve or turn back something a colleague wrote (a reply, a quote).
    The service refuses the author themselves; the rule checks the role."""

    model: type
    permission: str
    redirect_to: str
    decisions: tuple[workflow.Decision, ...] = ()  # the buttons (feedback.workflow)

    def decide(self, acting_user, obj, approve: bool):
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.model.objects.select_related("feedback"), pk=pk)
        if not request.user.has_perm(self.permission, obj.feedback):
            raise PermissionDenied
        chosen = workflow.decision(self.decisions, request.POST.get("decision"))
        if chosen is None:  # no button of the page's: decide nothing
            messages.error(request, "Choose one of the buttons to decide.")
            return redirect(self.redirect_to)
        try:
            self.decide(request.user, obj, chosen.approve)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, chosen.said)
        return redirect(self.redirect_to)


class ReplyDecideView(DecideView):
    model, permission, redirect_to = Reply, "feedback.approve_reply", "staff:feedback:replies"
    decisions = workflow.REPLY_DECISIONS

    def decide(self, acting_user, obj, approve):
        services.reply_decide(acting_user=acting_user, reply=obj, approve=approve)


class QuoteDecideView(DecideView):
    model, permission, redirect_to = Quote, "feedback.decide_quote", "staff:feedback:quotes"
    decisions = workflow.QUOTE_DECISIONS

    def decide(self, acting_user, obj, approve):
        services.quote_decide(acting_user=acting_user, quote=obj, approve=approve)


class QuotesAwaitingView(FeedbackStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "feedback/quotes_awaiting.html",
                      {"quotes": selectors.quotes_awaiting_decision(request.user),
                       "decisions": workflow.QUOTE_DECISIONS})


# --- Survey import ----------------------------------------------------------------------


class SurveyImportListView(FeedbackStaffMixin, View):
    permission_required = "feedback.import_survey"

    def get(self, request: HttpRequest) -> HttpResponse:
        imports_ = selectors.survey_imports_for(request.user).annotate(
            statistic_count=Count("statistics"))
        return render(request, "feedback/imports.html", {"imports": imports_})


class SurveyImportCreateView(FeedbackStaffMixin, View):
    permission_required = "feedback.import_survey"

    def organisations(self, request):
        return organisations_where(request.user, *HANDLERS)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "feedback/import_upload.html",
                      {"form": SurveyUploadForm(organisations=self.organisations(request))})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SurveyUploadForm(request.POST, request.FILES,
                                organisations=self.organisations(request))
        if form.is_valid():
            data = form.cleaned_data
            raw = data["file"].read()
            data["file"].seek(0)
            earlier = SurveyImport.objects.filter(
                organisation=data["organisation"], file_sha256=hashlib.sha256(raw).hexdigest(),
                state=SurveyImport.State.IMPORTED).first()
            if earlier:
                form.add_error("file", f"This file was already imported on "
                                       f"{earlier.created_at:%-d %B %Y} as “{earlier.title}”")
            else:
                try:
                    survey_import = imports.survey_import_create(
                        acting_user=request.user, title=data["title"],
                        organisation=data["organisation"], received_on=data["received_on"],
                        upload=data["file"])
                except imports.ImportFileError as exc:
                    form.add_error("file", str(exc))
                else:
                    return redirect("staff:feedback:import-detail", pk=survey_import.pk)
        return render(request, "feedback/import_upload.html", {"form": form}, status=400)


class SurveyImportDetailView(FeedbackStaffMixin, View):
    """Map the columns, see the row-level report, confirm; then watch progress."""

    permission_required = "feedback.import_survey"

    def get_import(self, request, pk) -> SurveyImport:
        return get_object_or_404(selectors.survey_imports_for(request.user), pk=pk)

    def render_page(self, request, survey_import, form=None, checked=None, status=200):
        headers = []
        try:
            with survey_import.file.open("rb") as f:
                headers, _ = imports.read_file(f.read())
        except (imports.ImportFileError, FileNotFoundError, ValueError):
            pass
        if form is None and survey_import.state in (SurveyImport.State.UPLOADED,
                                                    SurveyImport.State.CHECKED):
            mapping = survey_import.mapping or {}
            initial = {f"col_{t}": c for t, c in mapping.get("columns", {}).items()}
            initial["statistics"] = mapping.get("statistics", [])
            initial["positive_from"] = mapping.get("positive_from", 4)
            form = SurveyMappingForm(headers=headers, initial=initial)
        return render(request, "feedback/import_detail.html", {
            "survey_import": survey_import, "form": form, "checked": checked,
            "statistics": survey_import.statistics.all(),
            "valid_rows": (survey_import.total_rows - len({e["row"] for e in survey_import.errors
                                                           if e.get("row_left_out")})
                           if survey_import.state == SurveyImport.State.CHECKED else None),
            "suggested": (survey_import.mapping or {}).get("suggested") and checked is None,
            "changeable": survey_import.state in (SurveyImport.State.UPLOADED,
                                                  SurveyImport.State.CHECKED),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, self.get_import(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey_import = self.get_import(request, pk)
        if request.POST.get("action") == "confirm":
            survey_import = imports.survey_import_confirm(acting_user=request.user,
                                                          survey_import=survey_import)
            messages.success(request, "Import started. You can leave this page; it carries on.")
            return redirect("staff:feedback:import-detail", pk=survey_import.pk)
        if survey_import.state not in (SurveyImport.State.UPLOADED, SurveyImport.State.CHECKED):
            return redirect("staff:feedback:import-detail", pk=survey_import.pk)
        with survey_import.file.open("rb") as f:
            headers, _ = imports.read_file(f.read())
        form = SurveyMappingForm(request.POST, headers=headers)
        if not form.is_valid():
            return self.render_page(request, survey_import, form=form, status=400)
        checked = imports.survey_import_check(acting_user=request.user,
                                              survey_import=survey_import, mapping=form.mapping())
        return self.render_page(request, survey_import, form=form, checked=checked)


class SurveyImportChangeView(FeedbackStaffMixin, View):
    """Upload a corrected file into an import not yet started (one form), or
    rename an import (the other). The same people as for the import itself."""

    permission_required = "feedback.import_survey"
    form_class = None
    states = (SurveyImport.State.UPLOADED, SurveyImport.State.CHECKED)
    heading = ""

    def get_import(self, request, pk) -> SurveyImport:
        return get_object_or_404(selectors.survey_imports_for(request.user), pk=pk,
                                 state__in=self.states)

    def page(self, request, survey_import, form, status=200):
        return render(request, "feedback/import_change.html", {
            "survey_import": survey_import, "form": form, "heading": self.heading,
            "multipart": self.form_class is SurveyReplaceFileForm}, status=status)


class SurveyImportReplaceView(SurveyImportChangeView):
    form_class = SurveyReplaceFileForm
    heading = "Upload a corrected file"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, self.get_import(request, pk), SurveyReplaceFileForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey_import = self.get_import(request, pk)
        form = SurveyReplaceFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                imports.survey_import_replace_file(acting_user=request.user,
                                                   survey_import=survey_import,
                                                   upload=form.cleaned_data["file"])
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
            except imports.ImportNotChangeable:
                messages.error(request, "The import has started, so its file cannot be replaced")
                return redirect("staff:feedback:import-detail", pk=pk)
            else:
                messages.success(request, "Corrected file uploaded. Check the columns and the "
                                          "file again before importing.")
                return redirect("staff:feedback:import-detail", pk=pk)
        return self.page(request, survey_import, form, status=400)


class SurveyImportRenameView(SurveyImportChangeView):
    form_class = SurveyRenameForm
    heading = "Rename the survey import"
    states = tuple(SurveyImport.State.values)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey_import = self.get_import(request, pk)
        return self.page(request, survey_import,
                         SurveyRenameForm(initial={"title": survey_import.title}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey_import = self.get_import(request, pk)
        form = SurveyRenameForm(request.POST)
        if form.is_valid():
            imports.survey_import_rename(acting_user=request.user, survey_import=survey_import,
                                         title=form.cleaned_data["title"])
            messages.success(request, "Survey import renamed")
            return redirect("staff:feedback:import-detail", pk=pk)
        return self.page(request, survey_import, form, status=400)


class SurveyImportRemoveView(FeedbackStaffMixin, View):
    """Remove a failed or unused (uploaded or checked) import, after an "Are
    you sure?" page. The same people as for the import itself; an import in
    any other state is not removable (404), so a stale page cannot remove one
    that has since been imported."""

    permission_required = "feedback.import_survey"

    def get_import(self, request, pk) -> SurveyImport:
        return get_object_or_404(selectors.survey_imports_for(request.user), pk=pk,
                                 state__in=imports.REMOVABLE_STATES)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey_import = self.get_import(request, pk)
        kept = survey_import.feedback.count()
        kind = "failed" if survey_import.state == SurveyImport.State.FAILED else "unused"
        consequences = ["It will no longer be listed in survey imports, and its uploaded "
                        "file will be deleted. Its name can then be used again."]
        if kept:
            consequences.append(f"The {kept:,} row{pluralize(kept)} it imported before it "
                                "stopped will stay in the inbox. Importing the file again "
                                "adds only the rest.")
        return render(request, "confirm.html", {
            "confirm_title": f"Remove the {kind} import {survey_import.title}",
            "confirm_caption": survey_import.title,
            "confirm_question": f"Are you sure you want to remove this {kind} import?",
            "confirm_consequences": consequences,
            "confirm_button": "Yes, remove the import",
            "cancel_url": reverse("staff:feedback:import-detail", args=[survey_import.pk]),
            "cancel_label": "No, go back to the import",
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey_import = self.get_import(request, pk)
        title = survey_import.title
        try:
            imports.survey_import_remove(acting_user=request.user, survey_import=survey_import)
        except imports.ImportNotRemovable:
            messages.error(request, "This import is being tried again, so it cannot be removed")
            return redirect("staff:feedback:import-detail", pk=pk)
        messages.success(request, f"Survey import “{title}” removed")
        return redirect("staff:feedback:imports")


class SurveyImportProgressView(FeedbackStaffMixin, View):
    permission_required = "feedback.import_survey"

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        survey_import = get_object_or_404(selectors.survey_imports_for(request.user), pk=pk)
        done = survey_import.state in (SurveyImport.State.IMPORTED, SurveyImport.State.FAILED)
        data = {
            "state": survey_import.state, "done": done,
            "message": (f"{survey_import.get_state_display()}: {survey_import.processed_rows:,} "
                        f"of {survey_import.total_rows:,} rows"),
        }
        if done:
            # The page shows this in place (static/js/progress.js never reloads
            # it, so nothing typed is lost); the full result is one link away.
            failed = survey_import.state == SurveyImport.State.FAILED
            data["link"] = {"url": reverse("staff:feedback:import-detail", args=[pk]),
                            "text": ("See what went wrong and try again" if failed
                                     else "See the imported rows and statistics")}
        return JsonResponse(data)


@method_decorator(never_cache, name="dispatch")
class SubjectRequestView(StaffPermissionMixin, View):
    """Subject access and erasure requests, for an administrator's
    organisations. Everything is POSTed: the person's e-mail address or phone
    number never appears in an address that servers log."""

    permission_required = "feedback.handle_subject_requests"
    template_name = "feedback/subject_request.html"

    def organisations(self, request):
        return organisations_where(request.user, Role.ADMINISTRATOR).order_by("name")

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, SubjectRequestForm())

    def page(self, request, form, status=200, **context) -> HttpResponse:
        from .models import RetentionRun

        return render(request, self.template_name, {
            "form": form, "organisations": self.organisations(request),
            "retention_runs": RetentionRun.objects.all()[:3],
            "retention_days": settings.FEEDBACK_CONTACT_RETENTION_DAYS,
            "auto_close_days": settings.FEEDBACK_AUTO_CLOSE_DAYS, **context,
        }, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        from . import subject as subjects

        form = SubjectRequestForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        subject = form.cleaned_data["identifier"]
        organisations = self.organisations(request)
        if "download_json" in request.POST or "download_pdf" in request.POST:
            export = subjects.subject_access_export(acting_user=request.user, subject=subject,
                                                    organisations=organisations)
            stamp = timezone.localdate().isoformat()
            if "download_json" in request.POST:
                response = JsonResponse(export, json_dumps_params={"indent": 2,
                                                                   "ensure_ascii": False})
                response["Content-Disposition"] = (
                    f'attachment; filename="subject-access-{stamp}.json"')
                return response
            # Made in the request, unlike other PDFs: it holds one person's data
            # and must not be written to shared storage; it is a page or two.
            from core.pdf import render_pdf_from_template

            pdf = render_pdf_from_template("feedback/subject_access_pdf.html", {
                "export": export, "organisations": organisations})
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="subject-access-{stamp}.pdf"'
            return response
        if "erase" in request.POST:
            erased = subjects.subject_erase(acting_user=request.user, subject=subject,
                                            organisations=organisations)
            messages.success(request, "Erased what we held about the person on "
                             + ", ".join(erased) if erased else "There was nothing to erase")
            return redirect("staff:feedback:subject-requests")
        found = subjects.subject_feedback(subject, organisations=organisations)
        participation_found = subjects.other_records_count(subject, organisations)
        template = ("confirm_erase" if "confirm_erase" in request.POST
                    and (found or participation_found) else "found")
        return self.page(request, form, found=found, participation_found=participation_found,
                         step=template)
