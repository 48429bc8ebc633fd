"""Partner organisations (partnership administrators) and each
organisation's own settings (its administrators), under /staff/organisations/.
Views check permission, validate, call one service, redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from . import selectors, services
from .concurrency import EditConflict
from .forms import AdministratorForm, OrganisationForm, OrganisationSettingsForm
from .models import Organisation, Role
from .services import ORGANISATION_DETAILS, ORGANISATION_SETTINGS
from .views import StaffPermissionMixin


def _errors_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class OrganisationListView(StaffPermissionMixin, View):
    permission_required = "core.manage_organisations"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "core/organisations.html", {
            "organisations": selectors.organisations_with_administrators()})


class OrganisationCreateView(StaffPermissionMixin, View):
    permission_required = "core.manage_organisations"
    template_name = "core/organisation_form.html"

    def page(self, request, form, status=200):
        return render(request, self.template_name, {"form": form, "organisation": None},
                      status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, OrganisationForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrganisationForm(request.POST)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in ORGANISATION_DETAILS}
            try:
                organisation = services.organisation_create(acting_user=request.user, **values)
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, f"{organisation} added. Now give it an administrator.")
                return redirect("staff:organisation-administrator", organisation.pk)
        return self.page(request, form, status=400)


class OrganisationEditView(OrganisationCreateView):
    def get_organisation(self, pk):
        return get_object_or_404(Organisation, pk=pk)

    def page(self, request, form, status=200, organisation=None):
        return render(request, self.template_name, {"form": form, "organisation": organisation},
                      status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = self.get_organisation(pk)
        initial = {k: getattr(organisation, k) for k in ORGANISATION_DETAILS}
        initial["lock_version"] = organisation.lock_version
        return self.page(request, OrganisationForm(initial=initial), organisation=organisation)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = self.get_organisation(pk)
        form = OrganisationForm(request.POST)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in ORGANISATION_DETAILS}
            try:
                services.organisation_update(acting_user=request.user, organisation=organisation,
                                             lock_version=form.cleaned_data["lock_version"],
                                             **values)
            except EditConflict as exc:
                form.show_conflict(exc, [(form.fields[k].label, str(getattr(exc.current, k)))
                                         for k in ORGANISATION_DETAILS])
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, f"{organisation.name} saved")
                return redirect("staff:organisations")
        return self.page(request, form, status=400, organisation=organisation)


class OrganisationAdministratorView(StaffPermissionMixin, View):
    """Give a partner organisation an administrator (who then adds its
    people). Partnership administrators only."""

    permission_required = "core.manage_organisations"
    template_name = "core/organisation_administrator.html"

    def page(self, request, organisation, form, status=200):
        return render(request, self.template_name, {
            "form": form, "organisation": organisation,
            "administrators": selectors.administrators_of(organisation)}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=pk)
        return self.page(request, organisation, AdministratorForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=pk)
        form = AdministratorForm(request.POST)
        if not form.is_valid():
            return self.page(request, organisation, form, status=400)
        membership, created = services.person_add(
            acting_user=request.user, organisation=organisation, role=Role.ADMINISTRATOR,
            **form.cleaned_data)
        messages.success(request, f"{membership.user} is now an administrator of {organisation}"
                         + (". We have e-mailed them a link to choose a password." if created
                            else ""))
        return redirect("staff:organisations")


class OrganisationSettingsView(StaffPermissionMixin, View):
    """An organisation's own settings, for its administrators (and the
    partnership's)."""

    template_name = "core/organisation_settings.html"

    def get_organisation(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        if not request.user.has_perm("core.change_organisation_settings", organisation):
            raise PermissionDenied
        return organisation

    def page(self, request, organisation, form, status=200):
        return render(request, self.template_name, {"form": form, "organisation": organisation},
                      status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = self.get_organisation(request, pk)
        initial = {k: getattr(organisation, k) for k in ORGANISATION_SETTINGS}
        initial["lock_version"] = organisation.lock_version
        return self.page(request, organisation, OrganisationSettingsForm(
            initial=initial, is_partnership_lead=organisation.is_partnership_lead))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = self.get_organisation(request, pk)
        form = OrganisationSettingsForm(request.POST,
                                        is_partnership_lead=organisation.is_partnership_lead)
        asked = [k for k in ORGANISATION_SETTINGS if k in form.fields]
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in asked}
            try:
                services.organisation_settings_update(
                    acting_user=request.user, organisation=organisation,
                    lock_version=form.cleaned_data["lock_version"], **values)
            except EditConflict as exc:
                form.show_conflict(exc, [
                    (form.fields[k].label, str(getattr(exc.current, k) or "Default"))
                    for k in asked])
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, f"Settings saved for {organisation.name}")
                return redirect("staff:organisation-settings", organisation.pk)
        return self.page(request, organisation, form, status=400)
