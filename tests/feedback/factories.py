import factory
from django.utils import timezone

from core.working_days import add_working_days
from feedback.models import Feedback
from tests.core.factories import OrganisationFactory


class FeedbackFactory(factory.django.DjangoModelFactory):
    """Feedback made directly, for tests that are not about submitting it.
    (Tests of submission go through feedback.services.feedback_submit.)"""

    class Meta:
        model = Feedback
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"FB-2026-{90000 + n:05d}")
    tracking_token = factory.Sequence(lambda n: f"token-{n:04d}-" + "x" * 30)
    received_on = factory.LazyFunction(timezone.localdate)
    response_due_on = factory.LazyAttribute(lambda o: add_working_days(o.received_on, 20))
    organisation = factory.SubFactory(OrganisationFactory)
    respondent = Feedback.Respondent.PARENT_CARER
    even_better_if = "Replies to e-mails within a week."
    consent_to_quote = True

    @factory.post_generation
    def indexed(obj, create, extracted, **kwargs):
        """Searchable, as feedback stored through the services is."""
        if create:
            from feedback.services import search_vector_refresh

            search_vector_refresh([obj.pk])
