"""The evidence pack's staff pages, under /staff/evidence-pack/."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from core.models import Role
from core.roles import is_partnership_administrator, organisation_ids_with_role
from core.selectors import organisations_acting_for
from core.views import StaffPermissionMixin

from . import services
from .evidence import evidence_figures
from .forms import EvidencePackForm
from .models import EvidencePack


def packs_visible_to(user):
    """The partnership's packs, and one organisation's for its own people
    (every organisation's for the partnership's administrators)."""
    packs = EvidencePack.objects.select_related("organisation")
    if is_partnership_administrator(user):
        return packs
    return packs.filter(Q(organisation__isnull=True)
                        | Q(organisation_id__in=organisation_ids_with_role(user, Role.values)))


class EvidencePackListView(StaffPermissionMixin, View):
    """The packs made so far and, for administrators, the form to make one."""

    permission_required = "reports.view_evidence_packs"

    def _form(self, request, data=None):
        if not request.user.has_perm("reports.make_evidence_pack"):
            return None
        last = EvidencePack.objects.order_by("-created_at", "-id").only("headings").first()
        return EvidencePackForm(
            data, organisations=organisations_acting_for(request.user).order_by("name"),
            partnership=is_partnership_administrator(request.user),
            headings=last.headings if last else {})

    def _page(self, request, form, status=200):
        return render(request, "reports/evidence_pack_list.html", {
            "packs": packs_visible_to(request.user)[:50], "form": form}, status=status)

    def get(self, request):
        return self._page(request, self._form(request))

    def post(self, request):
        form = self._form(request, request.POST)
        if form is None:
            raise PermissionDenied
        if not form.is_valid():
            return self._page(request, form, status=400)
        data = form.cleaned_data
        try:
            pack = services.evidence_pack_request(
                acting_user=request.user, organisation=data["organisation"],
                title=data["title"], period_start=data["period_start"],
                period_end=data["period_end"], headings=data["headings"])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            return self._page(request, form, status=400)
        messages.success(request, "Evidence pack made. Its PDF is being prepared.")
        return redirect(pack.get_absolute_url())


class _PackMixin(StaffPermissionMixin):
    permission_required = "reports.view_evidence_packs"

    def get_pack(self, request, pk) -> EvidencePack:
        pack = get_object_or_404(EvidencePack.objects.select_related("organisation"), pk=pk)
        if not request.user.has_perm("reports.view_evidence_pack", pack):
            raise Http404  # another organisation's pack looks like no pack at all
        return pack


class EvidencePackView(_PackMixin, View):
    """The pack as a page: every figure as the portal holds it now, each
    linked to its source; and its PDF, made in the background."""

    def get(self, request, pk):
        pack = self.get_pack(request, pk)
        return render(request, "reports/evidence_pack.html", {
            "pack": pack, "figures": evidence_figures(pack, today=timezone.localdate()),
            "link_base": ""})


class EvidencePackPdfView(_PackMixin, View):
    def get(self, request, pk):
        pack = self.get_pack(request, pk)
        if not pack.pdf_ready:
            raise Http404
        return FileResponse(pack.pdf_file.open("rb"), content_type="application/pdf",
                            filename=pack.pdf_filename)
