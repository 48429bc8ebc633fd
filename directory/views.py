from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.roles import WORKING_ROLES
from core.selectors import organisations_where
from core.views import StaffPermissionMixin

from . import services
from .forms import ProfileForm
from .models import GlossaryTerm, Profile

# --- public ---------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class WhoWeAreView(View):
    """Profiles grouped by the part of the system each person works in. Never
    kept in a cache, so a withdrawn profile is gone from the next request."""

    def get(self, request: HttpRequest) -> HttpResponse:
        profiles = list(Profile.objects.select_related("organisation").order_by(
            "part", "name", "pk"))
        labels = dict(Profile.Part.choices)
        order = [value for value, _ in Profile.Part.choices]
        groups = [(labels[part], list(people)) for part, people in groupby(
            sorted(profiles, key=lambda p: (order.index(p.part), p.name.lower(), p.pk)),
            key=lambda p: p.part)]
        return render(request, "directory/who_we_are.html", {"groups": groups})


@method_decorator(never_cache, name="dispatch")
class ProfilePhotoView(View):
    """A profile's photo, from the portal's own storage (private buckets),
    while the profile exists; never cached, so withdrawal removes it at once."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        profile = Profile.objects.filter(pk=pk).exclude(photo="").first()
        if profile is None:
            raise Http404
        try:
            handle = profile.photo.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(handle, content_type="image/jpeg")


class GlossaryView(View):
    """The jargon buster, A to Z."""

    def get(self, request: HttpRequest) -> HttpResponse:
        terms = sorted(GlossaryTerm.objects.all(), key=lambda t: t.heading.lower())
        letters = [(letter, list(group)) for letter, group in groupby(terms, key=lambda t: t.letter)]
        return render(request, "directory/glossary.html", {"letters": letters})


# --- staff ----------------------------------------------------------------------------


def _organisations(user):
    return organisations_where(user, *WORKING_ROLES).order_by("name")


class ProfileListView(StaffPermissionMixin, View):
    permission_required = "directory.manage_profiles"

    def get(self, request: HttpRequest) -> HttpResponse:
        profiles = (Profile.objects.filter(organisation__in=_organisations(request.user))
                    .select_related("organisation").order_by("organisation__name", "name"))
        return render(request, "directory/staff_profiles.html", {"profiles": profiles})


class ProfileFormView(StaffPermissionMixin, View):
    permission_required = "directory.manage_profiles"
    template_name = "directory/staff_profile_form.html"

    def get_profile(self, pk) -> Profile | None:
        if pk is None:
            return None
        profile = get_object_or_404(Profile, pk=pk)
        if not self.request.user.has_perm("directory.change_profile", profile):
            raise PermissionDenied
        return profile

    def form(self, profile, data=None, files=None) -> ProfileForm:
        initial = {}
        if profile:
            initial = {f: getattr(profile, f) for f in (
                "organisation", "name", "role", "part", "about", "work_email", "work_phone",
                "photo_alt", "consent_given_on", "consent_how")}
            initial["consent"] = True
        else:
            organisations = list(_organisations(self.request.user)[:2])
            if len(organisations) == 1:
                initial["organisation"] = organisations[0]
        return ProfileForm(data, files, organisations=_organisations(self.request.user),
                           profile=profile, initial=initial)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        profile = self.get_profile(pk)
        return render(request, self.template_name, {"form": self.form(profile), "profile": profile})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        profile = self.get_profile(pk)
        form = self.form(profile, request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "profile": profile},
                          status=400)
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        remove_photo = data.pop("remove_photo", False)
        data.pop("consent")
        saved = services.profile_save(acting_user=request.user, profile=profile, photo=photo,
                                      remove_photo=remove_photo, **data)
        messages.success(request, f"{saved.name}’s profile is published on “Who we are”")
        return redirect("staff:directory:profiles")


class ProfileWithdrawView(ProfileFormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        profile = self.get_profile(pk)
        return render(request, "confirm.html", {
            "confirm_title": "Remove a profile",
            "confirm_caption": profile.name,
            "confirm_question": "Has this person withdrawn their consent?",
            "confirm_consequences": [
                "Their profile and photo will be removed from “Who we are” at once, and the "
                "photo deleted. The audit trail keeps only that a profile was removed."],
            "confirm_button": "Remove profile and photo",
            "cancel_url": reverse("staff:directory:profiles"),
            "cancel_label": "Keep the profile",
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        profile = self.get_profile(pk)
        services.profile_withdraw(acting_user=request.user, profile=profile)
        messages.success(request, "The profile and its photo have been removed")
        return redirect("staff:directory:profiles")


class GlossaryListView(StaffPermissionMixin, View):
    permission_required = "directory.manage_glossary"

    def get(self, request: HttpRequest) -> HttpResponse:
        terms = sorted(GlossaryTerm.objects.all(), key=lambda t: t.heading.lower())
        return render(request, "directory/staff_glossary.html", {"terms": terms})


class GlossaryFormView(StaffPermissionMixin, View):
    permission_required = "directory.manage_glossary"
    template_name = "directory/staff_glossary_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        from .forms import GlossaryTermForm

        term = get_object_or_404(GlossaryTerm, pk=pk) if pk else None
        return render(request, self.template_name,
                      {"form": GlossaryTermForm(instance=term), "term": term})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        from .forms import GlossaryTermForm

        term = get_object_or_404(GlossaryTerm, pk=pk) if pk else None
        form = GlossaryTermForm(request.POST, instance=term)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "term": term}, status=400)
        saved = services.glossary_save(acting_user=request.user, form=form)
        messages.success(request, f"“{saved.heading}” saved in the jargon buster")
        return redirect("staff:directory:glossary")


class GlossaryRemoveView(StaffPermissionMixin, View):
    permission_required = "directory.manage_glossary"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        term = get_object_or_404(GlossaryTerm, pk=pk)
        return render(request, "confirm.html", {
            "confirm_title": "Remove a jargon buster entry",
            "confirm_caption": term.heading,
            "confirm_question": f"Remove “{term.heading}” from the jargon buster?",
            "confirm_consequences": [
                "Public pages will no longer write it out or link to it."],
            "confirm_button": "Remove entry",
            "cancel_url": reverse("staff:directory:glossary"),
            "cancel_label": "Keep the entry",
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        term = get_object_or_404(GlossaryTerm, pk=pk)
        services.glossary_remove(acting_user=request.user, term=term)
        messages.success(request, "The entry has been removed")
        return redirect("staff:directory:glossary")


