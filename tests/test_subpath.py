"""The site under a GitHub Pages sub-path (https://<org>.github.io/<repo>/), served for real.

The project's own site is built for http://127.0.0.1:<port>/green-toolbox/, its parent folder is
served by http.server, and every internal link and asset reachable from the home page, the 404
page and the sitemap is fetched: each must answer 200 and stay under /green-toolbox/."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest

from conftest import BIN, REPO, make_site, serve

pytestmark = pytest.mark.site
PREFIX = "/green-toolbox/"


def _load_linkcheck():
    spec = importlib.util.spec_from_file_location("linkcheck", REPO / ".github" / "scripts" / "linkcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


linkcheck = _load_linkcheck()


def build_site(base: Path, site_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site_dir)],
        cwd=base, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, site folder): the real site built for and served at /green-toolbox/."""
    root = tmp_path_factory.mktemp("pages")
    www = root / "www"
    www.mkdir()
    server = serve(www)  # started first: the site is built for its port
    base = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    try:
        (root / "project").mkdir()
        project = make_site(root / "project", real_toolkits=True)
        site = www / PREFIX.strip("/")
        result = build_site(project, site, {"SITE_URL": base})
        assert result.returncode == 0, result.stdout + result.stderr
        yield base, site
    finally:
        server.shutdown()
        server.server_close()


def loop_guard(site: Path) -> int:
    """More addresses than the site has files means a link loop (or mis-prefixed links)."""
    return sum(1 for p in site.rglob("*") if p.is_file()) + 50


def test_every_internal_link_and_asset_answers_under_the_sub_path(served):
    base, site = served
    seeds = [base, base + "404.html", base + "sitemap.xml"]
    seen, problems = linkcheck.crawl(base, seeds=seeds, max_urls=loop_guard(site), timeout=10)
    assert problems == []
    assert all(url.startswith(base) for url in seen)
    # every page of the site was reached by following links (nothing orphaned or mis-prefixed)
    pages = {base + str(p.parent.relative_to(site)).replace("\\", "/") + "/" for p in site.rglob("index.html")}
    pages = {p.replace(f"{PREFIX}./", PREFIX) for p in pages}
    assert pages - seen == set()
    assert any(url.endswith("/toolkits/mangrove-aquaculture/") for url in seen)
    assert any(url.endswith(".css") for url in seen) and any(url.endswith(".js") for url in seen)


def test_404_page_assets_work_from_any_depth(served):
    """Pages serves 404.html for any missing address, so its links must not be page-relative."""
    base, site = served
    deep = base + "no/such/page/"
    refs = linkcheck.page_refs((site / "404.html").read_text("utf-8"))
    assert refs
    seeds = [urljoin(deep, ref) for ref in refs]
    seen, problems = linkcheck.crawl(base, seeds=seeds, max_urls=loop_guard(site), timeout=10)
    assert problems == []
    assert any(url.endswith(".css") for url in seen)


def test_nothing_is_served_outside_the_sub_path(served):
    base, _ = served
    status, _, _ = linkcheck.fetch(base.replace(PREFIX, "/index.html"), timeout=10)
    assert status == 404


def test_linkcheck_script_passes_on_the_site_and_fails_on_a_broken_one(served, tmp_path):
    base, site = served
    ok = subprocess.run([sys.executable, str(REPO / ".github/scripts/linkcheck.py"), str(site), "--site-url", base],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken"
    (broken / "docs").mkdir(parents=True)
    (broken / "index.html").write_text(
        '<a href="docs/">ok</a> <a href="missing/">gone</a> <img src="/logo.png"> '
        '<a href="https://example.org/x">external, not fetched</a>', "utf-8")
    (broken / "docs" / "index.html").write_text('<link rel="stylesheet" href="../style.css">', "utf-8")
    bad = subprocess.run([sys.executable, str(REPO / ".github/scripts/linkcheck.py"), str(broken),
                          "--site-url", "https://example.org/repo/"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "/repo/missing/: HTTP 404" in bad.stdout
    assert "/logo.png: outside the site's path /repo/" in bad.stdout
    assert "/repo/style.css: HTTP 404" in bad.stdout
    assert "example.org" not in bad.stdout
