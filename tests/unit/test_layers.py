"""The layers hold (views thin -> services -> records -> vault -> models): views never touch keys or rows; only
the vault touches the cipher library; only services, the records layer and the vault use the models; no
service reads the request; accounts and the request plumbing import no feature package."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent.parent / "journal"
# What accounts, account security and the request plumbing may build on; any other package of the
# journal is a feature, which registers with them (accounts/after_unlock.py) instead of being imported.
FOUNDATIONS = {
    "accounts",
    "account_security",
    "activity",
    "config",
    "db",
    "models",
    "records",
    "security",
    "vault",
    "web",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(
                f"{base}.{alias.name}" if base.endswith(".") is False else base + alias.name for alias in node.names
            )
    return names


def _views() -> list[Path]:
    """Every view module: views.py, and the others named for their pages (practice_views.py...)."""
    return sorted(PACKAGE.rglob("*views.py"))


def _plumbing(path: Path) -> bool:
    """The app factory, template helpers and request plumbing: they serve views and are not services."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] == "web" or relative.as_posix() in {
        "__init__.py",
        "templating.py",
        "security/csrf.py",
        "security/headers.py",
    }


def test_views_never_import_the_vault_or_crypto():
    views = _views()
    assert len(views) >= 20 and PACKAGE / "safety" / "practice_views.py" in views
    for path in views:
        for name in _imports(path):
            assert "vault" not in name and "cryptography" not in name, (path, name)


def test_only_services_the_records_layer_and_the_vault_import_the_models():
    importers = [
        path
        for path in PACKAGE.rglob("*.py")
        if PACKAGE / "models" not in path.parents
        and any(_package_of(name) == "models" for name in _journal_modules(path))
    ]
    assert PACKAGE / "records" / "service.py" in importers
    for path in importers:
        assert not path.name.endswith("views.py") and not _plumbing(path), path


def test_no_service_reads_the_request():
    services = [path for path in PACKAGE.rglob("*.py") if not path.name.endswith("views.py") and not _plumbing(path)]
    assert PACKAGE / "accounts" / "service.py" in services
    for path in services:
        for name in _journal_modules(path) | _imports(path):
            assert name not in {"flask.request", "werkzeug.local.request"}, (path, name)


def test_only_the_vault_imports_the_cipher_library():
    for path in PACKAGE.rglob("*.py"):
        if "vault" in path.relative_to(PACKAGE).parts:
            continue
        for name in _imports(path):
            assert not name.startswith("cryptography"), (path, name)


def test_only_the_shared_now_rule_compares_a_share_with_its_records_version():
    """ "Shared now" is a security rule: a share counts only while its wrap is of the record's current version.
    It is written once (records/shares.py shared_now); any other comparison of `dek_version` is a query that
    could bypass it."""
    rule = PACKAGE / "records" / "shares.py"
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside_rule = set()
        if path == rule:
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name == "shared_now":
                    inside_rule |= {id(child) for child in ast.walk(node)}
        for node in ast.walk(tree):
            compared = isinstance(node, ast.Compare) and any(
                isinstance(part, ast.Attribute) and part.attr == "dek_version"
                for part in [node.left, *node.comparators]
            )
            by_name = isinstance(node, ast.keyword) and node.arg == "dek_version" and path != rule
            in_sql = isinstance(node, ast.Constant) and isinstance(node.value, str) and "dek_version" in node.value
            if (compared and id(node) not in inside_rule) or by_name or in_sql:
                found.append((str(path.relative_to(PACKAGE)), node.lineno))
    assert found == []


def _journal_modules(path: Path, source: str | None = None) -> set[str]:
    """Every name of the journal that `path` imports, absolute ("journal.sharing.service"), lazy imports too."""
    package = ["journal", *path.relative_to(PACKAGE).parent.parts]
    names: set[str] = set()
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.split(".")[0] == "journal")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "journal":
                base = node.module or ""
            else:
                continue
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _package_of(module: str) -> str | None:
    """The journal's top-level package or module a name belongs to ("sharing" for journal.sharing.service)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_accounts_and_the_request_plumbing_import_no_feature_package():
    rooms = [
        *(PACKAGE / "accounts").rglob("*.py"),
        *(PACKAGE / "account_security").rglob("*.py"),
        *(PACKAGE / "web" / "access").rglob("*.py"),
    ]
    assert len(rooms) >= 10
    for path in rooms:
        for name in _journal_modules(path):
            assert _package_of(name) in FOUNDATIONS, (path, name)


def test_the_import_check_sees_feature_imports():
    # The check above would pass if it saw nothing: it sees relative, absolute and lazy imports alike.
    source = "import journal.desk.views\n\ndef late():\n    from ..sharing.service import rekey_pending\n"
    found = _journal_modules(PACKAGE / "accounts" / "service.py", source)
    assert found == {"journal.desk.views", "journal.sharing.service.rekey_pending"}
    assert {_package_of(name) for name in found} == {"desk", "sharing"}
