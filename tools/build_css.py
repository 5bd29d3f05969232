#!/usr/bin/env python3
"""Build static/css/bootstrap.min.css: Bootstrap's stylesheet cut down to the rules this
app's pages can match (issue 13: the full file is 28 KB of the check-in page's 60 KB budget
on a slow phone, compressed).

    python tools/build_css.py            # rewrite the output
    python tools/build_css.py --check    # exit 1 when the committed output is stale

Run it after adding a Bootstrap class to a template, a view or a script
(tests/test_css_build.py fails until you do). The output is committed, so a fresh clone and
production need neither Node nor this script's parser (tinycss2, the ``build`` extra).

Input: tools/vendor/bootstrap.min.css, Bootstrap 5.3.8 as Bootstrap-Flask ships it (MIT;
the pages still load Bootstrap-Flask's JavaScript of the same release).

What is kept, in the manner of PurgeCSS's default extractor (better one rule too many than a
page without its style):

- A word anywhere in templates/ (emails excepted: they never load this stylesheet), in a
  string literal of asnbelajar/ (docstrings excepted) or in static/js/ may be a class.
  A word ending in "-" just before a template expression (``alert-{{ cat }}``,
  ``' speaker-avatar-' ~ size``, ``f"text-bg-{tone}"``) keeps every class it begins.
- The classes and attributes Bootstrap's own JavaScript sets while the pages' components
  (collapse, dropdown, dismissible alert) open and close: RUNTIME_CLASSES, RUNTIME_ATTRIBUTES.
- A selector survives when every class it requires is used and every ``data-*`` attribute it
  tests is used; classes inside ``:not()`` are not required. Element selectors (the reboot),
  ``:root`` custom properties, ``@font-face``, keyframes a kept rule animates with, and
  media queries holding a kept rule stay.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tools" / "vendor" / "bootstrap.min.css"
OUTPUT = ROOT / "static" / "css" / "bootstrap.min.css"

# Set by bootstrap.min.js at runtime, never written in a template: collapse (show,
# collapsing, collapsed), dropdown (show; data-bs-popper="static" inside a navbar),
# alert (fade, show), modal (its backdrop element, modal-static), Popper's placement
# attribute for a dropdown outside a navbar. A page that starts using another of
# Bootstrap's scripted components (offcanvas, tooltip, popover, toast) adds the classes
# that component's JavaScript creates here.
RUNTIME_CLASSES = frozenset({"show", "showing", "hiding", "collapsing", "collapsed", "fade",
                             "active", "disabled", "modal-backdrop", "modal-static"})
RUNTIME_ATTRIBUTES = frozenset({"data-bs-popper", "data-popper-placement"})

WORD = re.compile(r"[A-Za-z_][\w-]*")
# A class name's beginning followed by an expression that completes it: Jinja, a JS
# template literal, %-formatting or str.format, or a concatenation.
TEMPLATE_PREFIX = re.compile(
    r"(?<![\w%-])([A-Za-z][\w-]*-)(?:\{\{|\{%|\$\{|%[sd(]|\{[\w.]*\}|[\"'`]\s*(?:~|\+))")


class UsedNames:
    """The words, class prefixes and attribute names the app's sources may put in a page."""

    def __init__(self) -> None:
        self.words: set[str] = set(RUNTIME_CLASSES) | set(RUNTIME_ATTRIBUTES)
        self.prefixes: set[str] = set()

    def add_text(self, text: str) -> None:
        self.words.update(WORD.findall(text))
        self.prefixes.update(TEMPLATE_PREFIX.findall(text))

    def add_prefix(self, text: str) -> None:
        match = re.search(r"(?<![\w%-])([A-Za-z][\w-]*-)$", text)
        if match:
            self.prefixes.add(match.group(1))

    def has_class(self, name: str) -> bool:
        return name in self.words or name.startswith(tuple(self.prefixes))

    def has_attribute(self, name: str) -> bool:
        # Plain HTML attributes ([type=checkbox], [disabled], [href]) are always possible.
        return not name.startswith("data-") or name in self.words


def _python_strings(source: str) -> Iterable[tuple[str, bool]]:
    """(string literal, completed by an expression) for each literal that is no docstring."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    completed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part, after in zip(node.values, node.values[1:], strict=False):
                if isinstance(part, ast.Constant) and isinstance(after, ast.FormattedValue):
                    completed.add(id(part))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) \
                and isinstance(node.left, ast.Constant):
            completed.add(id(node.left))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            yield node.value, id(node) in completed


def collect_used(root: Path = ROOT) -> UsedNames:
    used = UsedNames()
    for path in sorted((root / "templates").rglob("*.html")):
        if "email" not in path.relative_to(root / "templates").parts:
            used.add_text(path.read_text(encoding="utf-8"))
    for path in sorted((root / "static" / "js").rglob("*.js")):
        used.add_text(path.read_text(encoding="utf-8"))
    for path in sorted((root / "asnbelajar").rglob("*.py")):
        if "migrations" in path.relative_to(root / "asnbelajar").parts:
            continue
        for text, completed in _python_strings(path.read_text(encoding="utf-8")):
            used.add_text(text)
            if completed:
                used.add_prefix(text)
    return used


# --- selectors ----------------------------------------------------------------------------

def split_selectors(prelude: list) -> list[list]:
    """A selector list's selectors, each as its tokens without surrounding whitespace."""
    selectors: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return [_strip(s) for s in selectors if _strip(s)]


def _strip(tokens: list) -> list:
    start, end = 0, len(tokens)
    while start < end and tokens[start].type in ("whitespace", "comment"):
        start += 1
    while end > start and tokens[end - 1].type in ("whitespace", "comment"):
        end -= 1
    return tokens[start:end]


def selector_can_match(tokens: list, used: UsedNames) -> bool:
    previous = None
    for token in tokens:
        if previous is not None and previous.type == "literal" and previous.value == "." \
                and token.type == "ident" and not used.has_class(token.value):
            return False
        if token.type == "hash" and not used.has_class(token.value):
            return False  # an id selector
        if token.type == "[] block":
            names = [t for t in token.content if t.type == "ident"]
            if names and not used.has_attribute(names[0].value):
                return False
        # A ":not(...)" or ":nth-child(...)" argument requires nothing to be present.
        previous = token
    return True


# --- stylesheet ---------------------------------------------------------------------------

def _purge_rules(rules: list, used: UsedNames, out: list, keyframes: dict) -> None:
    for rule in rules:
        if rule.type == "qualified-rule":
            kept = [s for s in split_selectors(rule.prelude) if selector_can_match(s, used)]
            if kept:
                out.append(",".join(tinycss2.serialize(s) for s in kept)
                           + "{" + tinycss2.serialize(rule.content).strip() + "}")
        elif rule.type == "at-rule":
            name = rule.lower_at_keyword
            if name in ("media", "supports", "layer", "container") and rule.content is not None:
                inner: list[str] = []
                _purge_rules(tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                                      skip_comments=True),
                             used, inner, keyframes)
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}"
                               "{" + "".join(inner) + "}")
            elif name.endswith("keyframes"):
                # Kept only when a surviving rule animates with it (decided at the end).
                animation = "".join(t.value for t in rule.prelude if t.type == "ident")
                placeholder = f"\0keyframes:{len(keyframes)}\0"
                keyframes[placeholder] = (animation, tinycss2.serialize([rule]).strip())
                out.append(placeholder)
            else:
                out.append(tinycss2.serialize([rule]).strip())  # @font-face, @charset, ...


def purge(css: str, used: UsedNames) -> str:
    """``css`` without the rules no page can match, minified as its source was."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    out: list[str] = []
    keyframes: dict[str, tuple[str, str]] = {}
    _purge_rules(rules, used, out, keyframes)
    body = "".join(out)
    rest = body
    for placeholder in keyframes:
        rest = rest.replace(placeholder, "")
    for placeholder, (animation, text) in keyframes.items():
        wanted = re.search(rf"animation[\w-]*:[^;}}]*\b{re.escape(animation)}\b", rest)
        body = body.replace(placeholder, text if wanted else "")
    return body


def license_header(css: str) -> str:
    match = re.search(r"/\*!.*?\*/", css, re.S)
    notice = match.group(0) if match else ""
    return (notice + "\n/* Only the rules this app's pages can match: built by tools/build_css.py"
            " from tools/vendor/bootstrap.min.css. Do not edit; re-run the script. */\n")


def build(root: Path = ROOT) -> str:
    source = SOURCE.read_text(encoding="utf-8")
    body = purge(source, collect_used(root))
    if body.startswith("@charset"):
        charset, _, body = body.partition(";")
        return f"{charset};{license_header(source)}{body}\n"
    return f"{license_header(source)}{body}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the committed output differs from a fresh build")
    args = parser.parse_args(argv)
    built = build()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        if built != current:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python tools/build_css.py",
                  file=sys.stderr)
            return 1
        return 0
    if built != current:
        OUTPUT.write_text(built, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(built):,} bytes "
          f"(from {SOURCE.stat().st_size:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
