"""The Simplified Chinese catalogue is complete and renders; the English catalogue exists.

zh-hans is the default language (SPEC §13, ARCHITECTURE i18n): every msgid must have a msgstr, no
entry may stay fuzzy, and a msgstr must keep exactly the placeholders of its msgid, or Django would
raise KeyError / show a raw ``%(name)s`` at run time. These tests fail on purpose whenever someone
adds a user-visible string without translating it: run ``makemessages`` (see docs/operations.md or
the i18n commit) and translate the new entries in ``locale/zh_Hans/LC_MESSAGES/django.po``.

The .mo files are git-ignored and compiled by ``./dev``; this module compiles them itself (under a
lock, since pytest-xdist workers import it at the same time) and drops Django's translation cache.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, ngettext, trans_real

from core.compile_messages import compile_all

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

# printf-style named (%(name)s, %(seconds).1f), positional (%s, %d) and str.format ({name}) placeholders.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[^{}]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _compile_catalogues() -> None:
    lock_fd = os.open(LOCALE_DIR, os.O_RDONLY)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        compile_all(LOCALE_DIR)
    finally:
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)
    trans_real._translations = {}
    trans_real._default = None


_compile_catalogues()


@pytest.fixture(scope="module", autouse=True)
def fresh_catalogues() -> Iterator[None]:
    """Other modules may have cached translations before this one compiled the .mo files."""
    _compile_catalogues()
    yield


def _zh_entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(ZH_PO)) if not entry.obsolete]


def _msgstrs(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


# --- the catalogue file -----------------------------------------------------------------------------


def test_zh_catalogue_is_a_single_project_catalogue_with_one_plural_form() -> None:
    catalogue = polib.pofile(str(ZH_PO))

    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not catalogue.metadata_is_fuzzy
    assert len(_zh_entries()) > 500
    stray = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "src").glob("*/locale/*/LC_MESSAGES/*.po"))
    assert stray == [], "translations live in the one catalogue under locale/, not per app"


def test_every_zh_entry_is_translated() -> None:
    untranslated = [_label(entry) for entry in _zh_entries() if not all(s.strip() for s in _msgstrs(entry))]

    assert untranslated == []


def test_no_zh_entry_is_fuzzy() -> None:
    fuzzy = [_label(entry) for entry in _zh_entries() if "fuzzy" in entry.flags]

    assert fuzzy == []


def test_every_zh_msgstr_keeps_the_placeholders_of_its_msgid() -> None:
    mismatched = []
    for entry in _zh_entries():
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for msgstr in _msgstrs(entry):
            found = set(PLACEHOLDER.findall(msgstr))
            if msgstr and found != expected:
                mismatched.append(f"{_label(entry)}: expected {sorted(expected)}, got {sorted(found)} in {msgstr!r}")

    assert mismatched == []


def test_every_zh_msgstr_keeps_the_html_tags_of_its_msgid() -> None:
    mismatched = [
        _label(entry)
        for entry in _zh_entries()
        for msgstr in _msgstrs(entry)
        if msgstr and sorted(HTML_TAG.findall(entry.msgid)) != sorted(HTML_TAG.findall(msgstr))
    ]

    assert mismatched == []


def test_python_format_msgstrs_format_with_the_msgid_arguments() -> None:
    """Formatting with dummy values proves a msgstr is usable, e.g. no lone '%' that breaks '%' formatting."""
    broken = []
    for entry in _zh_entries():
        if "python-format" not in entry.flags:
            continue
        names = re.findall(r"%\(([^)]+)\)", entry.msgid)
        if not names:
            continue
        values: dict[str, Any] = dict.fromkeys(names, 1)
        for msgstr in _msgstrs(entry):
            try:
                msgstr % values
            except (KeyError, ValueError, TypeError) as error:
                broken.append(f"{_label(entry)}: {error!r}")

    assert broken == []


def test_gettext_tools_accept_the_catalogues() -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    for po in (ZH_PO, EN_PO):
        result = subprocess.run(
            ["msgfmt", "--check-format", "--check-header", "-o", os.devnull, str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_english_catalogue_has_the_same_entries_as_the_chinese_one() -> None:
    """English is the source language: its msgstrs stay empty, but it lists the same messages."""
    english = polib.pofile(str(EN_PO))

    assert {(e.msgctxt, e.msgid) for e in english if not e.obsolete} == {(e.msgctxt, e.msgid) for e in _zh_entries()}
    assert english.metadata["Language"] == "en"


def test_catalogue_holds_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract the messages afresh (in a scratch copy of the tree) and compare with the catalogue.

    Fails when someone adds a user-visible string and the catalogue was not regenerated and translated.
    """
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    skipped = {".git", ".venv", "node_modules", "var", "tests", "benchmarks", "locale"}
    for item in ROOT.iterdir():
        if item.name not in skipped and not item.name.startswith("."):
            (tmp_path / item.name).symlink_to(item)
    (tmp_path / "locale").mkdir()
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.management import call_command; "
        f"settings.LOCALE_PATHS = [{str(tmp_path / 'locale')!r}]; "
        "call_command('makemessages', locale=['zh_Hans'], symlinks=True, no_obsolete=True, verbosity=0, "
        "ignore_patterns=['.venv', 'node_modules', 'var', 'tests', 'benchmarks'])"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "aftersales.settings.base"}
    env.setdefault("VAR_DIR", str(tmp_path / "var"))
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True, capture_output=True)
    extracted = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))

    catalogue = {(e.msgctxt, e.msgid) for e in _zh_entries()}
    missing = sorted(_label(e) for e in extracted if (e.msgctxt, e.msgid) not in catalogue)
    assert missing == []


# --- rendering ----------------------------------------------------------------------------------------


def test_zh_hans_renders_the_navigation_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert gettext("Work orders") == "工单"
        assert gettext("Customers") == "客户"
        assert gettext("Devices") == "设备"
        assert gettext("Product models") == "产品型号"
        assert gettext("Log out") == "退出"


def test_zh_hans_renders_work_order_choices_in_chinese() -> None:
    from workorders.choices import ServiceType, Status

    with translation.override("zh-hans"):
        assert str(Status.ACCEPTED.label) == "已受理"
        assert str(Status.SUBMITTED.label) == "已提交"
        assert str(Status.REJECTED.label) == "已驳回"
        assert str(Status.CLOSED.label) == "已关闭"
        assert str(ServiceType.REPAIR.label) == "维修"
        assert str(ServiceType.INSTALLATION.label) == "安装调试"


def test_zh_hans_renders_plurals_and_placeholders() -> None:
    with translation.override("zh-hans"):
        assert ngettext("%(counter)s work order", "%(counter)s work orders", 3) % {"counter": 3} == "3 个工单"
        assert gettext("Work order %(number)s registered.") % {"number": "WO-1"} == "工单 WO-1 已登记。"


def test_english_renders_the_source_strings() -> None:
    from workorders.choices import Status

    with translation.override("en"):
        assert gettext("Work orders") == "Work orders"
        assert str(Status.ACCEPTED.label) == "Accepted"


CHOICE_MODULES = ["core.choices", "customers.choices", "workorders.choices"]
# Labels that are the same in Chinese: codes and symbols.
SAME_IN_CHINESE = {"API", "—", "English"}


@pytest.mark.parametrize("module_name", CHOICE_MODULES)
def test_every_choice_label_renders_in_chinese(module_name: str) -> None:
    module = importlib.import_module(module_name)
    choice_sets = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, models.Choices) and value.__module__ == module_name
    ]
    assert choice_sets
    with translation.override("zh-hans"):
        english_only = [
            f"{choices.__name__}.{member.name}: {member.label}"
            for choices in choice_sets
            for member in choices
            if not CJK.search(str(member.label)) and str(member.label) not in SAME_IN_CHINESE
        ]

    assert english_only == []


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client: Any) -> None:
    response = client.get("/login/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page
    assert "用户名" in page
    assert "Log in" not in page
    assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_login_page_follows_an_english_browser(client: Any) -> None:
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Log in" in response.content.decode()
