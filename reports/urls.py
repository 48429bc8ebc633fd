"""Public addresses of this part of the portal."""

app_name = "reports"

urlpatterns: list = []
