"""Install the default participation-audit question bank, so a new portal
can start audits without setting anything up. Safe to run twice."""

from django.db import migrations


def install(apps, schema_editor):
    from charter.question_bank import install as install_bank

    install_bank(apps.get_model("charter", "AuditSection"), apps.get_model("charter", "AuditQuestion"))


class Migration(migrations.Migration):
    dependencies = [("charter", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
