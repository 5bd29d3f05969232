"""static/css/bootstrap.min.css is Bootstrap cut to the rules the pages use (issue 13): the
committed file must be what tools/build_css.py builds from today's templates, views and
scripts, so a page never uses a Bootstrap class the stylesheet lacks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build_css():
    spec = importlib.util.spec_from_file_location("build_css", ROOT / "tools" / "build_css.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_bootstrap_css_is_up_to_date(build_css):
    committed = (ROOT / "static" / "css" / "bootstrap.min.css").read_text(encoding="utf-8")
    assert build_css.build() == committed, (
        "static/css/bootstrap.min.css is stale (a Bootstrap class was added to or dropped "
        "from templates/, asnbelajar/ or static/js/): run python tools/build_css.py")


def test_a_new_bootstrap_class_in_a_template_changes_the_build(build_css):
    used = build_css.collect_used()
    assert not used.has_class("placeholder-wave")
    used.add_text('<span class="placeholder placeholder-wave"></span>')
    source = build_css.SOURCE.read_text(encoding="utf-8")
    assert ".placeholder-wave{" in build_css.purge(source, used)
    assert ".placeholder-wave{" not in build_css.build()


def test_the_pages_own_classes_and_bootstraps_runtime_states_are_kept():
    css = (ROOT / "static" / "css" / "bootstrap.min.css").read_text(encoding="utf-8")
    # Collapsed navbar, account dropdown (static inside the navbar), dismissible alerts.
    for selector in (".navbar-toggler{", ".collapse:not(.show){", ".collapsing{",
                     ".dropdown-menu.show{", ".dropdown-menu-end[data-bs-popper]{",
                     ".fade:not(.show){", ".btn-close{", ".visually-hidden-focusable",
                     ".spinner-border{", "@keyframes spinner-border", ":root{--bs-blue"):
        assert selector in css, selector
    # Never used: dark theme, carousel, tooltips, offcanvas.
    for absent in ("[data-bs-theme=dark]", ".carousel", ".tooltip", ".offcanvas",
                   "@keyframes placeholder-wave", "sourceMappingURL"):
        assert absent not in css, absent
    assert "Licensed under MIT" in css
    assert len(css.encode()) < 100_000


PURGE_CASES = [
    # (rule, used words, kept?)
    (".a .b{color:red}", "a b", True),
    (".a .b{color:red}", "a", False),
    (".a:not(.b){color:red}", "a", True),  # :not() requires nothing
    ("p{margin:0}", "", True),  # element selectors (reboot) stay
    ("[data-x=y] .a{color:red}", "a", False),
    ("[data-x=y] .a{color:red}", "a data-x", True),
    ("input[type=checkbox]{color:red}", "", True),  # plain HTML attributes are possible
    ("#nav{color:red}", "", False),
]


@pytest.mark.parametrize(("rule", "words", "kept"), PURGE_CASES)
def test_purge_keeps_a_rule_only_when_it_can_match(build_css, rule, words, kept):
    used = build_css.UsedNames()
    used.words = set(words.split())
    assert (build_css.purge(rule, used) == rule) is kept


def test_purge_trims_selector_lists_media_queries_and_keyframes(build_css):
    used = build_css.UsedNames()
    used.words = {"a", "spin"}
    css = ("@media (min-width:576px){.a,.b{color:red}.b{color:blue}}"
           "@media print{.b{display:none}}"
           "@keyframes spin{to{transform:rotate(1turn)}}@keyframes glow{50%{opacity:.2}}"
           ".a{animation:.75s linear infinite spin}")
    assert build_css.purge(css, used) == (
        "@media (min-width:576px){.a{color:red}}"
        "@keyframes spin{to{transform:rotate(1turn)}}"
        ".a{animation:.75s linear infinite spin}")


def test_a_class_completed_by_an_expression_keeps_its_whole_family(build_css):
    used = build_css.UsedNames()
    used.add_text('<div class="alert alert-{{ category }}">')
    assert used.has_class("alert-warning") and used.has_class("alert")
    assert not used.has_class("badge")
    python = build_css.UsedNames()
    for text, completed in build_css._python_strings(
            '"""Docstring words: carousel."""\nTONE = f"text-bg-{tone}"\n'):
        python.add_text(text)
        if completed:
            python.add_prefix(text)
    assert python.has_class("text-bg-success")
    assert not python.has_class("carousel")
