from django.contrib import admin

from customers.models import Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "phone", "province", "city", "district", "unit", "is_active")
    list_filter = ("kind", "unit", "payment_standing", "is_active")
    search_fields = ("name", "phone", "search_text")
    readonly_fields = ("province", "city", "district", "adcode", "version")
    inlines = [ContactInline]
