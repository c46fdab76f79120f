from django.contrib import admin

from catalog.models import ProductCategory, ProductModel


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "warranty_months", "is_active")
    search_fields = ("code", "name")


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "warranty_months", "main_parts_warranty_months", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("version",)
