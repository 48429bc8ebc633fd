"""Reply templates, kept by each organisation's approvers and
administrators, under /staff/feedback/reply-templates/."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.http import parse_id
from core.models import Role
from core.selectors import organisations_acting_for
from core.views import StaffPermissionMixin

from .forms import ReplyTemplateForm
from .reply_templates import reply_template_remove, reply_template_save, reply_templates_of
from .routing_views import _form_errors

KEEPERS = (Role.APPROVER,)  # and administrators (organisations_acting_for adds them)


class ReplyTemplatesMixin(StaffPermissionMixin):
    permission_required = "feedback.manage_reply_templates"

    def organisations(self, request):
        return organisations_acting_for(request.user, *KEEPERS).order_by("name")

    def get_template(self, request, pk):
        template = reply_templates_of(self.organisations(request).values("pk")).filter(
            pk=pk).first()
        if template is None:
            raise Http404
        return template


class ReplyTemplateListView(ReplyTemplatesMixin, View):
    """The templates of the organisations this person keeps them for, and a
    form to add one."""

    def page(self, request, form, status=200) -> HttpResponse:
        organisations = self.organisations(request)
        return render(request, "feedback/reply_templates.html", {
            "templates": reply_templates_of(organisations.values("pk")), "form": form,
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, ReplyTemplateForm(organisations=self.organisations(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        if "remove" in request.POST:
            pk = parse_id(request.POST["remove"])
            if pk is None:
                raise Http404
            template = self.get_template(request, pk)
            reply_template_remove(acting_user=request.user, template=template)
            messages.success(request, f"Template “{template.title}” removed")
            return redirect("staff:feedback:reply-templates")
        form = ReplyTemplateForm(request.POST, organisations=self.organisations(request))
        if not form.is_valid():
            return self.page(request, form, status=400)
        try:
            template = reply_template_save(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.page(request, form, status=400)
        messages.success(request, f"Template “{template.title}” saved")
        return redirect("staff:feedback:reply-templates")


class ReplyTemplateEditView(ReplyTemplatesMixin, View):
    def page(self, request, template, form, status=200) -> HttpResponse:
        return render(request, "feedback/reply_template_edit.html",
                      {"template": template, "form": form}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.get_template(request, pk)
        return self.page(request, template, ReplyTemplateForm(
            organisations=self.organisations(request),
            initial={"organisation": template.organisation, "outcome": template.outcome,
                     "title": template.title, "text": template.text,
                     "reason": template.reason}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.get_template(request, pk)
        form = ReplyTemplateForm(request.POST, organisations=self.organisations(request))
        if not form.is_valid():
            return self.page(request, template, form, status=400)
        try:
            reply_template_save(acting_user=request.user, template=template, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.page(request, template, form, status=400)
        messages.success(request, f"Template “{form.cleaned_data['title']}” saved")
        return redirect("staff:feedback:reply-templates")
