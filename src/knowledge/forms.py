from __future__ import annotations

from typing import ClassVar

from django import forms

from knowledge.models import Article


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields: ClassVar[list[str]] = [
            "title",
            "kind",
            "audience",
            "product_category",
            "product_model",
            "symptom",
            "cause",
            "solution",
            "steps",
        ]
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "symptom": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "steps": forms.Textarea(attrs={"rows": 4}),
        }
