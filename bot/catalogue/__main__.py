"""`python -m bot.catalogue validate | import FILE | build | lookups` — the editors' commands.

`validate` checks the service-centre record (sources/service_centre.yml) and the 12345 hotline's
(sources/hotline.yml) too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import paths
from bot.catalogue.centre import read_centre
from bot.catalogue.fields import load_fields
from bot.catalogue.files import load_catalogue
from bot.catalogue.hotline import HOTLINE_RECORD, HotlineInvalid, load_hotline
from bot.catalogue.importer import MAX_ROWS, import_file
from bot.catalogue.nlu import rasa_lookup_yaml
from bot.catalogue.store import CatalogueUnavailable, create_store, default_url
from bot.catalogue.tokens import tokenizer_name


def _validate(folder: Path, centre_path: Path, hotline_path: Path = HOTLINE_RECORD) -> int:
    catalogue = load_catalogue(folder)
    centre = read_centre(centre_path, folder)
    for problem in catalogue.problems + centre.problems:
        print(problem)
    broken = len({(p.file, p.line) for p in catalogue.problems})
    print(f"catalogue: {len(catalogue.services)} services valid, "
          f"{len(catalogue.problems)} problems" + (f" at {broken} places" if broken else ""))
    if centre.centre is None:
        print(f"service centre: {centre_path.name} invalid, {len(centre.problems)} problems")
    else:
        samples = len(centre.centre.sample_fields)
        print(f"service centre: {centre.centre.name} valid" + (f" ({samples} values still 示例)" if samples else ""))
    try:
        hotline = load_hotline(hotline_path)
    except HotlineInvalid as error:
        print(error)
        print(f"hotline: {hotline_path.name} invalid, {len(error.problems)} problems")
        return 1
    print(f"hotline: {hotline.name} valid ({len(hotline.sample_fields)} values 示例)")
    return 1 if catalogue.problems or centre.problems else 0


def _build(folder: Path, url: str) -> int:
    catalogue = load_catalogue(folder)
    if catalogue.problems:
        for problem in catalogue.problems:
            print(problem, file=sys.stderr)
        print("catalogue: not built; fix the problems above", file=sys.stderr)
        return 1
    store = create_store(url)
    print(f"catalogue: indexing {len(catalogue.services)} services from {folder} "
          f"with the {tokenizer_name(store.tokenize)} tokenizer")
    store.replace_all(catalogue.services)
    store.close()
    print(f"catalogue: built {_shown(url)}")
    return 0


def _import(path: Path, folder: Path, url: str) -> int:
    store = create_store(url)
    result = import_file(path, store, folder)
    store.close()
    for problem in result.problems:
        print(problem)
    if result.ignored_columns:
        print(f"catalogue: ignored columns: {'、'.join(result.ignored_columns)}")
    if not result.ok:
        print(f"catalogue: nothing imported; {len(result.problems)} problems "
              f"(of {result.rows} rows, at most {MAX_ROWS})")
        return 1
    print(f"catalogue: imported {result.rows} rows: {len(result.added)} added, "
          f"{len(result.updated)} updated, into {folder / 'imported.yml'} and {_shown(url)}")
    return 0


def _lookups(folder: Path) -> int:
    catalogue = load_catalogue(folder)
    if catalogue.problems:
        print("catalogue: invalid; run `python -m bot.catalogue validate`", file=sys.stderr)
        return 1
    sys.stdout.write(rasa_lookup_yaml(catalogue.services, load_fields()))
    return 0


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalogue", description=__doc__)
    parser.add_argument("--dir", type=Path, default=paths.CATALOGUE_DATA,
                        help="catalogue folder (default: sources/catalogue)")
    commands = parser.add_subparsers(dest="command", required=True)
    parser.add_argument("--centre", type=Path, default=paths.SERVICE_CENTRE,
                        help="service-centre record (default: sources/service_centre.yml)")
    parser.add_argument("--hotline", type=Path, default=HOTLINE_RECORD,
                        help="12345 hotline record (default: sources/hotline.yml)")
    commands.add_parser("validate", help="check every catalogue file, the service-centre and the hotline record")
    build = commands.add_parser("build", help="build the catalogue database from the files")
    build.add_argument("--url", help="database URL (default: CATALOGUE_DATABASE_URL or SQLite)")
    imp = commands.add_parser("import", help="import an official CSV/XLSX export")
    imp.add_argument("file", type=Path)
    imp.add_argument("--url", help="database URL (default: CATALOGUE_DATABASE_URL or SQLite)")
    commands.add_parser("lookups", help="print the Rasa lookup table and synonyms")
    args = parser.parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args.dir, args.centre, args.hotline)
        if args.command == "build":
            return _build(args.dir, args.url or default_url())
        if args.command == "import":
            return _import(args.file, args.dir, args.url or default_url())
        return _lookups(args.dir)
    except CatalogueUnavailable as error:
        print(f"catalogue: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
