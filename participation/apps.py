from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "participation"
    verbose_name = "Getting involved"

    def ready(self):
        from feedback import services as feedback_services
        from feedback import subject as feedback_subject

        from . import services, subject

        # The retention run and subject requests cover the register, and
        # feedback depends on nothing after it.
        if services.register_retention_apply not in feedback_services.retention_steps:
            feedback_services.retention_steps.append(services.register_retention_apply)
        if not any(s.record is subject.participation_record
                   for s in feedback_subject.subject_sources):
            feedback_subject.subject_sources.append(feedback_subject.SubjectSource(
                record=subject.participation_record, erase=subject.participation_erase,
                count=subject.participation_count))
