"""Staff addresses of this part of the portal, under /staff/."""

app_name = "charter"

urlpatterns: list = []
