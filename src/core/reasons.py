"""Texts of a decision's reasons as msgid + parameters, rendered in the reader's language.

A policy decides once (in a hook, a job, an API call — in whatever language is active then) and
its reasons are read later by anyone: staff in Chinese, an integrator in English. So a reason is
stored as its msgid and parameters, never as a translated sentence (issue 18, point 7). A
parameter may itself be a code of a choice set (rendered as its label), a msgid (a default such as
"the main parts") or a list of either; plain values (dates, numbers, names from data) stay as they are.

In a module that writes reasons, ``from core.reasons import reason_text as _`` keeps the msgids
where ``makemessages`` finds them: ``_("Policy %(name)s") % {"name": ...}`` is a ``ReasonText``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as translate

#: Choice sets whose codes a reason may carry as a parameter, by name (``register_choice_set``).
_CHOICE_SETS: dict[str, type[models.Choices]] = {}


def register_choice_set(choices: type[models.Choices]) -> type[models.Choices]:
    _CHOICE_SETS[choices.__name__] = choices
    return choices


@dataclass(frozen=True)
class ReasonText:
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def __mod__(self, params: dict[str, Any]) -> ReasonText:
        return ReasonText(self.msgid, {key: _jsonable(value) for key, value in params.items()})

    def render(self) -> str:
        return reason_message({"msgid": self.msgid, "params": self.params})

    def as_dict(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": dict(self.params)}

    def __str__(self) -> str:
        return self.render()


def reason_text(msgid: str) -> ReasonText:
    return ReasonText(msgid)


def choice_param(value: models.Choices) -> dict[str, str]:
    """A code of a choice set as a parameter: shown as its label in the reader's language."""
    choices = type(value)
    _CHOICE_SETS.setdefault(choices.__name__, choices)
    return {"choice": choices.__name__, "value": str(value.value)}


def list_param(items: list[Any], separator: str = ", ") -> dict[str, Any]:
    return {"list": [_jsonable(item) for item in items], "sep": separator}


def _jsonable(value: Any) -> Any:
    if isinstance(value, ReasonText):
        return value.as_dict()
    if isinstance(value, dict | list | int | float | bool) or value is None:
        return value
    return str(value)


def _param_text(value: Any) -> str:
    if isinstance(value, dict):
        if "msgid" in value:
            return reason_message(value)
        if "choice" in value:
            choices = _CHOICE_SETS.get(str(value["choice"]))
            code = value.get("value")
            if choices is not None and code in choices.values:
                return str(choices(code).label)
            return str(code)
        if "list" in value:
            separator = str(value.get("sep") or ", ")
            if separator == "、" and not (get_language() or "").startswith("zh"):
                separator = ", "
            return separator.join(_param_text(item) for item in value["list"])
    return str(value)


def reason_message(reason: dict[str, Any]) -> str:
    """A stored reason as the reader reads it: its msgid translated now with its parameters; a
    reason stored before msgids were kept (only ``message``) reads as it was stored."""
    msgid = reason.get("msgid")
    if not msgid:
        return str(reason.get("message") or "")
    params = {key: _param_text(value) for key, value in (reason.get("params") or {}).items()}
    text = translate(str(msgid))
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return str(reason.get("message") or msgid)


_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条(?:[(（]([一二三四五六七八九十]+)[)）])?$")


def _chinese_number(text: str) -> int:
    """一…九十九 as written in article numbers (十八 = 18, 二十 = 20)."""
    if "十" not in text:
        return _NUMERALS.get(text, 0)
    tens, _sep, ones = text.partition("十")
    return (_NUMERALS.get(tens, 1) if tens else 1) * 10 + (_NUMERALS.get(ones, 0) if ones else 0)


def article_label(article: str) -> str:
    """A regulation article as the reader reads it: 第十八条(一) in Chinese, "Art. 18(1)" otherwise."""
    match = _ARTICLE.match(article or "")
    if match is None or (get_language() or "").startswith("zh"):
        return article
    number = f"Art. {_chinese_number(match.group(1))}"
    return f"{number}({_chinese_number(match.group(2))})" if match.group(2) else number
