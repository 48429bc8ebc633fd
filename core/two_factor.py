"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238).

Built on django-otp, which keeps the devices, checks codes and slows down
guessing (each wrong code doubles the wait before the next is checked). This
module adds the staff pages and one rule: after the password, a person with an
authenticator app must enter a code before any staff page opens, and a person
holding a role in STAFF_TWO_FACTOR_REQUIRED_ROLES (administrators by default)
must set one up first.

What is owed is decided once, when the person signs in, and kept in their
session, so the check on every staff page costs no database query.
"""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache

SESSION_KEY = "two_factor_owed"  # "code" or "setup"; absent once nothing is owed
IDLE_CHECK_KEY = "seen_at"


def required_for(user) -> bool:
    from .roles import has_role

    return has_role(user, settings.STAFF_TWO_FACTOR_REQUIRED_ROLES)


def confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@receiver(user_logged_in)
def _decide_what_is_owed(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    import time

    request.session[IDLE_CHECK_KEY] = int(time.time())
    if confirmed_device(user):
        request.session[SESSION_KEY] = "code"
    elif required_for(user):
        request.session[SESSION_KEY] = "setup"
    else:
        request.session.pop(SESSION_KEY, None)


class TwoFactorMiddleware:
    """Staff pages wait until the code is entered (or an app set up)."""

    EXEMPT = ("/staff/account/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/staff/") and not path.startswith(self.EXEMPT):
            owed = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
            if owed and request.user.is_authenticated:
                return _owed_step(request)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Signed-in sessions end after SESSION_COOKIE_AGE (30 minutes) without a
    request. The expiry moves on at most once a minute, so an ordinary page
    view does not write the session every time. The session is saved (and its
    expiry set) when IDLE_CHECK_KEY is, so that time plus SESSION_COOKIE_AGE
    is when it ends: `seconds_left` reads it for the timeout warning."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if match is not None and getattr(match.func, "keeps_idle_time", False):
            return response  # asking how long is left must not move the end on
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(IDLE_CHECK_KEY, 0) >= 60:
                session[IDLE_CHECK_KEY] = now  # saved by SessionMiddleware, expiry renewed
        return response


def seconds_left(request) -> int:
    """How long the signed-in session has before it ends, if nothing renews it."""
    import time

    seen = request.session.get(IDLE_CHECK_KEY, 0)
    return max(0, seen + settings.SESSION_COOKIE_AGE - int(time.time()))


def _session_json(request) -> JsonResponse:
    return JsonResponse({"signed_in": True, "seconds_left": seconds_left(request),
                         "idle_limit": settings.SESSION_COOKIE_AGE})


class SessionStatusView(View):
    """For the timeout warning (static/js/session.js): how many seconds the
    person's session has left. The page's script asks this, never the page
    itself, so a kept staff page (core.pagecache) or a page left open in
    another tab still warns at the right time. Asking does not renew the
    session. Signed out: sent to sign in, like every staff address (the
    script sees the redirect and knows)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _signed_in(request):
            return redirect_to_sign_in(request)
        return _session_json(request)


class StaySignedInView(View):
    """"Stay signed in" in the timeout warning: the session starts its idle
    time again, now. Answers the script with JSON; without JavaScript (the
    form posted) it goes back to the page."""

    def post(self, request: HttpRequest) -> HttpResponse:
        import time

        if not _signed_in(request):
            return redirect_to_sign_in(request)
        request.session[IDLE_CHECK_KEY] = int(time.time())  # saved: the expiry moves on
        if "application/json" in request.headers.get("Accept", ""):
            return _session_json(request)
        return redirect(_next(request))


def session_status_view():
    view = never_cache(SessionStatusView.as_view())
    view.keeps_idle_time = True
    return view


class SignedOutView(View):
    """Where the timeout warning sends a person whose time ran out: it says
    what happened and signs them in again to the page they were on."""

    def get(self, request: HttpRequest) -> HttpResponse:
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = ""
        if request.user.is_authenticated:
            # Opened while signed in (an old tab, a bookmark): saying "you have
            # been signed out" would be untrue, so go on to the page instead.
            return redirect(target or reverse("staff:home"))
        sign_in = reverse("login") + (f"?next={quote(target, safe='/')}" if target else "")
        return render(request, "registration/signed_out.html", {
            "sign_in_url": sign_in, "idle_limit": idle_limit_words()})


def idle_limit_words() -> str:
    seconds = settings.SESSION_COOKIE_AGE
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} seconds"


def redirect_to_sign_in(request) -> HttpResponse:
    """To sign in, and back afterwards. A form posted after the session ended
    goes back to the page the form was on (its Referer, when on this site),
    not to the address it was posted to, which may take only POSTs: the
    timeout script keeps what was typed in the tab and puts it back there."""
    from django.contrib.auth.views import redirect_to_login

    target = request.get_full_path()
    if request.method == "POST":
        from urllib.parse import urlsplit

        referer = request.headers.get("Referer", "")
        parts = urlsplit(referer)
        if (referer and parts.netloc == request.get_host()
                and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure())):
            target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect_to_login(target)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=10,
        help_text="The 6-digit code the app shows now.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )

    def __init__(self, *args, device=None, button="Continue", **kwargs):
        from crispy_forms_gds.layout import Button, Field

        from .forms import gds_helper

        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = gds_helper(Field.text("code", field_width=5), Button("send", button))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit()) or len(code) != 6:
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError("Too many wrong codes. Wait a minute, then try the "
                                        "newest code from your app")
        if not self.device.verify_token(code):
            raise forms.ValidationError("The code is not right. Check the time on your phone "
                                        "and enter the newest code from your app")
        return code


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("staff:home")


def _signed_in(request) -> bool:
    return request.user.is_authenticated


def _owed_step(request):
    """Where to send a person who still owes a code or a set-up, else None."""
    owed = request.session.get(SESSION_KEY)
    if owed:
        # The whole address, query string and all, encoded so that its own
        # "?" and "&" stay part of `next`.
        return redirect(f"{reverse('two-factor' if owed == 'code' else 'two-factor-setup')}"
                        f"?next={quote(request.get_full_path(), safe='/')}")
    return None


class TwoFactorView(View):
    """After the password: the code from the person's authenticator app."""

    template_name = "registration/two_factor.html"

    def dispatch(self, request, *args, **kwargs):
        if not _signed_in(request):
            return redirect("login")
        self.device = confirmed_device(request.user)
        if self.device is None:
            return redirect("two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name,
                      {"form": CodeForm(device=self.device), "next": _next(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        from django_otp import login as otp_login

        form = CodeForm(request.POST, device=self.device)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "next": _next(request)},
                          status=400)
        otp_login(request, self.device)
        request.session.pop(SESSION_KEY, None)
        return redirect(_next(request))


class TwoFactorSetupView(View):
    """Set up an authenticator app: scan the QR code (or type the key), then
    prove it works with a code."""

    template_name = "registration/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if not _signed_in(request):
            return redirect("login")
        if confirmed_device(request.user) and request.session.get(SESSION_KEY) == "code":
            return redirect("two-factor")  # set up already: the code is what is owed
        return super().dispatch(request, *args, **kwargs)

    def device(self, request):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=request.user, name="Authenticator app",
                                                   confirmed=False)

    def page(self, request, form, device, status=200):
        from base64 import b32encode

        import segno

        key = b32encode(device.bin_key).decode()
        qr = segno.make(device.config_url, error="m").svg_inline(
            scale=4, border=4, title="QR code to scan with your authenticator app",
            svgclass="app-qr", lineclass=None, omitsize=False)
        return render(request, self.template_name, {
            "form": form, "next": _next(request), "qr": qr,
            "key_groups": [key[i:i + 4] for i in range(0, len(key), 4)],
            "required": required_for(request.user),
            "has_device": confirmed_device(request.user) is not None,
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        device = self.device(request)
        return self.page(request, CodeForm(device=device, button="Turn on two-factor sign-in"),
                         device)

    @transaction.atomic
    def post(self, request: HttpRequest) -> HttpResponse:
        from django_otp import login as otp_login
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .audit import Verb
        from .services import audit_record

        device = self.device(request)
        form = CodeForm(request.POST, device=device, button="Turn on two-factor sign-in")
        if not form.is_valid():
            return self.page(request, form, device, status=400)
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=request.user, verb=Verb.TWO_FACTOR_TURNED_ON,
                     target=request.user, summary=str(request.user))
        otp_login(request, device)
        request.session.pop(SESSION_KEY, None)
        from django.contrib import messages

        messages.success(request, "Two-factor sign-in is on. Next time you sign in, we will "
                                  "ask for a code from your app.")
        return redirect(_next(request))


class TwoFactorTurnOffView(View):
    """Turn two-factor sign-in off: only for people whose role does not need it."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import messages
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .audit import Verb
        from .services import audit_record

        if not _signed_in(request):
            return redirect("login")
        if owed := _owed_step(request):
            return owed
        if required_for(request.user):
            raise PermissionDenied("Your role needs two-factor sign-in.")
        TOTPDevice.objects.filter(user=request.user).delete()
        audit_record(actor=request.user, verb=Verb.TWO_FACTOR_TURNED_OFF,
                     target=request.user, summary=str(request.user))
        messages.success(request, "Two-factor sign-in is off.")
        return redirect("account")


class AccountView(View):
    """The person's own account: their name, how they hear about approvals,
    two-factor sign-in and a link to change their password."""

    def page(self, request, form, status=200):
        return render(request, "registration/account.html", {
            "has_device": confirmed_device(request.user) is not None,
            "required": required_for(request.user),
            "form": form,
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        from .forms import AccountForm

        if not _signed_in(request):
            return redirect(f"{reverse('login')}?next={request.path}")
        if owed := _owed_step(request):
            return owed
        user = request.user
        return self.page(request, AccountForm(initial={
            "first_name": user.first_name, "last_name": user.last_name,
            "approval_email": user.approval_email}))

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import messages

        from . import services
        from .forms import AccountForm

        if not _signed_in(request):
            return redirect(f"{reverse('login')}?next={request.path}")
        if owed := _owed_step(request):
            return owed
        form = AccountForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        services.account_update(acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Your account details are saved")
        return redirect("account")
