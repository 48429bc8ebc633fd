from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0009_fill_search_vector'),
    ]

    operations = [
        migrations.AddField(
            model_name='statuschange',
            name='reason',
            field=models.TextField(blank=True),
        ),
    ]
