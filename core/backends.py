"""Sign-in with e-mail and password, without Django's model permissions.

Staff permissions are named rules (core/rules.py and each app's rules.py),
held per organisation. Django's per-user and per-group model permissions
are not used, so looking them up cost two queries on every page that asks
about a permission a person does not have. Superusers keep everything, for
Django's admin.

Everything else, the signed-in person's read on each request included, is
ModelBackend's own: a plain-SQL reader saved about 0.3 ms a request, which
no one can see, and was one more place to keep in step with Django.
"""

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
