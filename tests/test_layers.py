"""The layers hold: views never touch keys; only the vault touches the cipher library."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "journal"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" if base.endswith(".") is False else base + alias.name
                         for alias in node.names)
    return names


def test_views_never_import_the_vault_or_crypto():
    views = list(PACKAGE.rglob("views.py"))
    assert len(views) >= 3
    for path in views:
        for name in _imports(path):
            assert "vault" not in name and "cryptography" not in name, (path, name)


def test_only_the_vault_imports_the_cipher_library():
    for path in PACKAGE.rglob("*.py"):
        if "vault" in path.relative_to(PACKAGE).parts:
            continue
        for name in _imports(path):
            assert not name.startswith("cryptography"), (path, name)


def test_only_the_shared_now_rule_compares_a_share_with_its_records_version():
    """"Shared now" is a security rule: a share counts only while its wrap is of the record's current version.
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
                isinstance(part, ast.Attribute) and part.attr == "dek_version" for part in [node.left, *node.comparators])
            by_name = isinstance(node, ast.keyword) and node.arg == "dek_version" and path != rule
            in_sql = isinstance(node, ast.Constant) and isinstance(node.value, str) and "dek_version" in node.value
            if (compared and id(node) not in inside_rule) or by_name or in_sql:
                found.append((str(path.relative_to(PACKAGE)), node.lineno))
    assert found == []
