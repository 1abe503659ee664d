"""The package's layers, as import-linter contracts (``[tool.importlinter]`` in pyproject.toml): each subpackage
imports only from those below it, imports inside functions included, and sibling analyses, sweeps and views
stay apart where the contracts say so."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def _lint_imports() -> str:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    return exe


def test_every_import_contract_is_kept():
    r = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout and "kept" in r.stdout


def test_a_contract_catches_an_import_the_wrong_way(tmp_path):
    """The contracts are not vacuous: a copy of the package in which the table of primitives imports the
    command line breaks the first one."""
    copy = tmp_path / "graphdiff"
    shutil.copytree(ROOT / "graphdiff", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    table = copy / "primitives" / "table.py"
    table.write_text(table.read_text(encoding="utf-8") + "\n\ndef _wrong():\n    from ..cli import main  # noqa\n",
                     encoding="utf-8")
    env = {"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    r = subprocess.run([_lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env=env)
    assert r.returncode == 1, r.stdout[-2000:]
    assert "graphdiff.primitives.table -> graphdiff.cli" in r.stdout


def test_the_readmes_picture_of_the_layers_is_the_contracts():
    """The README's architecture picture lists the layers in the order the first contract holds them."""
    import re
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = [m.split(".")[-1] for m in contract["contracts"][0]["layers"]]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```mermaid", 1)[1].split("```", 1)[0]
    chain = re.search(r"^\s*(\w+(?: --> \w+)+)\s*$", block, re.M).group(1).split(" --> ")
    assert chain == layers
    for name in layers:  # and each box names the modules the subpackage holds
        box = re.search(rf'^\s*{name}\["([^"]*)"\]', block, re.M).group(1)
        if name in ("cli",):
            continue
        modules = {p.stem for p in (ROOT / "graphdiff" / name).glob("*.py")} - {"__init__"}
        assert all(m in box for m in modules), (name, modules, box)
