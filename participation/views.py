import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.ratelimit import over_limit
from core.roles import WORKING_ROLES, organisation_ids_with_role
from core.views import StaffPermissionMixin

from . import selectors, services
from .forms import (
    AnswerForm,
    AreaFiguresForm,
    InterestForm,
    InviteForm,
    OpportunityForm,
    RegisterForm,
)
from .models import AreaFigure, Dimension, Opportunity

logger = logging.getLogger(__name__)

# The private link of the entry this browser has just made, for the "You
# have joined" page: a signed cookie for that page only (as feedback's
# "Feedback sent"), never an address or the database.
JOINED_COOKIE = "register_joined"
JOINED_COOKIE_MAX_AGE = 60 * 60


def _secret_page(response: HttpResponse) -> HttpResponse:
    # The address is a secret: send only the origin on (the page's own form
    # needs it for the CSRF check), and keep it out of search engines.
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Public ---------------------------------------------------------------------------------


class IndexView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        published = list(services.opportunities_public())
        return render(request, "participation/index.html", {
            "open": [o for o in published if o.closes_on >= today],
            "closed": sorted((o for o in published if o.closes_on < today),
                             key=lambda o: o.closes_on, reverse=True)})


def _published(slug: str) -> Opportunity:
    return get_object_or_404(services.opportunities_public(), slug=slug)


class OpportunityView(View):
    template_name = "participation/opportunity.html"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return render(request, self.template_name, {"opportunity": _published(slug)})


class OpportunityEasyReadView(OpportunityView):
    template_name = "participation/opportunity_easy_read.html"


@method_decorator(never_cache, name="dispatch")
class TakePartView(View):
    template_name = "participation/take_part.html"

    def page(self, request, opportunity, form, status=200, **context):
        return render(request, self.template_name,
                      {"opportunity": opportunity, "form": form,
                       "retention_days": settings.INTEREST_RETENTION_DAYS, **context},
                      status=status)

    def opportunity(self, slug):
        opportunity = _published(slug)
        if not opportunity.is_open:
            raise Http404
        return opportunity

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.page(request, self.opportunity(slug), InterestForm())

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        opportunity = self.opportunity(slug)
        form = InterestForm(request.POST)
        if form.is_spam():
            return render(request, "participation/take_part_sent.html", {"opportunity": opportunity})
        if over_limit(request, "take-part", settings.FEEDBACK_RATE_LIMIT_PER_HOUR):
            form.is_valid()
            return self.page(request, opportunity, form, status=429, rate_limited=True)
        if not form.is_valid():
            return self.page(request, opportunity, form, status=400)
        d = form.cleaned_data
        services.interest_submit(opportunity=opportunity, name=d["name"].strip(),
                                 email=d["email"], phone=d["phone"].strip(),
                                 needs=d["needs"].strip(), about=form.about())
        return redirect("participation:take-part-sent", slug=opportunity.slug)


class TakePartSentView(View):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return render(request, "participation/take_part_sent.html",
                      {"opportunity": _published(slug)})


@method_decorator(never_cache, name="dispatch")
class RegisterJoinView(View):
    template_name = "participation/register_join.html"

    def form(self, data=None):
        from feedback.services import default_organisation

        wording = services.CONSENT_WORDING.format(organisation=default_organisation().display_name)
        return RegisterForm(data, consent_wording=wording)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self.form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_spam():
            return render(request, "participation/register_joined.html", {"spam": True})
        if over_limit(request, "register", settings.FEEDBACK_RATE_LIMIT_PER_HOUR):
            form.is_valid()
            return render(request, self.template_name, {"form": form, "rate_limited": True},
                          status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        entry = services.register_join(**form.service_kwargs(), about=form.about())
        response = redirect("participation:register-joined")
        response.set_signed_cookie(
            JOINED_COOKIE, entry.token, salt=JOINED_COOKIE, max_age=JOINED_COOKIE_MAX_AGE,
            path=reverse("participation:register-joined"), secure=settings.SESSION_COOKIE_SECURE,
            httponly=True, samesite="Lax")
        return response


@method_decorator(never_cache, name="dispatch")
class RegisterJoinedView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        token = request.get_signed_cookie(JOINED_COOKIE, default=None, salt=JOINED_COOKIE,
                                          max_age=JOINED_COOKIE_MAX_AGE)
        entry = services.entry_for_token(token) if token else None
        private_url = request.build_absolute_uri(
            reverse("participation:register-manage", args=[token])) if entry else ""
        response = render(request, "participation/register_joined.html",
                          {"entry": entry, "private_url": private_url})
        response["Referrer-Policy"] = "no-referrer"
        return response


@method_decorator(never_cache, name="dispatch")
class RegisterManageView(View):
    """The private link: change one's choices, or go on to leave."""

    template_name = "participation/register_manage.html"

    def entry(self, token):
        entry = services.entry_for_token(token)
        if entry is None:
            raise Http404
        return entry

    def page(self, request, entry, form, status=200, **context):
        return _secret_page(render(request, self.template_name,
                                   {"entry": entry, "form": form, **context}, status=status))

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        entry = self.entry(token)
        form = RegisterForm(joining=False, initial={
            "name": entry.name, "email": entry.email, "phone": entry.phone,
            "postal_address": entry.postal_address, "channels": entry.channels,
            "topics": entry.topics, "kinds": entry.kinds})
        return self.page(request, entry, form, saved="saved" in request.GET)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        entry = self.entry(token)
        form = RegisterForm(request.POST, joining=False)
        if not form.is_valid():
            return self.page(request, entry, form, status=400)
        services.register_change(entry=entry, **form.service_kwargs())
        return self.page(request, entry, form, saved=True)


@method_decorator(never_cache, name="dispatch")
class RegisterLeaveView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        entry = services.entry_for_token(token)
        if entry is None:
            raise Http404
        return _secret_page(render(request, "participation/register_leave.html", {"entry": entry}))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        entry = services.entry_for_token(token)
        if entry is not None:
            services.register_leave(entry=entry)
        return _secret_page(render(request, "participation/register_left.html"))


@method_decorator(never_cache, name="dispatch")
class RegisterRenewView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        entry = services.entry_for_renewal(token)
        if entry is None:
            return render(request, "participation/link_expired.html", status=404)
        return _secret_page(render(request, "participation/register_renew.html", {"entry": entry}))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        entry = services.entry_for_renewal(token)
        if entry is None:
            return render(request, "participation/link_expired.html", status=404)
        services.register_renew(entry=entry)
        return _secret_page(render(request, "participation/register_renew.html",
                                   {"entry": entry, "renewed": True}))


@method_decorator(never_cache, name="dispatch")
class AnswerView(View):
    """An invitation's answer link: yes or no, no account needed."""

    def page(self, request, invitation, form, status=200, **context):
        return _secret_page(render(request, "participation/answer.html", {
            "invitation": invitation, "opportunity": invitation.opportunity, "form": form,
            **context}, status=status))

    def invitation(self, token):
        invitation = services.invitation_for_answer(token)
        if invitation is None:
            raise Http404
        return invitation

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = self.invitation(token)
        return self.page(request, invitation, AnswerForm(initial={"answer": invitation.answer}))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = self.invitation(token)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.page(request, invitation, form, status=400)
        services.invitation_answer(invitation=invitation, answer=form.cleaned_data["answer"])
        return self.page(request, invitation, form, answered=True)


# --- Staff ---------------------------------------------------------------------------------


class ParticipationStaffMixin(StaffPermissionMixin):
    permission_required = "participation.view_opportunities"

    def working_org_ids(self):
        return organisation_ids_with_role(self.request.user, WORKING_ROLES)


class StaffOpportunityListView(ParticipationStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "participation/staff_list.html", {
            "opportunities": selectors.staff_opportunities(self.working_org_ids())})


class StaffOpportunityFormView(ParticipationStaffMixin, View):
    def get_object(self, pk):
        if pk is None:
            return Opportunity()
        opportunity = get_object_or_404(Opportunity, pk=pk)
        if not self.request.user.has_perm("participation.change_opportunity", opportunity):
            raise Http404
        return opportunity

    def page(self, request, opportunity, form, status=200):
        return render(request, "participation/staff_form.html",
                      {"opportunity": opportunity, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        opportunity = self.get_object(pk)
        initial = OpportunityForm.initial_for(opportunity) if opportunity.pk else {}
        return self.page(request, opportunity, OpportunityForm(initial=initial))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        opportunity = self.get_object(pk)
        form = OpportunityForm(request.POST)
        if not form.is_valid():
            return self.page(request, opportunity, form, status=400)
        if opportunity.pk is None:
            from core.models import Organisation

            opportunity.organisation = (Organisation.objects.filter(pk__in=self.working_org_ids())
                                        .order_by("-is_partnership_lead", "pk").first())
        services.opportunity_save(acting_user=request.user, opportunity=form.fill(opportunity))
        messages.success(request, f"Saved “{opportunity.title}”")
        return redirect("staff:participation:detail", pk=opportunity.pk)


class StaffOpportunityDetailView(StaffOpportunityFormView):
    def page(self, request, opportunity, form, status=200):
        invitations = (opportunity.invitations.select_related("entry")
                       .order_by("entry__name", "pk"))
        return render(request, "participation/staff_detail.html", {
            "opportunity": opportunity, "form": form, "invitations": invitations,
            "interests": opportunity.interests.all(),
            "answered": sum(1 for i in invitations if i.answer)}, status=status)

    def invite_form(self, opportunity, data=None):
        return InviteForm(data, entries=selectors.entries_to_invite(opportunity,
                                                                      self.working_org_ids()))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        opportunity = self.get_object(pk)
        return self.page(request, opportunity, self.invite_form(opportunity))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        opportunity = self.get_object(pk)
        form = self.invite_form(opportunity, request.POST)
        if not form.is_valid():
            return self.page(request, opportunity, form, status=400)
        made = services.invite(acting_user=request.user, opportunity=opportunity,
                               entries=form.chosen())
        messages.success(request, f"{len(made)} invitation{'s' if len(made) != 1 else ''} sent")
        return redirect("staff:participation:detail", pk=opportunity.pk)


class StaffRegisterView(ParticipationStaffMixin, View):
    permission_required = "participation.view_register"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "participation/staff_register.html", {
            "entries": selectors.register_entries(self.working_org_ids()),
            "renewal_days": settings.REGISTER_RENEWAL_DAYS})


class RepresentationView(ParticipationStaffMixin, View):
    permission_required = "participation.view_representation"

    def get(self, request: HttpRequest) -> HttpResponse:
        since = selectors.twelve_months_ago()
        return render(request, "participation/staff_representation.html", {
            "comparisons": selectors.representation(since=since), "since": since,
            "suppress_below": selectors.SUPPRESS_BELOW})


class AreaFiguresView(ParticipationStaffMixin, View):
    permission_required = "participation.enter_area_figures"

    def dimension(self, dimension):
        if dimension not in Dimension.values:
            raise Http404
        return dimension

    def page(self, request, dimension, form, status=200):
        return render(request, "participation/staff_figures.html", {
            "form": form, "dimension_label": Dimension(dimension).label,
            "dimensions": Dimension.choices, "dimension": dimension}, status=status)

    def get(self, request: HttpRequest, dimension: str) -> HttpResponse:
        dimension = self.dimension(dimension)
        figures = AreaFigure.objects.filter(dimension=dimension)
        initial = {f"count_{f.value}": f.count for f in figures}
        initial["source"] = next((f.source for f in figures), "")
        return self.page(request, dimension, AreaFiguresForm(dimension=dimension, initial=initial))

    def post(self, request: HttpRequest, dimension: str) -> HttpResponse:
        dimension = self.dimension(dimension)
        form = AreaFiguresForm(request.POST, dimension=dimension)
        if not form.is_valid():
            return self.page(request, dimension, form, status=400)
        services.area_figures_save(acting_user=request.user, dimension=dimension,
                                   counts=form.counts(), source=form.cleaned_data["source"].strip())
        messages.success(request, f"Saved the figures for “{Dimension(dimension).label}”")
        return redirect("staff:participation:representation")


