"""``{{ reason|reason_message }}``: a decision's stored reason in the reader's language (core.reasons)."""

from __future__ import annotations

from typing import Any

from django import template

from core.reasons import article_label
from core.reasons import reason_message as render_reason

register = template.Library()


@register.filter
def reason_message(reason: Any) -> str:
    if isinstance(reason, dict):
        return render_reason(reason)
    return str(getattr(reason, "message", reason))


@register.filter
def article(code: str) -> str:
    """``{{ reason.article|article }}``: 第八条 in Chinese, "Art. 8" in English."""
    return article_label(code)
