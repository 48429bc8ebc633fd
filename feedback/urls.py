"""Public addresses of this part of the portal."""

app_name = "feedback"

urlpatterns: list = []
