"""Link check of a built site, served under its sub-path the way GitHub Pages serves it.

    python .github/scripts/linkcheck.py SITE_DIR [--site-url URL] [--max-urls N]

SITE_DIR is served on 127.0.0.1 (a free port) at the path of --site-url (default: $SITE_URL,
the address the site was built for, e.g. https://<org>.github.io/<repo>/), and nothing else is
served: a link that climbs out of the sub-path gets a 404, as it would on Pages. The crawl starts
at the site's root, its 404.html and every <loc> of its sitemap.xml, and follows every href/src
of <a>, <link>, <script>, <img> and every url() in stylesheets that points into the site
(relative, root-relative, or absolute under --site-url). Each must answer 200, without redirect.
External links are not fetched: the check needs no network. Standard library only.

Exit status: 0 all good, 1 broken links (one line each: `page -> link: problem`), 2 usage.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

LINK_ATTRS = {"a": ("href",), "link": ("href",), "script": ("src",), "img": ("src",)}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")
SITEMAP_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LINK_ATTRS.get(tag, ()) and value is not None and value.strip():
                self.refs.append(value.strip())


def page_refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # a redirect is reported, not followed
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, timeout: float) -> tuple[int, str, bytes]:
    """Status, content type and body of a GET (error statuses are returned, not raised)."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get_content_type() if exc.headers else "", b""


def crawl(
    base: str,
    *,
    site_url: str | None = None,
    seeds: list[str] | None = None,
    max_urls: int = 500,
    timeout: float = 10.0,
) -> tuple[set[str], list[str]]:
    """Fetch everything reachable inside `base` (an http URL ending in /) from the seeds.

    Links that start with `site_url` (the absolute address the site was built for) are checked
    at the same place under `base`. Returns the URLs fetched and the problems found."""
    if not base.endswith("/"):
        raise ValueError("base must end with /")
    origin = urlsplit(base)
    prefix = origin.path
    queue: list[tuple[str, str]] = [("(start)", url) for url in (seeds or [base])]
    seen: set[str] = set()
    problems: list[str] = []
    while queue:
        source, url = queue.pop(0)
        url = urldefrag(url).url
        if site_url and url.startswith(site_url):
            url = base + url[len(site_url):]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != origin.netloc:
            continue  # external, mailto:, data:, javascript: ...: not this check's business
        if url in seen:
            continue
        if not parts.path.startswith(prefix):
            problems.append(f"{source} -> {url}: outside the site's path {prefix}")
            seen.add(url)
            continue
        if len(seen) >= max_urls:
            problems.append(f"more than {max_urls} URLs: raise --max-urls or look for a link loop")
            break
        seen.add(url)
        try:
            status, ctype, body = fetch(url, timeout)
        except OSError as exc:  # timeout, connection refused
            problems.append(f"{source} -> {url}: {exc}")
            continue
        if status != 200:
            problems.append(f"{source} -> {url}: HTTP {status}")
            continue
        text = body.decode("utf-8", "replace")
        if ctype == "text/html":
            refs = page_refs(text)
        elif ctype == "text/css":
            refs = CSS_URL.findall(text)
        elif url.endswith("sitemap.xml"):
            refs = SITEMAP_LOC.findall(text)
        else:
            refs = []
        queue.extend((url, urljoin(url, ref)) for ref in refs)
    return seen, problems


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` at `prefix` only, quietly."""

    prefix = "/"

    def translate_path(self, path):
        clean = urlsplit(path).path
        if not clean.startswith(self.prefix):
            return os.path.join(self.directory, "\0missing")  # never exists: 404
        return super().translate_path("/" + clean[len(self.prefix):])

    def log_message(self, format, *args):
        pass


def serve(directory: Path, prefix: str = "/") -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `directory` at http://127.0.0.1:<free port><prefix> in a daemon thread.

    Returns the server (call shutdown() and server_close()) and the base URL."""
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError("prefix must start and end with /")
    handler = type("Handler", (_SubPathHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs site_dir)")
    parser.add_argument("--site-url", default=os.environ.get("SITE_URL"), help="address the site was built for (default: $SITE_URL)")
    parser.add_argument("--max-urls", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"linkcheck: {args.site}/index.html not found: build the site first", file=sys.stderr)
        return 2
    site_url = args.site_url or "http://localhost/"
    if not site_url.endswith("/"):
        site_url += "/"
    server, base = serve(args.site, urlsplit(site_url).path or "/")
    try:
        seeds = [base, base + "404.html"]
        if (args.site / "sitemap.xml").is_file():
            seeds.append(base + "sitemap.xml")
        seen, problems = crawl(base, site_url=site_url, seeds=seeds, max_urls=args.max_urls, timeout=args.timeout)
    finally:
        server.shutdown()
        server.server_close()
    for problem in problems:
        print(problem)
    print(f"linkcheck: {len(seen)} URL(s) checked under {urlsplit(site_url).path}, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
