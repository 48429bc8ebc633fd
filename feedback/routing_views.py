"""Staff pages for routing: the routing table (partnership administrators)
and sending one piece of feedback to another organisation (its handlers)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from core.concurrency import EditConflict
from core.http import parse_id
from core.views import StaffPermissionMixin

from . import routing, services
from .forms import RerouteForm, RouteForm
from .models import Route
from .views import feedback_handled_by

FIGURES_DAYS = 365


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class RoutingView(StaffPermissionMixin, View):
    """The routing table, a form to add or change a route, and how much
    feedback was sent on by hand in the last year (a sign the table is wrong)."""

    permission_required = "feedback.manage_routing"

    def page(self, request, form, status=200) -> HttpResponse:
        since = timezone.localdate() - timedelta(days=FIGURES_DAYS)
        return render(request, "feedback/routing.html", {
            "routes": routing.routes_list(), "form": form,
            "figures": routing.reroute_figures(since=since), "since": since,
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, RouteForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "remove" in request.POST:
            route_id = parse_id(request.POST["remove"])
            route = get_object_or_404(Route.objects.select_related("service_area"),
                                      pk=route_id) if route_id else None
            if route is None:
                raise Http404
            routing.route_remove(acting_user=request.user, route=route)
            messages.success(request, f"Route for {route.service_area.name} removed")
            return redirect("staff:feedback:routing")
        form = RouteForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        data = form.cleaned_data
        existing = Route.objects.filter(service_area=data["service_area"],
                                        theme=data["theme"]).first()
        try:
            routing.route_save(acting_user=request.user, route=existing, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.page(request, form, status=400)
        messages.success(request, f"Route for {data['service_area'].name} saved")
        return redirect("staff:feedback:routing")


class RerouteView(StaffPermissionMixin, View):
    """Send one piece of feedback to another organisation, saying why."""

    permission_required = "feedback.view_inbox"
    template_name = "feedback/reroute.html"

    def page(self, request, feedback, form, status=200) -> HttpResponse:
        return render(request, self.template_name, {"feedback": feedback, "form": form},
                      status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = feedback_handled_by(request.user, pk, "organisation")
        # A tagged theme's route offered on the feedback's page: filled in.
        return self.page(request, feedback, RerouteForm(feedback=feedback, initial={
            "lock_version": feedback.lock_version,
            "organisation": feedback.route_suggested_to_id,
            "reason": feedback.route_suggested_because}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        feedback = feedback_handled_by(request.user, pk, "organisation")
        form = RerouteForm(request.POST, feedback=feedback)
        if not form.is_valid():
            return self.page(request, feedback, form, status=400)
        try:
            services.feedback_reroute(acting_user=request.user, feedback=feedback,
                                      **form.cleaned_data)
        except EditConflict as exc:
            form.show_conflict(exc, [("Answered by", exc.current.organisation.name)])
            return self.page(request, feedback, form, status=409)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.page(request, feedback, form, status=400)
        organisation = form.cleaned_data["organisation"]
        messages.success(request, f"{feedback.reference} sent to {organisation.name}. "
                                  "Your organisation can still read it")
        return redirect("staff:feedback:detail", pk=feedback.pk)
