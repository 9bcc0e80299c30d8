"""One description per record kind: each is complete, and nothing outside a kind's package keeps its own list.

Adding a kind touches its own package (and a migration when it needs one): these fail if a timeline, the
desk, the brief, sharing or the export grows a table of kinds again, or if a kind leaves something out.
"""

from __future__ import annotations

import ast
import importlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journal import kinds as listing
from journal.records import kinds
from journal.records.service import RecordView

PACKAGE = Path(__file__).resolve().parent.parent.parent / "journal"
TEMPLATES = PACKAGE / "templates"
# The offline forms (pwa/) stand in for the two pages that work without a connection; their names are
# those pages', not a list of kinds.
OFFLINE_FORMS = {PACKAGE / "pwa" / "views.py", PACKAGE / "pwa" / "icons.py"}


def _kind_packages() -> dict[str, Path]:
    """{kind name: the package that describes it}."""
    found = {}
    for one in kinds.all_kinds():
        module = importlib.import_module(one.display.__module__)
        found[one.name] = Path(module.__file__).parent
    return found


def _empty_view(kind: str) -> RecordView:
    at = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    return RecordView(uuid.uuid4(), kind, at, at, at, 1, {})


def test_every_kind_is_listed_once_in_order_and_described_in_its_own_package():
    assert [one.name for one in listing.ORDER] == list(kinds.names())
    assert kinds.names() == ("entry", "checkin", "measure", "dose", "intention", "art", "voice", "safety_plan")
    for name, package in _kind_packages().items():
        assert (package / "kind.py").is_file(), name
        assert importlib.import_module(f"journal.{package.name}.service").KIND == name
        assert kinds.kind(name).display.__module__.startswith(f"journal.{package.name}.")


@pytest.mark.parametrize("name", kinds.names())
def test_every_kind_is_complete(app, name):
    kind = kinds.kind(name)
    assert kind.label and all(kind.words)
    assert (TEMPLATES / kind.partial).is_file(), kind.partial
    assert callable(kind.export.members)
    if kind.on_timeline:
        assert kind.export.summary and (TEMPLATES / kind.export.summary).is_file(), kind.export.summary
    assert kind.export.readme, "the README says what its files are"
    view = _empty_view(name)
    with app.test_request_context():
        title, detail = kind.summary(view, [])
        assert isinstance(title, str) and title and isinstance(detail, str)
        assert kind.owner_url(view).startswith("/")
        if kind.has_pictures:
            assert kind.picture_url(view, "full").startswith("/")
    if kind.standing_share:
        assert kind.shareable


def test_a_kind_of_the_same_name_cannot_be_registered_twice():
    entry = kinds.kind("entry")
    assert kinds.register(entry) is entry  # the same description again is harmless
    with pytest.raises(ValueError):
        kinds.register(kinds.RecordKind(**{**entry.__dict__, "label": "Another entry"}))
    assert kinds.kind("entry") is entry


def _kind_strings(path: Path) -> list[tuple[int, str]]:
    names = set(kinds.names())
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    ]


def test_no_module_outside_a_kinds_package_names_a_kind():
    """The timeline, sharing, the desk, the brief and the export read the registry, or a kind's own constant;
    a kind's name written out anywhere else is the start of another per-kind table."""
    packages = set(_kind_packages().values())
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent in packages or path in OFFLINE_FORMS:
            continue
        found += [(str(path.relative_to(PACKAGE)), line, value) for line, value in _kind_strings(path)]
    assert found == []


def test_no_template_outside_a_kinds_folder_branches_on_a_kind():
    kind_folders = {TEMPLATES / package.name for package in _kind_packages().values()}
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.parent in kind_folders:
            continue
        text = path.read_text(encoding="utf-8")
        for name in kinds.names():
            for quoted in (f"'{name}'", f'"{name}"'):
                if f"kind == {quoted}" in text or f"kind != {quoted}" in text:
                    found.append((str(path.relative_to(TEMPLATES)), name))
    assert found == []


def test_the_records_partial_shows_each_kind_through_its_own_template():
    content = (TEMPLATES / "records" / "_content.html").read_text(encoding="utf-8")
    assert "record_partial(view.kind)" in content
    assert sorted(path.name for path in (TEMPLATES / "records").iterdir()) == ["_content.html"]
