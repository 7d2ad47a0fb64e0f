"""The same file mapping as mkdocs-static-i18n 1.3.1, faster (``install``).

Each per-language MkDocs build starts with static-i18n mapping every file of the docs folder (the
pages of all ten languages) to the language built: a new ``File`` per file, and then, for every
page and every language, the page's alternate in that language (the language switcher and the
sitemap's ``hreflang`` links). It finds an alternate by building a ``File`` for each candidate
in turn and keeping the first one whose language matches, so at 1,000 toolkits a French build
made 55,612 ``File`` objects, each through a dozen ``pathlib`` paths: 45 % of that language's
MkDocs time, profiled.

Here the language of a candidate is read from its name once (it does not depend on the language
built), only the matching candidate becomes a ``File``, and ``create_i18n_file`` does its path
arithmetic on strings. Paths it was not written for (not normalised, not POSIX) go to the
plugin's own function. ``tests/test_i18nfiles.py`` compares both, attribute by attribute, on
every file of the site and on names chosen to break them.

Like ``sitebuild``, this module is an adapter around MkDocs, not a step of the engine. It
patches only the plugin version it was written against (``PLUGIN_VERSION``); with any other
version ``install`` leaves the plugin alone.
"""

from __future__ import annotations

import os
import posixpath
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePath
from urllib.parse import quote as urlquote

PLUGIN_VERSION = "1.3.1"
_ORIGINAL: dict = {}  # the plugin's own functions, once installed


def _suffix(name: str) -> str:
    """``PurePosixPath(name).suffix`` of a single path component."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _strip_suffix(name: str) -> str:
    """``PurePosixPath(name).stem`` (also ``with_suffix("")``'s name) of a single component."""
    suffix = _suffix(name)
    return name[: -len(suffix)] if suffix else name


def _plain(path: str) -> bool:
    """A relative, normalised POSIX path, on which the string operations here are ``pathlib``'s."""
    return bool(path) and path[0] != "/" and posixpath.normpath(path) == path


def src_name(src_uri: str) -> str:
    """The name MkDocs gives a ``File`` made from ``src_uri`` (``File._get_stem``)."""
    stem = posixpath.splitext(posixpath.basename(src_uri))[0]
    return "index" if stem == "README" else stem


def name_locale(name: str, default_language: str, all_languages) -> tuple[str, str | None] | None:
    """(locale, localization) that static-i18n's suffix structure reads from a file's ``name``
    (its stem): ``index.fr`` is French, ``index`` is in the default language; None for a name
    the string rules here do not cover."""
    from mkdocs_static_i18n.config import RE_LOCALE

    if not name or "/" in name or name in (".", ".."):
        return None
    if name.endswith("."):
        return default_language, None  # no suffixes
    parts = name.lstrip(".").split(".")
    if len(parts) < 2:
        return default_language, None
    locale = parts[-1]
    if locale in all_languages or RE_LOCALE.match(locale):
        return locale, locale
    return default_language, None


def create_i18n_file(file, current_language: str, default_language: str, all_languages, config):
    """``mkdocs_static_i18n.suffix.create_i18n_file`` (1.3.1) on strings, or the plugin's own for
    paths the string rules do not cover; the debug log lines are left out."""
    return (_string_i18n_file(file, current_language, default_language, all_languages, config)
            or _ORIGINAL["create_i18n_file"](file, current_language, default_language, all_languages, config))


def _string_i18n_file(file, current_language: str, default_language: str, all_languages, config):
    """The plugin's ``File`` for ``file`` in ``current_language``, or None where ``pathlib`` could
    differ from these string operations."""
    from mkdocs.structure.files import File

    src_uri, dest_uri = file.src_uri, file.dest_uri
    # the plugin reads the language from the name of a new File, made from the path (a name
    # changed on ``file`` itself, as on a file this function returned, does not count)
    found = name_locale(src_name(src_uri), default_language, all_languages) if _plain(src_uri) and _plain(dest_uri) else None
    if found is None:
        return None
    locale, localization = found
    new = File(src_uri, config.docs_dir, dest_uri, config.use_directory_urls, dest_uri=dest_uri, inclusion=file.inclusion)
    dest = dest_uri
    if localization:
        parent, base = posixpath.split(dest)
        if _strip_suffix(base) in ("", "."):  # pathlib refuses a suffix change there
            return None
        stem = _strip_suffix(_strip_suffix(base))
        dest = f"{parent}/{stem}" if parent else stem
        dest += _suffix(base)
        new.name = _strip_suffix(new.name)
        if config.use_directory_urls:
            parent, base = posixpath.split(dest)
            if parent:
                grand, folder = posixpath.split(parent)
                folder = _strip_suffix(folder)
                if folder in ("index", "README"):
                    dest = f"{grand}/{base}" if grand else base
                else:
                    dest = f"{grand}/{folder}/{base}" if grand else f"{folder}/{base}"
    parent, base = posixpath.split(dest)
    if base.endswith("README.html"):
        dest = f"{parent}/index.html" if parent else "index.html"
    site_folder = current_language if current_language != default_language else ""
    if site_folder:
        dest = f"{site_folder}/{dest}"
    if not _plain(dest):  # something pathlib would have normalised: its own function decides
        return None
    new.dest_uri = dest
    new.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, dest))
    if new.name == "README":
        new.name = "index"
    new.url = new._get_url(config.use_directory_urls)
    if site_folder and set(new.url) <= {".", "/"} and PurePath(new.url).as_posix() == ".":
        new.url = urlquote(site_folder + "/")
    new.alternates = {current_language: new}
    new.locale = locale
    new.locale_alternate_of = current_language
    new.localization = localization
    new.norm_src_uri = src_uri.replace(f".{localization}", "", 1) if localization else src_uri
    return new


def reconfigure_files_alternates(self, i18n_src_uris, i18n_alternate_src_uris, mkdocs_config, create_i18n_file):
    """``I18n.reconfigure_files_alternates`` (1.3.1): the same alternates in the same order, but a
    ``File`` is made only for the candidate chosen. A candidate's language comes from its name and
    not from the language built, so it is read once per candidate."""
    default = self.default_language
    locales: dict[int, str] = {}

    def locale_of(candidate) -> str:
        key = id(candidate)
        if key not in locales:
            found = name_locale(src_name(candidate.src_uri), default, self.all_languages) if _plain(candidate.src_uri) else None
            locales[key] = found[0] if found else create_i18n_file(
                candidate, default, default, self.all_languages, mkdocs_config).locale
        return locales[key]

    for build_lang in sorted(self.build_languages):
        for i18n_src_uri, i18n_file in i18n_src_uris.items():
            if build_lang in i18n_file.alternates:
                continue
            candidates = i18n_alternate_src_uris.get(i18n_src_uri, [])
            match = next((c for c in candidates if locale_of(c) == build_lang), None)
            if match is not None:
                i18n_file.alternates[build_lang] = create_i18n_file(
                    match, build_lang, default, self.all_languages, mkdocs_config)
            elif self.config.fallback_to_default is True:
                match = next((c for c in candidates if locale_of(c) == default), None)
                alternate = create_i18n_file(match if match is not None else i18n_file, build_lang, default,
                                             self.all_languages, mkdocs_config)
                if alternate.locale == default:
                    i18n_file.alternates[build_lang] = alternate


def install() -> bool:
    """Put the functions above in place of the plugin's; True if they are (the plugin installed
    is the version they copy, on POSIX). Idempotent."""
    try:
        if version("mkdocs-static-i18n") != PLUGIN_VERSION:
            return False
    except PackageNotFoundError:
        return False
    if os.sep != "/":
        return False
    from mkdocs_static_i18n import reconfigure, suffix

    if not _ORIGINAL:
        _ORIGINAL["create_i18n_file"] = suffix.create_i18n_file
        _ORIGINAL["reconfigure_files_alternates"] = reconfigure.ExtendedPlugin.reconfigure_files_alternates
    suffix.create_i18n_file = create_i18n_file
    reconfigure.ExtendedPlugin.reconfigure_files_alternates = reconfigure_files_alternates
    return True


def uninstall() -> None:
    """The plugin's own functions back (for tests comparing both)."""
    if _ORIGINAL:
        from mkdocs_static_i18n import reconfigure, suffix

        suffix.create_i18n_file = _ORIGINAL["create_i18n_file"]
        reconfigure.ExtendedPlugin.reconfigure_files_alternates = _ORIGINAL["reconfigure_files_alternates"]
