from django.db import migrations, models


def mark_lead(apps, schema_editor):
    """An existing partnership's lead is its first local authority (the
    council whose administrators already ran the portal); change it on the
    organisations page."""
    Organisation = apps.get_model("core", "Organisation")
    if not Organisation.objects.filter(is_partnership_lead=True).exists():
        first = Organisation.objects.filter(kind="local_authority").order_by("pk").first()
        if first is not None:
            first.is_partnership_lead = True
            first.save(update_fields=["is_partnership_lead"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='contact_retention_days',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='organisation',
            name='is_partnership_lead',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='organisation',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Raised by one on every edit, so a save based on an older page is refused.'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='public_name',
            field=models.CharField(blank=True, help_text="The name families see, e.g. as a report's publisher. Empty: the name.", max_length=200),
        ),
        migrations.AddField(
            model_name='organisation',
            name='response_working_days',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='kind',
            field=models.CharField(choices=[('local_authority', 'Local authority'), ('nhs_provider', 'NHS trust'), ('nhs_commissioner', 'Integrated care board'), ('school', 'School or college'), ('parent_carer_forum', 'Parent carer forum'), ('young_people', 'Young people’s group'), ('voluntary', 'Voluntary sector'), ('provider', 'Provider'), ('sendiass', 'SENDIASS')], max_length=32),
        ),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.UniqueConstraint(condition=models.Q(('is_partnership_lead', True)), fields=('is_partnership_lead',), name='organisation_one_partnership_lead'),
        ),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.CheckConstraint(condition=models.Q(('response_working_days__gte', 1), ('response_working_days__isnull', True), _connector='OR'), name='organisation_response_days_positive'),
        ),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.CheckConstraint(condition=models.Q(('contact_retention_days__gte', 1), ('contact_retention_days__isnull', True), _connector='OR'), name='organisation_retention_days_positive'),
        ),
        migrations.RunPython(mark_lead, migrations.RunPython.noop),
    ]
