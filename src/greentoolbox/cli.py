"""The ``greentoolbox`` command: the same engine the site build uses.

    greentoolbox validate [PATH ...] [--format text|github|json] [--root DIR]
    greentoolbox new <slug> [--root DIR]
    greentoolbox build-pages [--root DIR] [--docs DIR]
    greentoolbox build [--config mkdocs.yml] [--site-dir DIR] [--jobs N] [--no-strict] [--json]   (the whole site)
    greentoolbox bench --toolkits N [--languages L] [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .problems import format_problems


def main(argv: list[str] | None = None) -> int:
    if (argv := list(sys.argv[1:] if argv is None else argv))[:1] == ["bench"]:
        from .bench import main as bench_main  # own argument parser: bench --toolkits N --languages L

        return bench_main(argv[1:])
    if argv[:1] == ["build"]:
        from .sitebuild import main as build_main  # the MkDocs adapter: languages built in parallel

        return build_main(argv[1:])
    parser = argparse.ArgumentParser(prog="greentoolbox", description="Green Toolbox engine")
    parser.add_argument("--root", default=".", help="repository root (default: current directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_val = sub.add_parser("validate", help="check toolkits and registries; every problem, one run")
    p_val.add_argument("paths", nargs="*", help="files or folders to report on (default: all of toolkits/)")
    p_val.add_argument("--format", choices=("text", "github", "json"), default="text")
    p_new = sub.add_parser("new", help="scaffold toolkits/<slug>/toolkit.yaml")
    p_new.add_argument("slug")
    p_i18n = sub.add_parser("i18n", help="translation catalogs: extract, update, status, check")
    p_i18n.add_argument("action", choices=("extract", "update", "status", "check"))
    p_i18n.add_argument("--format", choices=("text", "github", "json"), default="text")
    p_pages = sub.add_parser("build-pages", help="write the generated Markdown pages into docs/")
    p_pages.add_argument("--docs", default="docs")
    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        if args.command == "validate":
            return _validate(root, args.paths, args.format)
        if args.command == "new":
            return _new(root, args.slug)
        if args.command == "i18n":
            return _i18n(root, args.action, args.format)
        if args.command == "build-pages":
            return _pages(root, Path(args.docs))
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    return 2  # pragma: no cover


def _validate(root: Path, paths: list[str], fmt: str) -> int:
    from .validate import validate_tree

    catalog = validate_tree(root)
    problems = catalog.problems
    if paths:
        wanted = [Path(p).resolve() for p in paths]
        problems = [p for p in problems if any(_inside((root / p.path).resolve(), w) for w in wanted)]
    if problems:
        print(format_problems(problems, fmt))
        files = len({p.path for p in problems})
        print(f"{len(problems)} problem(s) in {files} file(s)", file=sys.stderr)
        return 1
    if fmt == "json":
        print("[]")
    reg = catalog.registry
    print(f"OK: {len(catalog.toolkits)} toolkit(s), {len(reg.standards)} standard(s), {len(reg.units)} unit(s)", file=sys.stderr)
    return 0


def _inside(path: Path, target: Path) -> bool:
    return path == target or target in path.parents


def _new(root: Path, slug: str) -> int:
    from .scaffold import ScaffoldError, new_toolkit

    try:
        path = new_toolkit(root, slug)
    except ScaffoldError as exc:
        print(f"greentoolbox new: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path.relative_to(root) if path.is_relative_to(root) else path}")
    print(f"next: fill it in, then run: greentoolbox validate {path.parent.relative_to(root) if path.is_relative_to(root) else path.parent}")
    return 0


def _i18n(root: Path, action: str, fmt: str) -> int:
    from . import translate
    from .validate import validate_tree

    catalog = validate_tree(root, translations=False)
    if catalog.problems:
        print(format_problems(catalog.problems, fmt))
        print("fix the toolkit problems first", file=sys.stderr)
        return 1
    if action == "extract":
        out = root / "locales" / translate.TEMPLATES
        for domain, entries in translate.expected_catalogs(root, catalog).items():
            pot, _ = translate.update_catalog(None, entries, "en", domain)
            pot.locale = None
            translate.write_if_changed(out / f"{domain}.pot", translate.po_text(pot))
        print(f"templates written to {out.relative_to(root) if out.is_relative_to(root) else out}")
        return 0
    if action == "update":
        try:
            report = translate.update_all(root, catalog)
        except translate.CatalogError as exc:  # an unreadable catalog is never overwritten
            print(format_problems(exc.problems, fmt))
            print("fix the catalog first; nothing was updated after it", file=sys.stderr)
            return 1
        for path, stats in sorted(report.items()):
            print(f"{path}: " + ", ".join(f"{v} {k}" for k, v in stats.items() if v))
        print(f"{len(report)} catalog(s) updated", file=sys.stderr)
        return 0
    if action == "status":
        from .export import translation_status

        for row in translation_status(root, catalog):
            print(f"{row['lang']:3} {row['domain']:40} {row['percent']:5.1f}% {row['fuzzy']:3} fuzzy  {row['status']}")
        return 0
    problems = translate.check_all(root, catalog)
    if problems:
        print(format_problems(problems, fmt))
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print("OK: catalogs are up to date with the English", file=sys.stderr)
    return 0


def _pages(root: Path, docs: Path) -> int:
    from .export import write_pages
    from .validate import validate_tree

    catalog = validate_tree(root)
    if catalog.problems:
        print(format_problems(catalog.problems))
        return 1
    written = write_pages(catalog, root / docs if not docs.is_absolute() else docs)
    print(f"{len(written)} page(s) changed")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
