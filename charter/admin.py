"""Django's admin is a developer tool; staff use /staff/charter/. Charter
versions move between states only through services, so status is read-only
here; the audit question bank can be kept here."""

from django.contrib import admin

from .models import (
    AuditQuestion,
    AuditSection,
    Charter,
    EvidenceLink,
    ParticipationAudit,
    PulseRound,
    Signatory,
)


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    raw_id_fields = ["organisation", "recorded_by"]


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "area", "status", "adopted_on", "review_date"]
    list_filter = ["status", "area"]
    readonly_fields = ["status", "version", "slug", "based_on", "superseded_on"]
    inlines = [SignatoryInline]


class AuditQuestionInline(admin.TabularInline):
    model = AuditQuestion
    extra = 0


@admin.register(AuditSection)
class AuditSectionAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "key"]
    inlines = [AuditQuestionInline]


@admin.register(ParticipationAudit)
class ParticipationAuditAdmin(admin.ModelAdmin):
    list_display = ["team", "organisation", "year", "status"]
    list_filter = ["year", "status"]
    readonly_fields = ["status", "completed_by", "completed_at", "started_by"]


@admin.register(PulseRound)
class PulseRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "charter", "held_on", "access", "state"]
    readonly_fields = ["token"]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["commitment", "effect", "feedback", "action", "title", "created_at"]
    raw_id_fields = ["commitment", "feedback", "action", "added_by"]
