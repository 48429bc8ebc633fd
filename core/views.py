import datetime
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

from . import selectors, services
from .forms import (
    GdsSetPasswordForm,
    ListItemForm,
    PersonForm,
    StaffPasswordResetForm,
)
from .models import Role
from .ratelimit import hit, over_limit
from .selectors import organisations_where

logger = logging.getLogger(__name__)


class StaffPermissionMixin(PermissionRequiredMixin):
    """Every staff page: anonymous visitors are sent to sign in; signed-in
    people without the permission get the 403 page."""

    permission_required = "core.access_staff_area"

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            from .two_factor import redirect_to_sign_in

            return redirect_to_sign_in(self.request)
        return super().handle_no_permission()


def show_conflict(form, exc) -> None:
    """On an EditConflict (core.concurrency): what the object says now, field
    by field, next to what was typed (nothing typed is lost)."""
    values = []
    for name, field in form.fields.items():
        if name != "lock_version" and hasattr(exc.current, name):
            value = getattr(exc.current, name)
            if hasattr(value, "all"):  # a many-to-many field
                value = ", ".join(str(v) for v in value.all())
            elif isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, datetime.date):
                value = f"{value:%-d %B %Y}"
            values.append((field.label, "" if value is None else str(value)))
    form.show_conflict(exc, values)


def form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class StaffFormPage(View):
    """A staff page with one form. GET shows the form; POST validates it and
    calls save() (which calls one service and returns the redirect); a
    service's ValidationError lands on the form; an EditConflict shows the
    other person's values with status 409; errors come back with status 400
    and everything typed. prepare() runs first, so object permission checks
    happen before any form work."""

    template_name = ""
    heading = ""

    def prepare(self) -> None:
        pass

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> HttpResponse:
        raise NotImplementedError

    def extra_context(self) -> dict:
        return {}

    def render_form(self, form, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name,
                      {"form": form, "heading": self.heading, **self.extra_context()},
                      status=status)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.prepare()
        return self.render_form(self.make_form())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from .concurrency import EditConflict

        self.prepare()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                return self.save(form)
            except EditConflict as exc:
                show_conflict(form, exc)
                return self.render_form(form, status=409)
            except ValidationError as exc:
                form_errors_from(form, exc)
        return self.render_form(form, status=400)


class StaffHomeView(StaffPermissionMixin, TemplateView):
    """What needs this person today. Each app that has something to say
    gives its AppConfig a `staff_panel(request)` returning a template name
    and context (or None), so core never imports the apps above it."""

    template_name = "core/staff_home.html"

    def get_context_data(self, **kwargs):
        from django.apps import apps

        context = super().get_context_data(**kwargs)
        context["memberships"] = selectors.memberships_for(self.request.user)
        panels = []
        for config in apps.get_app_configs():
            panel = getattr(config, "staff_panel", None)
            result = panel(self.request) if panel else None
            if result:
                panels.append(result)
        context["panels"] = panels
        return context


class ListsView(StaffPermissionMixin, TemplateView):
    """Themes and service areas: officers read them, administrators add."""

    permission_required = "core.view_lists"
    template_name = "core/lists.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["themes"] = selectors.themes_all()
        context["service_areas"] = selectors.service_areas_all()
        administered = list(organisations_where(self.request.user, Role.ADMINISTRATOR)
                            .values_list("pk", flat=True))
        if administered:  # how often officers take the suggested themes
            from feedback.suggest import acceptance

            context["suggestion_acceptance"] = acceptance(administered)
        return context


class ListItemCreateView(StaffPermissionMixin, View):
    permission_required = "core.manage_lists"
    template_name = "core/list_item_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ListItemForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ListItemForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            item = services.list_item_create(
                acting_user=request.user, model=form.model(),
                name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                easy_read_name=form.cleaned_data["easy_read_name"],
                picture=form.cleaned_data["picture"],
            )
        except ValidationError as exc:  # e.g. added by someone else a moment ago
            form.add_error("name" if hasattr(exc, "error_dict") else None,
                           "There is already one with that name" if hasattr(exc, "error_dict")
                           else exc.messages)
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(request, f"{item._meta.verbose_name.capitalize()} “{item}” added")
        return redirect("staff:lists")


class PeopleView(StaffPermissionMixin, View):
    """Administrators: who holds which role in their organisations, and each
    organisation's settings."""

    permission_required = "core.manage_people"

    def organisations(self, request):
        from .models import Role

        return selectors.organisations_where(request.user, Role.ADMINISTRATOR)

    def get(self, request: HttpRequest) -> HttpResponse:
        organisations = list(self.organisations(request))
        return render(request, "core/people.html", {
            "organisations": organisations,
            "memberships": selectors.memberships_in(organisations),
        })


class RoleRemoveView(PeopleView):
    """Removing a role takes effect at once and cannot be undone (the person
    must be added again), so it has an "Are you sure?" page in words; only
    its POST removes."""

    def get_membership(self, request, pk):
        from .models import Membership

        return get_object_or_404(Membership.objects.select_related("organisation", "user"),
                                 pk=pk, organisation__in=self.organisations(request))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.get_membership(request, pk)
        person = membership.user.get_full_name() or membership.user.email
        role = membership.get_role_display()
        return render(request, "confirm.html", {
            "confirm_title": f"Remove {person}’s role as {role} in {membership.organisation}",
            "confirm_caption": "People and settings",
            "confirm_question": f"Are you sure you want to remove {person}’s role as {role}?",
            "confirm_consequences": [
                f"{person} ({membership.user.email}) will no longer be {role.lower()} in "
                f"{membership.organisation}, from now on.",
                "Whatever this role let them see or do there stops at once. If it was their "
                "only role, they can no longer use the staff area. To give the role back, "
                "add them again.",
            ],
            "confirm_button": "Yes, remove the role",
            "cancel_url": reverse("staff:people"),
            "cancel_label": "No, go back to people and settings",
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.get_membership(request, pk)
        try:
            services.role_remove(acting_user=request.user, membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Role removed from {membership.user}")
        return redirect("staff:people")


class PersonAddView(PeopleView):
    def get(self, request: HttpRequest) -> HttpResponse:
        # "Add an approver" links (core/_no_approver.html) choose both for you.
        form = PersonForm(organisations=self.organisations(request), initial={
            k: request.GET[k] for k in ("organisation", "role") if k in request.GET})
        return render(request, "core/person_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonForm(request.POST, organisations=self.organisations(request))
        if not form.is_valid():
            return render(request, "core/person_form.html", {"form": form}, status=400)
        membership, created = services.person_add(acting_user=request.user, **form.cleaned_data)
        messages.success(request, f"{membership.user} added as {membership.get_role_display()}"
                         + (". We have e-mailed them a link to choose a password." if created
                            else ""))
        return redirect("staff:people")


class AuditTrailView(StaffPermissionMixin, View):
    """The audit trail: who changed what, and when, filtered by person, kind
    of event, object and dates.

    Administrators of ANY organisation see the whole partnership's trail (the
    decision, recorded in docs/audit.md): much of what is audited is shared
    (themes, service areas, charters signed by many organisations, actions
    led with partners, feedback shared between organisations), so an
    organisation's slice would hide exactly the cross-organisation changes
    the trail exists to show; and events hold ids, states and field names,
    never what a family wrote or their contact details. Everyone else: 403.
    """

    permission_required = "core.view_audit"
    per_page = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        from .audit import verb_label
        from .filters import AuditEventFilter, object_type_choices
        from .pagination import CappedPaginator

        filterset = AuditEventFilter(request.GET or None, queryset=selectors.audit_events())
        # Invalid filters (an impossible date) are shown as errors and the
        # valid ones still apply; django-filter ignores the invalid fields.
        if filterset.is_bound:
            filterset.form.is_valid()
        queryset = filterset.filter_queryset(filterset.queryset) if filterset.is_bound \
            else filterset.queryset
        page = CappedPaginator(queryset, self.per_page).get_page(request.GET.get("page"))
        types = dict(object_type_choices())
        for event in page.object_list:
            event.label = verb_label(event.verb)
            event.type_label = types.get(event.target_type, event.target_type)
            event.details = [(key, ", ".join(map(str, value)) if isinstance(value, list)
                              else str(value)) for key, value in sorted(event.data.items())]
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "core/audit.html", {
            "filter": filterset, "form": filterset.form, "page": page,
            "query": query.urlencode(),
        })


class StaffPasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. Limited per address and per account (the
    address is counted first, so guessing many accounts from one place is
    limited too); over a limit, and for an address with no account, the same
    "check your e-mail" page follows, so the page reveals nothing."""

    form_class = StaffPasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_address = over_limit(self.request, "password-reset-address",
                                settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR)
        by_account = hit("password-reset-account", email,
                         limit=settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR)
        if by_address or by_account:
            logger.warning("password reset request over the limit (%s)",
                           "address" if by_address else "account")
        else:
            form.save()
        return redirect(self.get_success_url())


class GdsPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = GdsSetPasswordForm


class StaticPageView(TemplateView):
    """Accessibility statement, privacy notice, cookies."""


class JobsView(StaffPermissionMixin, View):
    """Administrators: background work that failed after its last try (an
    e-mail, a PDF, a survey import), with "try again"; and how much is
    waiting."""

    permission_required = "core.manage_jobs"

    def organisation_ids(self, request) -> set[int]:
        from .models import Role
        from .roles import organisation_ids_with_role

        return organisation_ids_with_role(request.user, {Role.ADMINISTRATOR})

    def get(self, request: HttpRequest) -> HttpResponse:
        from . import jobs

        ids = self.organisation_ids(request)
        kinds = jobs.kinds()
        rows = []
        for job in selectors.jobs_failed(ids):
            spec = kinds.get(job.kind)
            rows.append({"job": job, "label": spec.label if spec else job.kind,
                         "url": spec.staff_url(job.subject_id)
                         if spec and spec.staff_url else None})
        return render(request, "core/jobs.html", {
            "rows": rows, "figures": selectors.job_figures(selectors.jobs_visible_to(ids)),
        })


class JobRetryView(JobsView):
    """POST only, from the background work page: try a failed job again."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from . import jobs
        from .models import Job

        job = get_object_or_404(selectors.jobs_visible_to(self.organisation_ids(request)),
                                pk=pk)
        if job.state == Job.State.FAILED:
            jobs.job_retry(acting_user=request.user, job=job)
            label = jobs.kinds()[job.kind].label if job.kind in jobs.kinds() else job.kind
            messages.success(request, f"{label} will be tried again")
        return redirect("staff:jobs")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Health of the database, and of Redis, workers and beat when configured.

    200 when everything configured is working, 503 otherwise. Says nothing
    about data, only whether each part answers.
    """
    checks: dict[str, dict] = {}
    healthy = True

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure means unhealthy; say which kind
        healthy = False
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}

    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:
            healthy = False
            checks["redis"] = {"ok": False, "error": exc.__class__.__name__}

    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["workers"] = {"ok": True, "mode": "in-process"}
    else:
        from sendportal.celery import app

        try:
            replies = app.control.ping(timeout=1.0) or []
            checks["workers"] = {"ok": bool(replies), "count": len(replies)}
            healthy = healthy and bool(replies)
        except Exception as exc:
            healthy = False
            checks["workers"] = {"ok": False, "error": exc.__class__.__name__}
        beat = selectors.heartbeat_age_seconds("worker")
        # Beat is scheduled every minute; five silent minutes means it stopped.
        beat_ok = beat is not None and beat < 300
        checks["beat"] = {"ok": beat_ok, "last_seconds_ago": beat}
        healthy = healthy and beat_ok

    # Background work that failed after its last try, or is long overdue: a
    # figure for monitoring to alert on. It does not make the site unhealthy
    # (the site still serves); administrators see and retry it on the
    # "Background work" page.
    try:
        checks["jobs"] = selectors.job_figures()
    except Exception as exc:
        checks["jobs"] = {"error": exc.__class__.__name__}

    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks,
         "time": timezone.now().isoformat()},
        status=200 if healthy else 503,
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context on purpose: whatever broke may be
    # in a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({
        "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME,
        "contact_email": settings.CONTACT_EMAIL,
    }), status=500)
