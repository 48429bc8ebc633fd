"""One honeypot (core.forms.HoneypotMixin + templates/core/_honeypot.html) on
every public form that stores what is sent."""

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.urls import reverse

from charter.forms import PulseForm
from core.forms import HONEYPOT_FIELD, HoneypotMixin, gds_helper, honeypot_html
from feedback.forms import EasyReadForm, FeedbackForm
from feedback.models import Feedback
from participation.forms import InterestForm, RegisterForm
from reports.forms import UsefulForm
from tests.reports.factories import make_people, published_report

PUBLIC_FORMS = {
    "feedback": lambda: FeedbackForm(),
    "easy read feedback": lambda: EasyReadForm(),
    "charter pulse": lambda: PulseForm(statements=[]),
    "was this page useful": lambda: UsefulForm(),
    "I'd like to take part": lambda: InterestForm(),
    "join the participation register": lambda: RegisterForm(consent_wording="I agree"),
}


class _Form(HoneypotMixin):
    name = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("name", honeypot_html())


@pytest.mark.parametrize("data,spam", [
    ({}, False), ({"name": "Sam"}, False), ({HONEYPOT_FIELD: ""}, False),
    ({HONEYPOT_FIELD: "http://spam.example"}, True), ({HONEYPOT_FIELD: " "}, True),
])
def test_is_spam_only_when_the_hidden_field_is_filled(data, spam):
    assert _Form(data).is_spam() is spam


def test_the_field_is_hidden_from_people_and_assistive_technology():
    html = render_crispy_form(_Form())
    assert f'name="{HONEYPOT_FIELD}"' in html
    assert 'class="app-honeypot" aria-hidden="true"' in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert f'<label for="id_{HONEYPOT_FIELD}">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_FORMS)
def test_every_public_form_carries_it_exactly_once(name):
    form = PUBLIC_FORMS[name]()
    assert isinstance(form, HoneypotMixin)
    assert render_crispy_form(form).count(f'name="{HONEYPOT_FIELD}"') == 1


@pytest.mark.django_db
def test_was_this_page_useful_stores_nothing_from_a_robot(client):
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    response = client.post(reverse("reports:useful", args=[report.slug, 1]),
                           {"useful": "no", "comment": "Buy now", HONEYPOT_FIELD: "x"})
    assert response.status_code == 302
    assert not Feedback.objects.filter(channel="page_useful").exists()
