"""Shared test helpers: fixture trees on disk and real site builds (no mocks)."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = FIXTURES / "good" / "toolkit.yaml"
BIN = Path(sys.executable).parent


CORPORA = REPO.parent / "shared" / "corpora"


def corpus() -> list[str]:
    """Every string of the shared hostile corpora (BLNS and four XSS lists), blank lines dropped."""
    import json

    if not CORPORA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"hostile corpora missing at {CORPORA}")
        pytest.skip(f"hostile corpora not found at {CORPORA}")
    strings = [s for s in json.loads((CORPORA / "blns.json").read_text("utf-8")) if s.strip()]
    for path in sorted((CORPORA / "xss").glob("*.txt")):
        strings += [line for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip()]
    return strings


def make_tree(base: Path, toolkits: dict[str, str | bytes] | None = None, registry: Path | None = None) -> Path:
    """A repository-shaped tree: toolkits/_registry/ plus toolkits/<id>/toolkit.yaml files."""
    shutil.copytree(registry or FIXTURES / "registry", base / "toolkits" / "_registry")
    for tid, content in (toolkits if toolkits is not None else {"demo-solar": GOOD.read_bytes()}).items():
        target = base / "toolkits" / tid / "toolkit.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return base


def make_site(base: Path, toolkits: dict[str, str | bytes] | None = None, real_toolkits: bool = False) -> Path:
    """A copy of the site project (config, hooks, docs, overrides) around a toolkit tree."""
    for name in ("mkdocs.yml",):
        shutil.copy(REPO / name, base / name)
    for name in ("hooks", "overrides") + (("locales",) if real_toolkits else ()):
        if (REPO / name).exists():  # the repository's catalogs belong to its own toolkits
            shutil.copytree(REPO / name, base / name)
    shutil.copytree(REPO / "docs", base / "docs", ignore=shutil.ignore_patterns("toolkits", "standards"))
    if real_toolkits:
        shutil.copytree(REPO / "toolkits", base / "toolkits")
    else:
        make_tree(base, toolkits)
    return base


def mkdocs_build(base: Path, *args: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` through the hook: one process, the languages one after another."""
    return _build([str(BIN / "mkdocs"), "build", "--strict"], base, args)


def site_build(base: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`greentoolbox build` (what `make build` and the deploy run): languages in parallel."""
    return _build([sys.executable, "-m", "greentoolbox.cli", "build"], base, args, env)


def _build(command: list[str], base: Path, args: tuple[str, ...], extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A site build in ``base`` into ``base/site`` (a later --site-dir in ``args`` wins), with
    the build cache in ``base`` (``extra``: more environment, such as ``GREENTOOLBOX_CACHE``)."""
    env = {k: v for k, v in os.environ.items() if k != "GREENTOOLBOX_CACHE"}
    env.update({"NO_MKDOCS_2_WARNING": "1", **(extra or {})})
    return subprocess.run([*command, "--site-dir", str(base / "site"), *args],
                          cwd=base, env=env, capture_output=True, text=True, timeout=600)


def differences(one: Path, two: Path) -> list[str]:
    """Paths (relative) that are in one folder only, or differ in content between the two."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str = "") -> None:
        out.extend(prefix + name for name in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        out.extend(prefix + name for name in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(one, two))
    return out


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "greentoolbox.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


class PageParser(HTMLParser):
    """Text, ids, hrefs and elements of an HTML page, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text_parts: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        # True for elements of the engine's own world map (svg.gt-worldmap), drawn from CLDR
        # names and Natural Earth data only; contributed text never reaches it.
        self.in_map: list[bool] = []
        self._skip = 0
        self._map = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg" and (self._map or "gt-worldmap" in (dict(attrs).get("class") or "").split()):
            self._map += 1
        self.elements.append((tag, attrs))
        self.in_map.append(self._map > 0)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name == "href" and value is not None:
                self.hrefs.append(value)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "svg" and self._map:
            self._map -= 1
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text("utf-8"))
    return parser


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """A small real site: the project's config and docs around the demo toolkit."""
    base = make_site(tmp_path_factory.mktemp("demo-site"))
    result = mkdocs_build(base)
    assert result.returncode == 0, result.stdout + result.stderr
    return base / "site"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The project's own site, built from a copy of its toolkits/ as `make build` builds it."""
    base = make_site(tmp_path_factory.mktemp("real-site"), real_toolkits=True)
    result = site_build(base)
    assert result.returncode == 0, result.stdout + result.stderr
    return base / "site"


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session, driven by Playwright.

    Playwright's sync API allows one running instance per thread, so every browser test uses
    this fixture (or its alias ``chromium``). Missing Chromium skips locally and fails in CI.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def chromium(browser):
    return browser


def serve(root: Path):
    """A quiet threaded HTTP server for ``root`` on a free loopback port, serving until shut down."""
    import functools
    import threading

    from greentoolbox.bench import QuietHandler, QuietServer

    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def base_url(real_site, tmp_path_factory):
    """The real site served on loopback under a GitHub Pages-like sub-path, /green-toolbox/."""
    root = tmp_path_factory.mktemp("serve")
    (root / "green-toolbox").symlink_to(real_site, target_is_directory=True)
    server = serve(root)
    yield f"http://127.0.0.1:{server.server_address[1]}/green-toolbox/"
    server.shutdown()
