from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class ProductCategory(BaseModel):
    """A product line (e-bikes, notebooks, switches…); carries the default warranty."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"), default=12, validators=[MaxValueValidator(240)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProductModel(BaseModel):
    """产品型号; its warranty months override the category's."""

    code = models.CharField(_("model code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="models"
    )
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"), validators=[MinValueValidator(0), MaxValueValidator(240)]
    )
    main_parts_warranty_months = models.PositiveSmallIntegerField(
        _("main parts warranty (months)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    description = models.TextField(_("description"), blank=True)
    discontinued_on = models.DateField(
        _("production stopped on"),
        null=True,
        blank=True,
        help_text=_("Parts must stay available for five years after production stops (第七条)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["category__code", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
