"""{% cached_crispy form %}: like {% crispy form %}, from the cache when it can
be (core.forms.cached_form_html); a form with errors is rendered as usual."""

from crispy_forms.utils import render_crispy_form
from django import template

from core.forms import cached_form_html

register = template.Library()


@register.simple_tag(takes_context=True)
def cached_crispy(context, form):
    html = cached_form_html(form)
    if html is None:
        form.helper.disable_csrf = True  # every form here is a GET filter
        html = render_crispy_form(form, helper=form.helper, context=context.flatten())
    return html
