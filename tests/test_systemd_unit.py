"""systemd/pantau.service and its sysusers file, checked by systemd's own tools.

The tools read the files only; no systemd needs to run. The verify check
also needs the ExecStart command, /usr/local/bin/pantau, which
scripts/install.sh links.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
UNIT = REPOSITORY_ROOT / "systemd" / "pantau.service"
SYSUSERS = REPOSITORY_ROOT / "systemd" / "pantau.sysusers"
MAX_EXPOSURE = 2.0


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: install Debian's systemd package")
    return tool


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_verify_reports_nothing() -> None:
    result = subprocess.run(
        [systemd_analyze(), "verify", str(UNIT)], capture_output=True, text=True, check=False
    )
    # systemd-analyze verify prints warnings yet exits 0 for many problems.
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_security_exposure_is_at_most_two() -> None:
    result = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", "--no-pager", str(UNIT)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for pantau\.service: (\d+\.\d)", result.stdout)
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE, result.stdout


def test_sysusers_file_creates_the_service_user(tmp_path: Path) -> None:
    tool = shutil.which("systemd-sysusers")
    if tool is None:
        pytest.fail("systemd-sysusers is missing: install Debian's systemd package")
    (tmp_path / "etc").mkdir()
    result = subprocess.run(
        [tool, f"--root={tmp_path}", "--dry-run", str(SYSUSERS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Creating user 'pantau'" in result.stderr + result.stdout
    assert "pantau" in unit_settings()["User"]


def test_only_raw_sockets_are_granted() -> None:
    settings = unit_settings()
    assert settings["AmbientCapabilities"] == ["CAP_NET_RAW"]
    assert settings["CapabilityBoundingSet"] == ["CAP_NET_RAW"]


def test_unit_matches_the_daemon_contract() -> None:
    settings = unit_settings()
    assert settings["Type"] == ["notify"]
    assert settings["ExecStart"] == ["/usr/local/bin/pantau run -c /etc/pantau/targets.toml"]
    assert settings["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert settings["StateDirectory"] == ["pantau"]
    assert settings["ConfigurationDirectory"] == ["pantau"]
    assert settings["EnvironmentFile"] == ["-/etc/pantau/pantau.env"]
    # The database path that config/targets.toml ships with lives in StateDirectory.
    targets = (REPOSITORY_ROOT / "config" / "targets.toml").read_text()
    assert 'database = "/var/lib/pantau/pantau.db"' in targets


@pytest.mark.parametrize("guide", ["docs/install.md", "docs/id/install.md"])
def test_install_guide_uses_the_unit_paths(guide: str) -> None:
    text = (REPOSITORY_ROOT / guide).read_text()
    for path in (
        "/etc/systemd/system/pantau.service",
        "/etc/sysusers.d/pantau.conf",
        "/etc/pantau/targets.toml",
        "/etc/pantau/pantau.env",
        "/var/lib/pantau",
        "/usr/local/bin/pantau",
        "/opt/pantau",
    ):
        assert path in text, path
