"""mypy checks every module of journal/ and every error fails `make lint`: no module is exempt."""

from __future__ import annotations

import tomllib

from ..support import ROOT


def test_no_module_is_exempt_from_type_errors():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = config["tool"]["mypy"]
    assert mypy["packages"] == ["journal"] and mypy["check_untyped_defs"] is True
    exempt = [entry["module"] for entry in mypy.get("overrides", []) if entry.get("ignore_errors")]
    assert exempt == []
