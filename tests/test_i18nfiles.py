"""greentoolbox.i18nfiles maps files exactly as mkdocs-static-i18n's own code does.

Both mappings run on the same files and are compared attribute by attribute, alternates (the
language switcher and sitemap links) included, in order: on every file of the real site and on
a docs folder of names chosen to break a string version of pathlib's rules.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO

from greentoolbox import i18nfiles

ATTRS = ("src_uri", "dest_uri", "abs_src_path", "abs_dest_path", "url", "name", "locale", "locale_alternate_of",
         "localization", "norm_src_uri", "inclusion", "src_dir", "dest_dir", "use_directory_urls")

# names a page or an asset may have; each also gets translations where that makes sense
TRICKY = [
    "index.md", "index.fr.md", "README.md", "README.zh.md", "about.md", "about.ar.md", "about.es.md",
    "guide/index.md", "guide/index.fr.md", "guide/README.fr.md", "guide/page.md", "guide/page.zh.md",
    "guide.fr/index.md", "guide.fr/page.fr.md", "deep/er/still/page.md", "deep/er/still/page.fr.md",
    "v1.2.md", "v1.2.fr.md", "file.with.dots.md", "file.with.dots.es.md", "a..fr.md", "trail.fr..md",
    ".hidden.md", ".fr.md", "x.de.md", "x.pt-BR.md", "x.zh_CN.md", "x.zh-Hant.md", "x.EN.md",
    "FOO_README.md", "FOO_README.fr.md", "index.fr/page.md", "README/index.fr.md",
    "assets/img.png", "assets/img.fr.png", "assets/jquery.min.js", "assets/style.css", "assets/x.fr.",
    "assets/.fr", "assets/data.ar.json", "assets/name.with.many.dots.zh.svg",
]


def _config(root: Path, use_directory_urls: bool = True):
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"), use_directory_urls=use_directory_urls)
    config.plugins.on_startup(command="build", dirty=False)
    i18n = config.plugins["i18n"]
    i18n.building = True  # one language per call below; static-i18n must not build the others
    return config.plugins.on_config(config), i18n


def _mapping(i18n, files, config) -> list:
    out = []
    for file in i18n.reconfigure_files(files, config):
        alternates = [(lang, tuple(getattr(alt, a, None) for a in ATTRS)) for lang, alt in getattr(file, "alternates", {}).items()]
        out.append((tuple(getattr(file, a, None) for a in ATTRS), alternates))
    return out


def _compare(root: Path, languages: list[str], use_directory_urls: bool = True) -> int:
    """Map the files of ``root``'s docs for each language with the plugin's code and with the
    fast one; assert they agree; return how many files were compared."""
    from mkdocs.structure.files import get_files

    config, i18n = _config(root, use_directory_urls)
    files = get_files(config)
    installed = i18nfiles.install()
    assert installed, "the installed mkdocs-static-i18n is not the version i18nfiles copies"
    compared = 0
    try:
        for lang in languages:
            i18n.current_language = lang
            i18nfiles.uninstall()
            theirs = _mapping(i18n, files, config)
            i18nfiles.install()
            ours = _mapping(i18n, files, config)
            assert len(ours) == len(theirs)
            for a, b in zip(theirs, ours):
                assert a == b, f"{lang}: {a[0][0]} maps differently"
            compared += len(ours)
    finally:
        i18nfiles.install()  # as the hooks leave it
    return compared


def test_real_site_files_map_as_the_plugin_maps_them(real_site):
    root = real_site.parent  # the built project: its docs hold every language's generated pages
    languages = ["en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi"]
    toolkits = len(list((root / "toolkits").glob("*/toolkit.yaml")))
    assert _compare(root, languages) > len(languages) * toolkits  # each language: every toolkit and more


@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_tricky_names_map_as_the_plugin_maps_them(tmp_path, use_directory_urls):
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "hooks", tmp_path / "hooks")
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    shutil.copytree(REPO / "overrides", tmp_path / "overrides")
    (tmp_path / "toolkits").mkdir()  # watched by `mkdocs serve`: the configuration wants it
    docs = tmp_path / "docs"
    for name in TRICKY:
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# page\n", encoding="utf-8")
    assert _compare(tmp_path, ["en", "fr", "zh", "ar"], use_directory_urls) >= 4 * 20


def test_install_leaves_other_plugin_versions_alone(monkeypatch):
    """The copy is of 1.3.1; a different version keeps its own code."""
    from mkdocs_static_i18n import suffix

    i18nfiles.uninstall()
    try:
        monkeypatch.setattr(i18nfiles, "PLUGIN_VERSION", "0.0.0")
        assert i18nfiles.install() is False
        assert suffix.create_i18n_file is not i18nfiles.create_i18n_file
    finally:
        monkeypatch.undo()
        assert i18nfiles.install()
    assert suffix.create_i18n_file is i18nfiles.create_i18n_file


@pytest.mark.skipif(os.sep != "/", reason="the fast mapping is POSIX only")
def test_name_locale_reads_what_pathlib_reads():
    from pathlib import PurePosixPath

    from mkdocs_static_i18n.config import RE_LOCALE

    languages = ["en", "fr", "zh"]
    for name in ["index", "index.fr", "a..fr", "x.", ".fr", ".hidden", "v1.2", "x.pt-BR", "x.EN", "a.b.c.zh",
                 "...", "x..", "x.de", "x.zh_CN"]:
        try:
            locale = PurePosixPath(name).suffixes.pop(-1).replace(".", "")
            expected = (locale, locale) if locale in languages or RE_LOCALE.match(locale) else ("en", None)
        except IndexError:
            expected = ("en", None)
        assert i18nfiles.name_locale(name, "en", languages) == expected, name
