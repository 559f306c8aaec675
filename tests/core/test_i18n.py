"""English, the portal's second language: every string the portal itself shows has a translation.

The source strings are Simplified Chinese; locale/en holds their English. Three checks keep it
whole: the catalogue is complete and compiled, it covers every string makemessages finds in the
code and templates, and the pages rendered in English show none of the catalogue's Chinese.
"""

import ast
import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.test_permission_matrix import CASES, build_world

from ..conftest import login

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
HAN = re.compile(r"[\u4e00-\u9fff]")
# A stretch of Chinese text: Han characters with the punctuation and spaces between them.
# (Not next to a letter or digit: "学员1" is a trainee's name in the test data, not the word 学员.)
HAN_RUN = re.compile(
    r"(?<![A-Za-z0-9])(?:[\u4e00-\u9fff][\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e /·—]*"
    r"[\u4e00-\u9fff\u3002\uff09\uff1f]|[\u4e00-\u9fff])(?![A-Za-z0-9])"
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
# What makemessages reads: the portal's code and templates (not tests, benches or the virtualenv).
SOURCE_DIRS = ("consortium", "members", "projects", "training", "dashboards", "templates")


def catalogue():
    return polib.pofile(str(CATALOGUE))


def test_every_english_entry_is_translated_and_keeps_its_placeholders():
    po = catalogue()
    assert len(po) > 500
    problems = []
    for entry in po:
        if not entry.msgstr or "fuzzy" in entry.flags or entry.obsolete:
            problems.append(f"untranslated: {entry.msgid!r}")
        elif HAN.search(entry.msgstr):
            problems.append(f"Chinese left in: {entry.msgstr!r}")
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            problems.append(f"placeholders differ: {entry.msgid!r} -> {entry.msgstr!r}")
    assert not problems, "\n".join(problems[:30])


def test_the_compiled_catalogue_matches_the_po_file():
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(CATALOGUE.with_suffix(".mo")))}
    source = {e.msgid: e.msgstr for e in catalogue() if e.msgstr}
    stale = sorted(k for k, v in source.items() if compiled.get(k) != v)
    assert not stale, f"run `make messages`: django.mo is older than django.po for {stale[:10]}"


def _xgettext_available():
    return shutil.which("xgettext") is not None and shutil.which("msguniq") is not None


def test_the_catalogue_covers_every_string_of_the_code_and_templates(tmp_path):
    """makemessages over a copy of the sources finds no string the English catalogue lacks."""
    if not _xgettext_available():
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is required: apt-get install gettext")
        pytest.skip("GNU gettext is not installed")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (tmp_path / "locale").mkdir()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
            call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    found = {e.msgid for e in polib.pofile(str(tmp_path / "locale/en/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in catalogue() if e.msgstr}
    missing = sorted(found - known)
    assert not missing, f"strings without English (run `make messages` and translate): {missing[:20]}"


def _template_text_outside_translation(text):
    text = re.sub(
        r"\{%\s*(blocktrans|blocktranslate)\b.*?\{%\s*end(blocktrans|blocktranslate)\s*%\}", "", text, flags=re.S
    )
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*(trans|translate)\b.*?%\}", "", text)
    text = re.sub(r"\{#.*?#\}", "", text)
    return re.sub(r'_\("[^"]*"\)', "", text)


# The error pages are served when the database may be down: they are bilingual as they stand.
BILINGUAL_TEMPLATES = {"500.html", "503.html"}


def test_templates_have_no_chinese_outside_translation_tags():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.name in BILINGUAL_TEMPLATES:
            continue
        for line in _template_text_outside_translation(path.read_text()).splitlines():
            if HAN.search(line):
                problems.append(f"{path.relative_to(ROOT)}: {line.strip()[:80]}")
    assert not problems, "\n".join(problems)


def test_the_scan_sees_untranslated_template_text():
    assert HAN.search(_template_text_outside_translation('<th>{% translate "姓名" %}</th><td>未翻译</td>'))
    assert not HAN.search(
        _template_text_outside_translation(
            '{{ x|yesno:_("是,否") }}{% blocktranslate %}共 {{ n }} 条{% endblocktranslate %}'
        )
    )


# Swagger UI's own page: the API's documentation, for developers, not translated.
NOT_PORTAL_PAGES = {"api_docs", "api_schema"}


def _english_pages():
    """Every page of the permission matrix that staff may open (no API, no export)."""
    seen = set()
    for _module, case in CASES:
        if case.api or case.method != "get" or case.expect.get("staff") != 200 or "export=" in case.query:
            continue
        if case.url_name in NOT_PORTAL_PAGES:
            continue
        if case.id not in seen:
            seen.add(case.id)
            yield case


def _visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Text a user put in a file (an import's header cells), marked translate="no": data, not interface.
    html = re.sub(r'<(\w+)\b[^>]*\btranslate="no"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_in_english_show_none_of_the_catalogues_chinese(users, org, other_org):
    """Rendered with the language menu set to English, no page shows a Chinese string of the
    catalogue (a string translated at import time instead of per request would)."""
    world = build_world(users, org, other_org)
    # Single characters (男, 是) are as often data as interface: they are left to the checks above.
    msgids = {e.msgid.strip() for e in catalogue() if len(e.msgid.strip()) > 1 and "%" not in e.msgid}
    client = login(users["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    problems, pages = [], 0
    for case in _english_pages():
        url = reverse(case.url_name, args=case.args(world)) + case.query
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        text = _visible_text(response.content.decode())
        assert 'lang="en"' in response.content.decode(), url
        left = sorted({run for run in HAN_RUN.findall(text) if run in msgids})
        if left:
            problems.append(f"{url}: {left[:5]}")
    assert pages >= 40
    assert not problems, "\n".join(problems)


def test_the_same_page_in_chinese_shows_the_catalogues_chinese(users):
    """The check above can fail: the default language shows the Chinese it looks for."""
    client = login(users["staff"])
    text = _visible_text(client.get(reverse("members:organization_list")).content.decode())
    assert "成员单位" in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _visible_text(client.get(reverse("members:organization_list")).content.decode())
    assert "成员单位" not in text and "Member" in text


EAGER_GETTEXT = {"gettext", "ngettext", "pgettext"}


class _ImportTimeCalls(ast.NodeVisitor):
    """Calls of the given names outside any function body (run once, when the module loads)."""

    def __init__(self, names):
        self.names, self.depth, self.lines = names, 0, []

    def visit_FunctionDef(self, node):
        for expr in [*node.decorator_list, *node.args.defaults, *filter(None, node.args.kw_defaults)]:
            self.visit(expr)
        self.depth += 1
        for statement in node.body:
            self.visit(statement)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Call(self, node):
        if self.depth == 0 and isinstance(node.func, ast.Name) and node.func.id in self.names:
            self.lines.append(node.lineno)
        self.generic_visit(node)


def import_time_gettext(source):
    tree = ast.parse(source)
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER_GETTEXT
    }
    visitor = _ImportTimeCalls(names)
    visitor.visit(tree)
    return visitor.lines


def test_no_string_is_translated_when_its_module_loads():
    """gettext() in a class attribute or a module constant is fixed in the language of the first
    request; such strings need gettext_lazy."""
    problems = []
    for name in SOURCE_DIRS[:-1]:
        for path in sorted((ROOT / name).rglob("*.py")):
            if "migrations" not in path.parts:
                problems += [f"{path.relative_to(ROOT)}:{line}" for line in import_time_gettext(path.read_text())]
    assert not problems, problems


def test_the_import_time_check_sees_a_class_attribute():
    source = (
        "from django.utils.translation import gettext as _\n"
        "class V:\n    title = _('标题')\n    def get(self):\n        return _('运行时')\n"
    )
    assert import_time_gettext(source) == [3]
