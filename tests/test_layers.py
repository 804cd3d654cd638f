"""The layers of the code (docs/architecture.md, "Layers") are kept: the import contracts of
pyproject.toml hold, and each of them breaks when a module crosses it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(where: Path) -> subprocess.CompletedProcess:
    """Run the contracts of pyproject.toml over the package found in `where`."""
    return subprocess.run(
        [str(LINT), "--config", str(where / "pyproject.toml"), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The package's Python modules and the contracts, copied where a test may spoil them,
    with a module of the indicators app for a domain app to import."""
    where = tmp_path_factory.mktemp("layers")
    shutil.copy(ROOT / "pyproject.toml", where)
    for source in (ROOT / "tongxing").rglob("*.py"):
        target = where / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    (where / "tongxing/indicators/figures.py").write_text("")
    return where


# (module of the copy, the import written into it, a contract that then breaks)
CROSSINGS = [
    ("regions/selectors.py", "from tongxing.accounts import models", "Each layer"),
    ("accounts/selectors.py", "from tongxing.notifications import selectors", "Each layer"),
    ("text.py", "from tongxing.regions import models", "Each layer"),
    ("audit/log.py", "from tongxing.accounts import models", "Each layer"),
    ("regions/codes.py", "from tongxing.regions import models", "The region codes"),
    ("needs/actions/posting.py", "from tongxing.indicators import figures", "Domain apps"),
    ("needs/views.py", "from tongxing.registry import views", "No app's views"),
]


@pytest.mark.parametrize(("path", "line", "contract"), CROSSINGS)
def test_each_contract_breaks_when_a_module_crosses_it(copy, path, line, contract):
    module = copy / "tongxing" / path
    original = module.read_text()
    module.write_text(f"{original}\n{line}  # noqa\n")
    try:
        result = lint(copy)
    finally:
        module.write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [row for row in result.stdout.splitlines() if " BROKEN" in row]
    assert any(row.startswith(contract) for row in broken), result.stdout
