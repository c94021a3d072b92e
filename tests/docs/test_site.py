"""The documentation site: it builds offline under ``--strict``, and its reference pages keep
up with the code.

The build runs ``mkdocs build --strict`` in a subprocess, as ``make docs`` does, with every
proxy variable pointing at a closed port, so a theme or plugin that tried to download
something at build time would fail here. The settings, signals and system checks pages are
compared with the code itself, so a new setting, signal or check cannot ship undocumented.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.dispatch import Signal

from django_talonone import signals
from django_talonone.conf import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
OFFLINE = "http://127.0.0.1:9"  # the discard port: any download attempt fails

PAGES = [
    "",
    "quickstart",
    "django",
    "settings",
    "signals",
    "testing",
    "emulator",
    "emulator-campaigns",
    "changelog",
    "architecture",
    "reference/client",
    "reference/services",
    "reference/adapters",
    "reference/evaluation",
    "reference/signals",
    "reference/testing",
    "reference/emulator",
    "reference/wallet",
    "reference/models",
    "reference/outbox",
]


def build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``project`` into ``site``, with no network."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "NO_COLOR": "1",
        "NO_PROXY": "",
        "no_proxy": "",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = OFFLINE
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    result = build(ROOT, target)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return target


def page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def headings(markdown: str) -> list[str]:
    """The code-formatted names of a page's level-3 headings: ``### `NAME` ``."""
    return re.findall(r"^### `([^`]+)`", markdown, flags=re.MULTILINE)


@pytest.mark.parametrize("name", PAGES)
def test_page_is_built(site: Path, name: str) -> None:
    assert "<article" in page(site, name)


@pytest.mark.parametrize(
    ("name", "anchor"),
    [
        ("reference/client", "django_talonone.client.client.TalonOneClient.return_cart_items"),
        ("reference/client", "django_talonone.client.errors.TalonOneConflict"),
        ("reference/services", "django_talonone.services.sessions.evaluate_cart"),
        ("reference/adapters", "django_talonone.adapters.OrderAdapter"),
        ("reference/adapters", "django_talonone.registry.register_cart"),
        ("reference/evaluation", "django_talonone.evaluation.Evaluation.from_dict"),
        ("reference/signals", "django_talonone.signals.delivery_dead"),
        ("reference/testing", "django_talonone.testing.TalonOneHarness.fail"),
        ("reference/testing", "django_talonone.emulator.pytest_plugin.talonone_emulator"),
        ("reference/emulator", "django_talonone.emulator.facade.Emulator.set_faults"),
        ("reference/wallet", "django_talonone.wallet.get_wallet"),
        ("reference/models", "django_talonone.models.outbox.Delivery"),
        ("reference/outbox", "django_talonone.outbox.deliver_pending"),
    ],
)
def test_reference_is_generated_from_the_code(site: Path, name: str, anchor: str) -> None:
    assert f'id="{anchor}"' in page(site, name)


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("reference/services", "django_talonone.services"),
        ("reference/wallet", "django_talonone.wallet"),
        ("reference/signals", "django_talonone.signals"),
        ("reference/models", "django_talonone.models"),
    ],
)
def test_reference_lists_every_public_name(site: Path, name: str, module: str) -> None:
    html = page(site, name)
    missing = [
        public
        for public in importlib.import_module(module).__all__
        if not re.search(rf'id="{re.escape(module)}(?:\.\w+)?\.{public}"', html)
    ]
    assert missing == [], f"add them to docs/{name}.md"


def test_sphinx_markup_is_tidied(site: Path) -> None:
    html = page(site, "reference/evaluation")
    # The module docstring says :class:`Evaluation`; the role name must not be shown.
    assert "<code>Evaluation</code>" in html
    assert not re.search(r":(?:class|func|meth|mod|attr|data|exc):<code>", html)
    # The signals module docstring ends a sentence with "::" before its example.
    signals_html = page(site, "reference/signals")
    assert "from their own code:</p>" in signals_html
    assert "::</p>" not in signals_html


def test_site_loads_nothing_from_the_web(site: Path) -> None:
    remote = re.compile(r"""(?:src|href)="https?://(?:fonts\.googleapis|fonts\.gstatic)""")
    offenders = [
        str(path.relative_to(site))
        for path in site.rglob("*.html")
        if remote.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    documented = [name for name in headings(text) if not name.startswith("django_talonone.")]
    assert sorted(documented) == sorted(DEFAULTS)
    for key in DEFAULTS:
        assert f"| [`{key}`](#{key.lower()}) |" in text, f"{key} is missing from the summary"


def test_every_system_check_is_documented() -> None:
    source = "\n".join(
        (ROOT / "django_talonone" / name).read_text(encoding="utf-8")
        for name in ("checks.py", "project_checks.py")
    )
    ids = {
        f"django_talonone.{kind}{int(number):03d}"
        for kind, number in re.findall(r'_id\("([EW])", (\d+)\)', source)
    }
    contrib = (ROOT / "django_talonone" / "contrib" / "oscar" / "checks.py").read_text("utf-8")
    ids |= set(re.findall(r'"(django_talonone\.[EW]\d{3})"', contrib))  # the oscar contrib's
    assert ids, "no check ids found in the checks modules"
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    documented = {name for name in headings(text) if name.startswith("django_talonone.")}
    assert documented == ids


def test_every_signal_is_documented() -> None:
    public = {name for name, value in vars(signals).items() if isinstance(value, Signal)}
    assert public == set(signals.__all__)
    documented = set(headings((DOCS / "signals.md").read_text(encoding="utf-8")))
    assert public <= documented, f"undocumented signals: {sorted(public - documented)}"


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project)
    shutil.copytree(DOCS, project / "docs")
    (project / "django_talonone").symlink_to(ROOT / "django_talonone")
    (project / "docs" / "broken.md").write_text(
        "# Broken\n\nSee [nowhere](nowhere.md) and [a lost anchor](settings.md#no-such-key).\n",
        encoding="utf-8",
    )
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "nowhere.md" in result.stderr
    assert "no-such-key" in result.stderr
