from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_organisation_settings_and_partnership_lead'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='approval_email',
            field=models.CharField(choices=[('each', 'An e-mail each time something starts waiting for me'), ('daily', 'One e-mail a day listing what is waiting'), ('none', 'No e-mails: I will look when I sign in')], default='each', max_length=10),
        ),
    ]
