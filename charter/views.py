"""Pages of the charter: the public charter with its evidence and results,
the pulse form, and the staff editor, pulse rounds, participation audits
and evidence links.

Views check permission, validate a form, call one service, then redirect
or render.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from actionplan.models import Action
from core.concurrency import EditConflict
from core.http import parse_id
from core.models import Role
from core.ratelimit import over_limit
from core.selectors import organisations_acting_for
from core.views import StaffFormPage as CoreStaffFormPage
from core.views import StaffPermissionMixin, form_errors_from, show_conflict
from feedback.models import Feedback

from . import selectors, services
from .filters import AuditFilter
from .forms import (
    ITEM_FORMS,
    AdoptForm,
    AuditForm,
    AuditStartForm,
    CharterForm,
    EvidenceForm,
    ImprovementActionForm,
    PulseForm,
    PulseRoundForm,
    ReasonForm,
    SignatoryForm,
)
from .models import (
    Charter,
    Commitment,
    EvidenceLink,
    ParticipationAudit,
    PulseRound,
    Section,
    Signatory,
)
from .rules import AUDITORS, DRAFTERS

logger = logging.getLogger(__name__)

PULSE_RATE_LIMIT_PER_HOUR = 30


# The form-page flow is shared with the other apps (core.views).
_show_conflict = show_conflict
_form_errors_from = form_errors_from


# --- Public: the charter --------------------------------------------------------------------


def charter_page_context(charter: Charter, *, is_current: bool) -> dict:
    sections = selectors.charter_sections(charter)
    commitments = [c for s in sections for c in s.commitments.all()]
    evidence = selectors.evidence_public(commitments) if is_current else {}
    for commitment in commitments:
        commitment.public_evidence = evidence.get(commitment.lineage, [])
    return {
        "charter": charter,
        "is_current": is_current,
        "sections": sections,
        "responsibilities": list(charter.responsibilities.all()),
        "signatories": list(selectors.charter_signatories(charter)),
        "pulse": selectors.pulse_results(charter) if is_current else None,
        "open_round": selectors.pulse_round_open_public(charter.slug) if is_current else None,
        "versions": list(selectors.charter_versions(charter.slug)),
    }


class CharterIndexView(View):
    """/charter/: the first current charter in full, with links to the others."""

    def get(self, request: HttpRequest) -> HttpResponse:
        charters = list(selectors.charters_current())
        if not charters:
            return render(request, "charter/charter.html", {"charter": None})
        context = charter_page_context(charters[0], is_current=True)
        context["other_charters"] = charters[1:]
        return render(request, "charter/charter.html", context)


class CharterView(View):
    """/charter/<slug>/ (the adopted version) and /charter/<slug>/v/<n>/."""

    def get(self, request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
        charter = selectors.charter_public(slug, version)
        if charter is None:
            raise Http404
        is_current = charter.status == Charter.Status.ADOPTED
        if version is not None and is_current:
            return redirect(charter.get_absolute_url())
        context = charter_page_context(charter, is_current=is_current)
        if not is_current:
            context["current"] = selectors.charter_public(slug)
        return render(request, "charter/charter.html", context)


# --- Public: the pulse form -----------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class PulseView(View):
    """The "how we will know it is working" questions. At
    /charter/<slug>/pulse/ for the open public round, and at
    /charter/pulse/<token>/ for any round's invitation link."""

    template_name = "charter/pulse.html"

    def get_round(self, slug: str | None, token: str | None) -> PulseRound | None:
        if token is not None:
            pulse_round = selectors.pulse_round_for_token(token)
            if pulse_round is None:
                raise Http404
            return pulse_round
        if selectors.charter_public(slug) is None:
            raise Http404
        return selectors.pulse_round_open_public(slug)

    def render_closed(self, request, slug, pulse_round) -> HttpResponse:
        charter = pulse_round.charter if pulse_round else selectors.charter_public(slug)
        return render(request, "charter/pulse_closed.html",
                      {"charter": charter, "pulse_round": pulse_round},
                      status=410 if pulse_round else 200)

    def get(self, request: HttpRequest, slug: str | None = None,
            token: str | None = None) -> HttpResponse:
        pulse_round = self.get_round(slug, token)
        if pulse_round is None or not pulse_round.is_open:
            return self.render_closed(request, slug, pulse_round)
        form = PulseForm(statements=pulse_round.charter.statements.all())
        return render(request, self.template_name, {"form": form, "pulse_round": pulse_round,
                                                    "charter": pulse_round.charter})

    def post(self, request: HttpRequest, slug: str | None = None,
             token: str | None = None) -> HttpResponse:
        pulse_round = self.get_round(slug, token)
        if pulse_round is None or not pulse_round.is_open:
            return self.render_closed(request, slug, pulse_round)
        charter = pulse_round.charter
        form = PulseForm(request.POST, statements=charter.statements.all())
        thanks = reverse("charter:pulse_thanks", args=[charter.slug])
        if form.is_spam():
            return redirect(thanks)  # look like success to the robot; store nothing
        context = {"form": form, "pulse_round": pulse_round, "charter": charter}
        if over_limit(request, "charter-pulse", PULSE_RATE_LIMIT_PER_HOUR):
            form.is_valid()
            return render(request, self.template_name, {**context, "rate_limited": True},
                          status=429)
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        try:
            services.pulse_submit(pulse_round=pulse_round, ratings=form.ratings())
        except ValidationError:
            return self.render_closed(request, slug, pulse_round)
        return redirect(thanks)


class PulseThanksView(View):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        charter = selectors.charter_public(slug)
        if charter is None:
            raise Http404
        return render(request, "charter/pulse_thanks.html", {"charter": charter})


# --- Staff: charters ------------------------------------------------------------------------


def _drafting_organisations(user):
    return organisations_acting_for(user, *DRAFTERS)


def _signing_organisations(user):
    """A partner's signature is that partner's act: its approvers and its own
    administrators sign for it, never an administrator of another partner."""
    return organisations_acting_for(user, Role.APPROVER)


class CharterListView(StaffPermissionMixin, View):
    permission_required = "charter.view_charters"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "charter/staff_list.html", {
            "charters": selectors.charters_for_staff(),
            "can_add": request.user.has_perm("charter.add_charter"),
        })


class StaffFormPage(CoreStaffFormPage):
    """A staff page with one form on charter/staff_form.html (core.views.StaffFormPage)."""

    template_name = "charter/staff_form.html"


class CharterCreateView(StaffPermissionMixin, StaffFormPage):
    permission_required = "charter.add_charter"
    heading = "New charter"

    def make_form(self, data=None):
        return CharterForm(data, organisations=_drafting_organisations(self.request.user))

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        charter = services.charter_create(acting_user=self.request.user, **data)
        messages.success(self.request, f"Draft of “{charter.title}” created")
        return redirect(charter.get_staff_url())


class CharterObjectMixin(StaffPermissionMixin):
    """Loads a charter version and checks an object permission on it."""

    permission_required = "charter.view_charters"
    object_permission: str | None = None

    def get_charter(self, request, pk: int) -> Charter:
        charter = selectors.charter_for_editor(pk)
        if charter is None:
            raise Http404
        if self.object_permission and not request.user.has_perm(self.object_permission, charter):
            raise PermissionDenied
        return charter


class CharterFormPage(CharterObjectMixin, StaffFormPage):
    """A one-form page about one charter version (loaded and checked first)."""

    def prepare(self) -> None:
        self.charter = self.get_charter(self.request, self.kwargs["pk"])

    def extra_context(self) -> dict:
        return {"charter": self.charter}


def _with_remove_flag(user, signatory):
    signatory.can_remove = user.has_perm("charter.remove_signatory", signatory)
    return signatory


class CharterDetailView(CharterObjectMixin, View):
    """The editor: everything in one version, with controls when it is a draft."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        charter = self.get_charter(request, pk)
        user = request.user
        versions = list(Charter.objects.filter(slug=charter.slug)
                        .only("pk", "version", "status", "slug").order_by("-version"))
        return render(request, "charter/staff_detail.html", {
            "charter": charter,
            "sections": selectors.charter_sections(charter),
            "statements": list(charter.statements.all()),
            "responsibilities": list(charter.responsibilities.all()),
            "signatories": [_with_remove_flag(user, s)
                            for s in selectors.charter_signatories(charter)],
            "versions": versions,
            "has_draft": any(v.status == Charter.Status.DRAFT for v in versions),
            "can_edit": user.has_perm("charter.edit_charter", charter),
            "can_draft": user.has_perm("charter.draft_version", charter),
            "can_adopt": user.has_perm("charter.adopt_charter", charter),
            "can_sign": user.has_perm("charter.sign_charter", charter),
            "can_pulse": user.has_perm("charter.manage_pulse", charter),
        })


class CharterEditView(CharterFormPage):
    object_permission = "charter.edit_charter"
    heading = "Change the details"

    def make_form(self, data=None):
        c = self.charter
        return CharterForm(data, editing=True, initial={
            "title": c.title, "area": c.area, "introduction": c.introduction,
            "review_date": c.review_date, "position": c.position,
            "lock_version": c.lock_version})

    def save(self, form):
        services.charter_update(acting_user=self.request.user, charter=self.charter,
                                **form.cleaned_data)
        messages.success(self.request, "Details saved")
        return redirect(self.charter.get_staff_url())


# kind: (model of the parent it is added to, words for headings)
ITEM_PARENTS: dict[str, tuple[type[Model], str]] = {
    "section": (Charter, "section"),
    "commitment": (Section, "commitment"),
    "practice": (Commitment, "“what this means for us” line"),
    "statement": (Charter, "“how we will know” statement"),
    "responsibility": (Charter, "responsibility"),
}


def _item_label(kind: str) -> str:
    return ITEM_PARENTS[kind][1]


class ItemMixin(StaffPermissionMixin):
    permission_required = "charter.view_charters"
    template_name = "charter/staff_form.html"

    def check_kind(self, kind: str) -> None:
        if kind not in ITEM_PARENTS:
            raise Http404

    def get_item(self, request, kind: str, pk: int) -> tuple[Model, Charter]:
        self.check_kind(kind)
        model = services.ITEM_KINDS[kind][0]
        item = get_object_or_404(model, pk=pk)
        charter = services.item_charter(item)
        if not request.user.has_perm("charter.edit_charter", charter):
            raise PermissionDenied
        return item, charter

    def page(self, request, form, charter, heading, status=200, item=None):
        return render(request, self.template_name, {"form": form, "charter": charter,
                                                    "heading": heading, "item": item},
                      status=status)

    def done(self, charter, item=None):
        url = charter.get_staff_url()
        return redirect(f"{url}#{services.item_kind(item)}-{item.pk}" if item else url)


class ItemAddView(ItemMixin, View):
    def get_parent(self, request, kind: str, parent_pk: int) -> tuple[Model, Charter]:
        self.check_kind(kind)
        parent = get_object_or_404(ITEM_PARENTS[kind][0], pk=parent_pk)
        charter = services.item_charter(parent)
        if not request.user.has_perm("charter.edit_charter", charter):
            raise PermissionDenied
        return parent, charter

    def heading(self, kind, parent):
        label = _item_label(kind)
        if kind in ("commitment", "practice"):
            return f"Add a {label}", str(parent)
        return f"Add a {label}", None

    def get(self, request: HttpRequest, kind: str, parent: int) -> HttpResponse:
        parent_obj, charter = self.get_parent(request, kind, parent)
        heading, caption = self.heading(kind, parent_obj)
        return render(request, self.template_name, {"form": ITEM_FORMS[kind](), "charter": charter,
                                                    "heading": heading, "caption": caption})

    def post(self, request: HttpRequest, kind: str, parent: int) -> HttpResponse:
        parent_obj, charter = self.get_parent(request, kind, parent)
        form = ITEM_FORMS[kind](request.POST)
        if form.is_valid():
            try:
                item = services.charter_item_add(acting_user=request.user, kind=kind,
                                                 parent=parent_obj, fields=form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, f"{_item_label(kind)[0].upper()}{_item_label(kind)[1:]} "
                                          "added")
                return self.done(charter, item)
        heading, caption = self.heading(kind, parent_obj)
        return render(request, self.template_name, {"form": form, "charter": charter,
                                                    "heading": heading, "caption": caption},
                      status=400)


class ItemEditView(ItemMixin, View):
    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        item, charter = self.get_item(request, kind, pk)
        fields = services.ITEM_KINDS[kind][2]
        form = ITEM_FORMS[kind](initial={f: getattr(item, f) for f in (*fields, "lock_version")})
        return self.page(request, form, charter, f"Change the {_item_label(kind)}", item=item)

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        item, charter = self.get_item(request, kind, pk)
        form = ITEM_FORMS[kind](request.POST)
        if form.is_valid():
            try:
                services.charter_item_update(acting_user=request.user, item=item,
                                             fields=form.cleaned_data)
            except EditConflict as exc:
                _show_conflict(form, exc)
                return self.page(request, form, charter, f"Change the {_item_label(kind)}",
                                 status=409)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Changes saved")
                return self.done(charter, item)
        return self.page(request, form, charter, f"Change the {_item_label(kind)}", status=400,
                         item=item)


class ItemDeleteView(ItemMixin, View):
    template_name = "charter/staff_delete.html"

    def get(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        item, charter = self.get_item(request, kind, pk)
        return render(request, self.template_name, {"item": item, "kind": kind,
                                                    "label": _item_label(kind),
                                                    "charter": charter})

    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        item, charter = self.get_item(request, kind, pk)
        services.charter_item_delete(acting_user=request.user, item=item)
        messages.success(request, f"The {_item_label(kind)} was deleted")
        return self.done(charter)


class ItemMoveView(ItemMixin, View):
    def post(self, request: HttpRequest, kind: str, pk: int) -> HttpResponse:
        item, charter = self.get_item(request, kind, pk)
        direction = request.POST.get("direction")
        if direction not in ("up", "down"):
            return HttpResponse("Choose up or down.", status=400, content_type="text/plain")
        services.charter_item_move(acting_user=request.user, item=item, direction=direction)
        return self.done(charter, item)


class NewVersionView(CharterObjectMixin, View):
    object_permission = "charter.draft_version"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        charter = self.get_charter(request, pk)
        try:
            draft = services.charter_new_version(acting_user=request.user, charter=charter)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(charter.get_staff_url())
        messages.success(request, f"Version {draft.version} drafted from version {charter.version}")
        return redirect(draft.get_staff_url())


class AdoptView(CharterObjectMixin, View):
    object_permission = "charter.adopt_charter"
    template_name = "charter/staff_adopt.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        charter = self.get_charter(request, pk)
        return render(request, self.template_name, {"form": AdoptForm(), "charter": charter})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        charter = self.get_charter(request, pk)
        form = AdoptForm(request.POST)
        if form.is_valid():
            try:
                services.charter_adopt(acting_user=request.user, charter=charter,
                                       **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, f"Version {charter.version} adopted and published")
                return redirect(charter.get_staff_url())
        return render(request, self.template_name, {"form": form, "charter": charter},
                      status=400)


class SignView(CharterFormPage):
    """Approvers and administrators record their own organisation's signature."""

    object_permission = "charter.sign_charter"
    heading = "Add a signatory"

    def make_form(self, data=None):
        return SignatoryForm(data, organisations=_signing_organisations(self.request.user))

    def save(self, form):
        services.signatory_add(acting_user=self.request.user, charter=self.charter,
                               **form.cleaned_data)
        messages.success(self.request, f"{form.cleaned_data['organisation']} has signed")
        return redirect(self.charter.get_staff_url() + "#signatories")


# --- Staff: pulse rounds --------------------------------------------------------------------


class PulseRoundsView(CharterObjectMixin, View):
    """A charter's rounds, their invitation links, answers and results."""

    object_permission = "charter.manage_pulse"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        charter = self.get_charter(request, pk)
        rounds = list(selectors.pulse_rounds_for(charter))
        return render(request, "charter/staff_pulse.html", {
            "charter": charter, "rounds": rounds,
            "pulse": selectors.pulse_results(charter, rounds=sorted(
                rounds, key=lambda r: (r.held_on, r.pk))[-6:]),
            "base_url": request.build_absolute_uri("/")[:-1],
        })


class PulseRoundCreateView(CharterFormPage):
    object_permission = "charter.manage_pulse"
    heading = "Open a pulse round"

    def make_form(self, data=None):
        return PulseRoundForm(data)

    def save(self, form):
        services.pulse_round_create(acting_user=self.request.user, charter=self.charter,
                                    **form.cleaned_data)
        messages.success(self.request, f"Round “{form.cleaned_data['title']}” is open")
        return redirect("staff:charter:pulse_rounds", pk=self.charter.pk)


class PulseRoundStateView(StaffPermissionMixin, View):
    permission_required = "charter.view_charters"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pulse_round = get_object_or_404(PulseRound.objects.select_related("charter"), pk=pk)
        if not request.user.has_perm("charter.manage_pulse", pulse_round.charter):
            raise PermissionDenied
        state = request.POST.get("state")
        try:
            services.pulse_round_set_state(acting_user=request.user, pulse_round=pulse_round,
                                           state=state)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Round “{pulse_round.title}” is now "
                                      f"{'open' if state == PulseRound.State.OPEN else 'closed'}")
        return redirect("staff:charter:pulse_rounds", pk=pulse_round.charter_id)


# --- Staff: participation audits ------------------------------------------------------------


def _auditing_organisations(user):
    return organisations_acting_for(user, *AUDITORS)


class AuditListView(StaffPermissionMixin, View):
    """Summaries per team and year: total and each section as % of the maximum."""

    permission_required = "charter.view_audits"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = AuditFilter(request.GET or None,
                                queryset=selectors.audits_visible_to(request.user))
        page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
        audits = list(page.object_list)
        sections, summaries = selectors.audit_summaries(audits)
        for audit in audits:
            audit.summary = summaries[audit.pk]
            audit.can_view = request.user.has_perm("charter.view_audit", audit)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "charter/audit_list.html", {
            "filter": filterset, "page": page, "audits": audits, "sections": sections,
            "query": query.urlencode(),
            "can_start": request.user.has_perm("charter.start_audit"),
        })


class AuditStartView(StaffPermissionMixin, StaffFormPage):
    permission_required = "charter.start_audit"
    heading = "Start a participation audit"

    def make_form(self, data=None):
        return AuditStartForm(data, organisations=_auditing_organisations(self.request.user))

    def save(self, form):
        audit = services.audit_start(acting_user=self.request.user, **form.cleaned_data)
        return redirect("staff:charter:audit_edit", pk=audit.pk)


class AuditObjectMixin(StaffPermissionMixin):
    permission_required = "charter.view_audits"
    object_permission = "charter.view_audit"

    def get_audit(self, request, pk: int) -> ParticipationAudit:
        audit = selectors.audit_detail(pk)
        if audit is None:
            raise Http404
        if not request.user.has_perm(self.object_permission, audit):
            raise PermissionDenied
        return audit


class AuditDetailView(AuditObjectMixin, View):
    """Results: the summary, every answer with its evidence, and improvement actions."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        audit = self.get_audit(request, pk)
        answers = list(audit.answers.all())
        _, summaries = selectors.audit_summaries([audit])
        return render(request, "charter/audit_detail.html", {
            "audit": audit, "answers": answers, "summary": summaries[audit.pk],
            "improvements": list(audit.improvements.all()),
            "can_complete": request.user.has_perm("charter.complete_audit", audit),
            "can_add_action": request.user.has_perm("charter.add_improvement_action", audit),
            "can_reopen": request.user.has_perm("charter.reopen_audit", audit),
        })


class AuditEditView(AuditObjectMixin, View):
    object_permission = "charter.complete_audit"
    template_name = "charter/audit_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        audit = self.get_audit(request, pk)
        form = AuditForm(audit=audit, answers=audit.answers.all())
        return render(request, self.template_name, {"form": form, "audit": audit})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        audit = self.get_audit(request, pk)
        form = AuditForm(request.POST, audit=audit, answers=audit.answers.all())
        if form.is_valid():
            try:
                services.audit_save(acting_user=request.user, audit=audit,
                                    answers=form.answer_values(), complete=form.completing,
                                    cornerstones=form.cleaned_data.get("cornerstones", []))
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                if form.completing:
                    messages.success(request, f"Participation audit for {audit.team} completed")
                    return redirect("staff:charter:audit_detail", pk=audit.pk)
                messages.success(request, "Your answers are saved. Come back to complete the "
                                          "audit.")
                return redirect("staff:charter:audit_edit", pk=audit.pk)
        return render(request, self.template_name, {"form": form, "audit": audit}, status=400)


class ImprovementActionView(AuditObjectMixin, View):
    object_permission = "charter.add_improvement_action"
    template_name = "charter/staff_form.html"

    def context(self, audit, form):
        return {"form": form, "heading": "Add an improvement action",
                "caption": str(audit), "back_url": audit.get_absolute_url(),
                "intro": f"It becomes an action in the action plan, led by "
                         f"{audit.organisation}, so its progress is tracked with the others."}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        audit = self.get_audit(request, pk)
        return render(request, self.template_name, self.context(audit, ImprovementActionForm()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        audit = self.get_audit(request, pk)
        form = ImprovementActionForm(request.POST)
        if form.is_valid():
            try:
                link = services.improvement_action_add(acting_user=request.user, audit=audit,
                                                       **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, f"Action {link.action.reference} added to the "
                                          "action plan")
                return redirect(audit.get_absolute_url())
        return render(request, self.template_name, self.context(audit, form), status=400)


# --- Staff: evidence ------------------------------------------------------------------------


class EvidenceListView(StaffPermissionMixin, View):
    permission_required = "charter.view_charters"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.evidence_for_staff(), 25).get_page(request.GET.get("page"))
        for link in page.object_list:
            link.can_remove = request.user.has_perm("charter.remove_evidence", link)
        return render(request, "charter/evidence_list.html", {
            "page": page, "can_add": request.user.has_perm("charter.add_evidence"), "query": ""})


class EvidenceAddView(StaffPermissionMixin, View):
    permission_required = "charter.add_evidence"
    template_name = "charter/staff_form.html"

    def form(self, data=None, initial=None):
        return EvidenceForm(data, initial=initial, commitments=selectors.commitments_current(),
                            actions=Action.objects.select_related("priority").order_by(
                                "priority__plan__title", "priority__number", "id"))

    def context(self, form):
        return {"form": form, "heading": "Link evidence to a commitment",
                "back_url": reverse("staff:charter:evidence_list"),
                "intro": "Show that a commitment is kept, or broken. Feedback appears on the "
                         "public charter page only once its reply has been sent, and then only "
                         "as what you write below, the outcome and the date."}

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {}
        commitment = parse_id(request.GET.get("commitment", ""))
        if commitment:
            initial["commitment"] = commitment
        return render(request, self.template_name, self.context(self.form(initial=initial)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            kwargs = {"acting_user": request.user, "commitment": data["commitment"],
                      "effect": data["effect"], "summary": data["summary"]}
            if data["kind"] == "action":
                kwargs["action"] = data["action"]
            elif data["kind"] == "feedback":
                reference = data["feedback_reference"].strip().upper()
                feedback = Feedback.objects.filter(reference=reference).first()
                # Same answer whether it does not exist or is not theirs to read.
                if feedback is None or not request.user.has_perm("feedback.view_feedback",
                                                                  feedback):
                    form.add_error("feedback_reference", "We cannot find feedback with that "
                                                         "reference that you may read")
                kwargs["feedback"] = feedback
            else:
                kwargs["title"], kwargs["url"] = data["title"], data["url"]
            if not form.errors:
                try:
                    services.evidence_link_add(**kwargs)
                except ValidationError as exc:
                    _form_errors_from(form, exc)
                else:
                    messages.success(request, "Evidence linked")
                    return redirect("staff:charter:evidence_list")
        return render(request, self.template_name, self.context(form), status=400)


class EvidenceRemoveView(StaffPermissionMixin, View):
    permission_required = "charter.add_evidence"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        link = get_object_or_404(EvidenceLink.objects.select_related(
            "commitment__section__charter"), pk=pk)
        if not request.user.has_perm("charter.remove_evidence", link):
            raise PermissionDenied
        services.evidence_link_remove(acting_user=request.user, link=link)
        messages.success(request, "Evidence link removed")
        return redirect("staff:charter:evidence_list")



# --- Taking a signature off, reopening an audit -----------------------------------------------


class SignatoryRemoveView(StaffPermissionMixin, StaffFormPage):
    """Take a partner's signature off a version, with a reason (audited)."""

    permission_required = "charter.view_charters"
    heading = "Remove a signature"

    def prepare(self) -> None:
        self.signatory = get_object_or_404(
            Signatory.objects.select_related("charter", "organisation"), pk=self.kwargs["pk"])
        if not self.request.user.has_perm("charter.remove_signatory", self.signatory):
            raise PermissionDenied

    def extra_context(self) -> dict:
        s = self.signatory
        return {"charter": s.charter,
                "caption": f"{s.charter.title}, version {s.charter.version}",
                "intro": f"{s.organisation.name} ({s.role_title}, signed "
                         f"{s.signed_on:%-d %B %Y}) will no longer be listed as a signatory "
                         "on the public charter.",
                "back_url": s.charter.get_staff_url() + "#signatories"}

    def make_form(self, data=None):
        return ReasonForm(data, label="Why is the signature being removed?",
                          required_message="Enter why the signature is being removed",
                          button="Remove the signature")

    def save(self, form):
        charter = self.signatory.charter
        services.signatory_remove(acting_user=self.request.user, signatory=self.signatory,
                                  reason=form.cleaned_data["reason"])
        messages.success(self.request, f"Signature of {self.signatory.organisation.name} removed")
        return redirect(charter.get_staff_url() + "#signatories")


class AuditReopenView(AuditObjectMixin, StaffFormPage):
    """Open a completed participation audit again, with a reason (audited)."""

    object_permission = "charter.reopen_audit"
    heading = "Reopen the audit"

    def prepare(self) -> None:
        self.audit = self.get_audit(self.request, self.kwargs["pk"])

    def extra_context(self) -> dict:
        return {"caption": str(self.audit),
                "intro": "The team can change its answers again; the audit is in progress "
                         "until it is completed again.",
                "back_url": reverse("staff:charter:audit_detail", args=[self.audit.pk])}

    def make_form(self, data=None):
        return ReasonForm(data, label="Why is the audit being reopened?",
                          required_message="Enter why the audit is being reopened",
                          button="Reopen the audit")

    def save(self, form):
        services.audit_reopen(acting_user=self.request.user, audit=self.audit,
                              reason=form.cleaned_data["reason"])
        messages.success(self.request, "Audit reopened")
        return redirect("staff:charter:audit_edit", pk=self.audit.pk)
