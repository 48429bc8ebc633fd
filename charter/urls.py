"""Public addresses of this part of the portal."""

app_name = "charter"

urlpatterns: list = []
