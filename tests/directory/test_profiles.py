"""Done 4 of issue 25: profiles appear only with the person's recorded
consent; withdrawing it removes the profile and its photo at once (the row,
the file in storage, the photo's address, the public page: none of them is
kept in any cache). Also the staff form's errors, and pinned query counts."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from core.models import AuditEvent, Role
from directory import services
from directory.models import CONSENT_WORDING, Profile
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db


def _jpeg_with_location() -> bytes:
    image = Image.new("RGB", (900, 600), (29, 93, 144))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x010E] = "Taken at 12 Acacia Road"  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _form_data(organisation, **overrides):
    data = {"organisation": organisation.pk, "name": "Priya Shah",
            "role": "SEND Participation Officer", "part": "education",
            "about": "Runs the workshops where families tell us what works.",
            "work_email": "participation@council.example", "work_phone": "01452 000 101",
            "photo_alt": "Priya smiling, in front of a bookcase",
            "consent_given_on_0": "14", "consent_given_on_1": "9", "consent_given_on_2": "2026",
            "consent_how": "Signed consent form", "consent": "on"}
    data.update(overrides)
    return data


@pytest.fixture
def officer():
    return staff_user(Role.OFFICER, OrganisationFactory(name="Testshire County Council"))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_profile_is_published_only_with_consent_recorded(officer):
    organisation = officer.memberships.get().organisation
    client = _client(officer)
    add = reverse("staff:directory:profile-add")
    response = client.post(add, _form_data(organisation, consent="", consent_how="",
                                           consent_given_on_0="", consent_given_on_1="",
                                           consent_given_on_2=""))
    assert response.status_code == 400
    html = response.content.decode()
    for message in ("Confirm they have agreed to their profile being published",
                    "Enter how they agreed", "Enter the date they agreed to be published"):
        assert message in html
    assert 'value="Priya Shah"' in html  # nothing typed is lost
    assert not Profile.objects.exists()
    assert "Priya Shah" not in Client().get(reverse("directory:who-we-are")).content.decode()
    # Nor can anything else store one: the database refuses a profile without consent.
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(organisation=organisation, name="No consent", role="Officer",
                               part="health", about="x", consent_given_on=date(2026, 1, 1),
                               consent_how="", consent_wording="")

    response = client.post(add, _form_data(organisation))
    assert response.status_code == 302
    profile = Profile.objects.get()
    assert (profile.consent_wording, profile.consent_recorded_by) == (CONSENT_WORDING, officer)
    assert profile.consent_given_on == date(2026, 9, 14)
    page = Client().get(reverse("directory:who-we-are")).content.decode()
    assert "Priya Shah" in page and "SEND Participation Officer" in page
    event = AuditEvent.objects.get(verb="profile.added")
    assert "Priya" not in str(event.data) + event.summary


def test_withdrawing_consent_removes_the_profile_and_its_photo_at_once(
        officer, django_capture_on_commit_callbacks):
    organisation = officer.memberships.get().organisation
    client = _client(officer)
    photo = SimpleUploadedFile("me.jpg", _jpeg_with_location(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:directory:profile-add"), _form_data(organisation, photo=photo))
    profile = Profile.objects.get()
    storage, name = profile.photo.storage, profile.photo.name
    assert storage.exists(name) and "priya" not in name.lower()
    public = Client()
    photo_url = reverse("directory:photo", args=[profile.pk])
    page = public.get(reverse("directory:who-we-are"))
    assert photo_url in page.content.decode()
    assert 'alt="Priya smiling, in front of a bookcase"' in page.content.decode()
    assert "no-cache" in page["Cache-Control"]  # never kept by a browser or proxy
    served = public.get(photo_url)
    assert served.status_code == 200 and "no-cache" in served["Cache-Control"]
    # Stored re-encoded: smaller, and without what the camera wrote into it.
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert max(image.size) <= services.PHOTO_SIZE
        assert not image.getexif()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:directory:profile-withdraw", args=[profile.pk]))
    assert response.status_code == 302
    assert not Profile.objects.exists()
    assert not storage.exists(name)
    assert public.get(photo_url).status_code == 404
    page = public.get(reverse("directory:who-we-are")).content.decode()
    assert "Priya Shah" not in page and photo_url not in page
    event = AuditEvent.objects.get(verb="profile.consent_withdrawn")
    assert event.data == {"organisation_id": organisation.pk, "had_photo": True}
    assert "Priya" not in event.summary


def test_a_photo_needs_its_description_and_must_be_an_image(officer):
    organisation = officer.memberships.get().organisation
    client = _client(officer)
    add = reverse("staff:directory:profile-add")
    photo = SimpleUploadedFile("me.jpg", _jpeg_with_location(), content_type="image/jpeg")
    response = client.post(add, _form_data(organisation, photo=photo, photo_alt=""))
    assert response.status_code == 400
    assert "Describe the photo, for people who cannot see it" in response.content.decode()
    not_image = SimpleUploadedFile("me.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(add, _form_data(organisation, photo=not_image))
    assert response.status_code == 400
    assert "The photo must be a JPEG or PNG file" in response.content.decode()
    assert not Profile.objects.exists()


def test_another_organisation_cannot_change_or_remove_a_profile(officer):
    organisation = officer.memberships.get().organisation
    profile = services.profile_save(
        acting_user=officer, organisation=organisation, name="Grace Adeyemi", role="Nurse",
        part="health", about="Leads the nurses.", work_email="", work_phone="", photo_alt="",
        consent_given_on=date(2026, 9, 1), consent_how="E-mail")
    outsider = staff_user(Role.ADMINISTRATOR)
    client = _client(outsider)
    assert client.get(reverse("staff:directory:profile-edit", args=[profile.pk])).status_code == 403
    assert client.post(reverse("staff:directory:profile-withdraw",
                               args=[profile.pk])).status_code == 403
    assert Profile.objects.filter(pk=profile.pk).exists()
    assert "Grace Adeyemi" not in client.get(reverse("staff:directory:profiles")).content.decode()


def _profiles(organisation, user, count):
    for i in range(count):
        services.profile_save(
            acting_user=user, organisation=organisation, name=f"Person {i}", role="Officer",
            part=["education", "health", "advice"][i % 3], about="Helps families.",
            work_email=f"p{i}@council.example", work_phone="", photo_alt="",
            consent_given_on=date(2026, 9, 1), consent_how="Signed form")


def test_who_we_are_and_the_staff_list_make_the_same_queries_for_3_and_30_profiles(
        officer, django_assert_num_queries):
    organisation = officer.memberships.get().organisation
    staff = _client(officer)
    public = Client()
    public.get(reverse("directory:who-we-are"))  # the glossary cached
    for count in (3, 30):
        Profile.objects.all().delete()
        _profiles(organisation, officer, count)
        with django_assert_num_queries(1):  # the profiles with their organisations
            page = public.get(reverse("directory:who-we-are"))
        assert page.content.decode().count('class="app-profile"') == count
        # user, roles, the profiles (with organisations); the session is read
        # from its cached copy
        with django_assert_num_queries(3):
            staff.get(reverse("staff:directory:profiles"))
