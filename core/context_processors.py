from django.conf import settings


def branding(request):
    """The council's names and logo, for every page."""
    return {
        "service_name": settings.SERVICE_NAME,
        "organisation_name": settings.ORGANISATION_NAME,
        "brand_logo_url": settings.BRAND_LOGO_URL,
        "contact_email": settings.CONTACT_EMAIL,
    }
