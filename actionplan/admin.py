"""Django's admin is a developer tool; staff use /staff/action-plan/. Read
mostly: progress goes through services so the copied current state stays
right, so updates are shown read-only here."""

from django.contrib import admin

from .models import Action, Board, Evidence, Meeting, Plan, Priority, ProgressUpdate, Reminder


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "period_start", "period_end", "board", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PriorityInline]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "area"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "board", "date", "pack_state"]
    list_filter = ["board", "pack_state"]
    readonly_fields = ["pack_state", "pack_file", "pack_error", "pack_requested_at",
                       "pack_generated_at"]
    filter_horizontal = ["reviewed_actions"]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    can_delete = False
    fields = ["date", "status", "percent", "author"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "lead_organisation", "due_date", "current_status",
                    "current_percent", "is_public"]
    list_filter = ["priority__plan", "current_status", "lead_organisation", "is_public",
                   "inspection_finding"]
    search_fields = ["reference", "title"]
    readonly_fields = ["current_status", "current_percent", "last_update_on"]
    raw_id_fields = ["owner", "feedback"]
    filter_horizontal = ["partner_organisations", "themes"]
    inlines = [ProgressUpdateInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "date", "status", "percent", "author"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Evidence)
admin.site.register(Reminder)
