"""What `pip install .` installs: the srs package only, with the exporter and the bundled
decks inside it (no top-level `exporters` package to clash with another distribution's)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from helpers import REPO, subprocess_env


def test_the_wheel_installs_everything_under_srs(tmp_path):
    # A copy of what the build reads, so the build leaves nothing in the working tree.
    source = tmp_path / "src"
    for name in ("srs", "exporters", "decks"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        env=subprocess_env(),
        timeout=300,
    )
    (wheel,) = tmp_path.glob("srs-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"srs"}
    assert "srs/exporters/anki.py" in names
    assert {"srs/decks/mlops-basics.md", "srs/decks/mlops-cicd.md"} <= set(names)
    assert "srs/cli/app.py" in names and "srs/store/migrations.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "srs = srs.entry:main" in zipfile.ZipFile(wheel).read(entry).decode()
