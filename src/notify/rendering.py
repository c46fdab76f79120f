"""Rendering of admin-editable templates: Django's template language from a string, sandboxed.

The engine has no loaders and only a safe subset of the built-in tags (no ``include``,
``extends``, ``load``, ``debug``, ``url``, ``csrf_token``), so a template sees exactly the
context it is given — plain values prepared by the caller — and nothing else of the system.
Messages are plain text (SMS, WeChat, e-mail text part): no HTML autoescaping.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags

BLOCKED_TAGS = {"include", "extends", "block", "load", "debug", "url", "csrf_token", "ssi", "templatetag"}


class TemplateError(ValueError):
    """A template that does not compile or render; the message says why."""


@lru_cache(maxsize=1)
def sandboxed_engine() -> Engine:
    engine = Engine(loaders=[], autoescape=False, libraries={}, builtins=[])
    safe = Library()
    safe.tags = {name: tag for name, tag in defaulttags.register.tags.items() if name not in BLOCKED_TAGS}
    safe.filters = dict(defaultfilters.register.filters)
    engine.template_builtins = [safe]
    return engine


def template_check(source: str) -> None:
    """Raise TemplateError when ``source`` does not compile in the sandbox."""
    try:
        sandboxed_engine().from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(str(error)) from None


def template_render(source: str, context: dict[str, Any]) -> str:
    try:
        template = sandboxed_engine().from_string(source)
        return template.render(Context(context, autoescape=False)).strip()
    except TemplateSyntaxError as error:
        raise TemplateError(str(error)) from None
