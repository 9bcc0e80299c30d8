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
