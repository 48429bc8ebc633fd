import factory
from django.utils.text import slugify

from core.models import Membership, Organisation, Role, ServiceArea, Theme, User

TEST_PASSWORD = "a-test-password-123"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test Borough Council {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.LOCAL_AUTHORITY
    area = "Testshire"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OFFICER


def staff_user(role: str, organisation: Organisation | None = None, **user_fields) -> User:
    """A person holding `role` in `organisation` (a new one if not given)."""
    membership = MembershipFactory(
        role=role, organisation=organisation or OrganisationFactory(),
        user=UserFactory(**user_fields),
    )
    return membership.user


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Service area {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
