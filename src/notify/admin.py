from django.contrib import admin

from notify.models import MessageTemplate, OutboxMessage, StaffContact


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "channel", "language", "subject", "is_active", "version")
    list_filter = ("channel", "language", "is_active")
    search_fields = ("key", "subject", "body")
    readonly_fields = ("version",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "template_key", "channel", "recipient_name", "address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "template_key")
    search_fields = ("recipient_name", "address", "dedupe_key", "uuid")
    raw_id_fields = ("recipient_user", "order", "customer")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(StaffContact)
class StaffContactAdmin(admin.ModelAdmin):
    list_display = ("user", "wecom_userid", "email_enabled")
    raw_id_fields = ("user",)
