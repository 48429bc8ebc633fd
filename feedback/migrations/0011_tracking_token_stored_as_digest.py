"""Tracking tokens are stored as their SHA-256 digest, never in plain text.

The column is renamed (tracking_token -> tracking_digest) and every stored
token replaced by its digest, so every private link already sent keeps
working: a presented token is looked up by its digest. Owed acknowledgements
keep their plain token on the notification row until sent (see
Notification.tracking_token); those still pending now get none, as the
token cannot be read back, and are sent without the link (the family has
their reference).

Not reversible: a digest cannot be turned back into the token.
"""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    changed = []
    for feedback in Feedback.objects.only("pk", "tracking_digest").iterator(chunk_size=2000):
        feedback.tracking_digest = hashlib.sha256(feedback.tracking_digest.encode()).hexdigest()
        changed.append(feedback)
        if len(changed) >= 2000:
            Feedback.objects.bulk_update(changed, ["tracking_digest"])
            changed = []
    if changed:
        Feedback.objects.bulk_update(changed, ["tracking_digest"])


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0010_statuschange_reason"),
    ]

    operations = [
        migrations.RenameField("feedback", "tracking_token", "tracking_digest"),
        migrations.RunPython(hash_tokens, elidable=False),
        migrations.AddField(
            model_name="notification",
            name="tracking_token",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
