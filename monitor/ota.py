"""Open Terms Archive declarations -> watchlist entries (`tosmon import-ota`).

A declaration is `declarations/<Service>.json`:

    {"name": "LinkedIn",
     "terms": {"Privacy Policy": {"fetch": "https://...", "select": ["#main"], "remove": [...],
                                  "filter": ["removeQueryParams"], "executeClientScripts": true},
               "Terms of Service": {"combine": [{"fetch": "https://.../1"}, {"fetch": "https://.../2"}],
                                    "select": "article"},
               "Commercial Terms": {"fetch": "https://.../terms.pdf"}}}

(`documents` is the older name of `terms`.) `<Service>.history.json` beside it lists earlier declarations
per terms type, each with an inclusive `validUntil`; they are counted and reported, never watched.

Mapping: service slug from `name`, document slug from the terms type ("Privacy Policy" -> privacy-policy),
`select`/`remove` (CSS strings and `{startBefore|startAfter, endBefore|endAfter}` ranges) kept as they are,
`executeClientScripts: true` -> `render: true`, `combine` -> `urls:` in array order.

Filters: `removeQueryParams` is accepted and has nothing to do, because tosmon keeps the text of links and
never their URLs, so query parameters cannot reach a version. Any other filter (OTA's per-service
`<Service>.filters.js` functions) cannot run here and is reported per document as a warning.

Combined pages with different settings: the watchlist has one select/remove per document. When the pages
agree, that is used. When they differ but every page selects with plain CSS, `select` becomes one CSS group
`"a, b"` (each page keeps what any page selected: possibly more than OTA, never an error for a selector that
only exists on another page) and `remove` the union of the CSS removals; a warning says so. When a range or a
page without `select` is involved, no union is faithful, so each page becomes its own document
(`<slug>-1`, `<slug>-2`, ...), again with a warning.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.css import css_problem
from monitor.errors import ConfigError
from monitor.watchlist import RANGE_KEYS, parse_watchlist

#: Filters that need no code in tosmon (see the module docstring).
NO_OP_FILTERS = frozenset({"removeQueryParams"})
PAGE_KEYS = frozenset({"fetch", "select", "remove", "filter", "executeClientScripts"})
TERMS_KEYS = PAGE_KEYS | {"combine"}
HISTORY_KEYS = TERMS_KEYS | {"validUntil"}
INHERITED = ("select", "remove", "filter", "executeClientScripts")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceEntry:
    """One service as watchlist data: `documents` maps a document slug to its settings, in YAML order."""

    slug: str
    name: str
    source: str
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class ImportResult:
    """What a set of declarations gave: the entries, warnings (something not carried over), notes (history,
    for information) and errors (declarations that could not be imported)."""

    entries: list[ServiceEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[ConfigError] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(len(entry.documents) for entry in self.entries)


def slugify(text: str) -> str:
    """`"Privacy Policy"` -> `privacy-policy`; `"Société Générale"` -> `societe-generale` (ASCII only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class _Bad(Exception):
    """A problem in one declaration; becomes a ConfigError naming the file and terms type."""


def _css(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{where}: expected a CSS selector, got {json.dumps(value)}")
    problem = css_problem(value)
    if problem is not None:
        sep = " " if problem.startswith("is not") else ": "
        raise _Bad(f"{where}: {json.dumps(value)}{sep}{problem}")
    return value


def _selectors(value: Any, where: str) -> list[str | dict[str, str]]:
    """A `select`/`remove` value (a CSS string, a range object, or a list of both) as a list."""
    items = value if isinstance(value, list) else [value]
    out: list[str | dict[str, str]] = []
    for i, item in enumerate(items):
        sub = f"{where}[{i}]" if isinstance(value, list) else where
        if isinstance(item, dict):
            unknown = [key for key in item if key not in RANGE_KEYS]
            if unknown:
                raise _Bad(f"{sub}: unknown range key {json.dumps(unknown[0])}")
            for side in ("start", "end"):
                if sum(key.startswith(side) for key in item) != 1:
                    raise _Bad(f"{sub}: a range needs exactly one of {side}Before or {side}After")
            out.append({key: _css(css, f"{sub}.{key}") for key, css in item.items()})
        else:
            out.append(_css(item, sub))
    return out


def _filters(value: Any, where: str) -> list[str]:
    """Filter names: OTA writes `["name"]` or, with parameters, `[{"name": params}]`."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            names.append(next(iter(item)))
        else:
            raise _Bad(f"{where}: expected filter names, got {json.dumps(item)}")
    return names


def _fetch(value: Any, where: str) -> str:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is not None:
            parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:      # http://[::1/terms: an unclosed IPv6 bracket
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Bad(f"{where}: {json.dumps(value)} is not an http(s) URL")
    return str(value)


@dataclass
class _Page:
    url: str
    select: list[str | dict[str, str]]
    remove: list[str | dict[str, str]]
    filters: list[str]
    render: bool


def _page(decl: Mapping[str, Any], inherited: Mapping[str, Any], where: str, doc_id: str,
          warnings_: list[str]) -> _Page:
    for key in decl:
        if key not in PAGE_KEYS:
            warnings_.append(f"{doc_id}: key {json.dumps(key)} is not supported, ignored")
    merged = {**inherited, **{key: decl[key] for key in INHERITED if key in decl}}
    render = merged.get("executeClientScripts", False)
    if not isinstance(render, bool):
        raise _Bad(f"{where}.executeClientScripts: expected true or false")
    return _Page(url=_fetch(decl.get("fetch"), f"{where}.fetch"),
                 select=_selectors(merged["select"], f"{where}.select") if "select" in merged else [],
                 remove=_selectors(merged["remove"], f"{where}.remove") if "remove" in merged else [],
                 filters=_filters(merged["filter"], f"{where}.filter") if "filter" in merged else [],
                 render=render)


def _settings(urls: list[str], select: list[Any], remove: list[Any], render: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": urls[0]} if len(urls) == 1 else {"urls": urls}
    if select:
        entry["select"] = select
    if remove:
        entry["remove"] = remove
    if render:
        entry["render"] = True
    return entry


def _documents(slug: str, pages: list[_Page], doc_id: str, warnings_: list[str]) -> dict[str, dict[str, Any]]:
    """One terms type's pages -> watchlist documents (one, or one per page; see the module docstring)."""
    for name in dict.fromkeys(f for page in pages for f in page.filters):
        if name not in NO_OP_FILTERS:
            warnings_.append(f"{doc_id}: filter {json.dumps(name)} is not supported (an Open Terms Archive "
                             "custom filter); its effect is not applied")
    first = pages[0]
    urls = [page.url for page in pages]
    render = any(page.render for page in pages)
    if all(p.select == first.select and p.remove == first.remove for p in pages):
        return {slug: _settings(urls, first.select, first.remove, render)}
    plain = all(p.select and all(isinstance(s, str) for s in p.select + p.remove) for p in pages)
    if plain:
        group = ", ".join(dict.fromkeys(s for p in pages for s in p.select if isinstance(s, str)))
        removal = list(dict.fromkeys(s for p in pages for s in p.remove))
        warnings_.append(f"{doc_id}: combined pages select different parts; using the CSS group "
                         f"{json.dumps(group)} and the union of their removals on every page")
        return {slug: _settings(urls, [group], removal, render)}
    warnings_.append(f"{doc_id}: combined pages use ranges or select differently; imported as "
                     f"{len(pages)} documents {slug}-1..{slug}-{len(pages)}, one per page")
    return {f"{slug}-{i}": _settings([p.url], p.select, p.remove, p.render) for i, p in enumerate(pages, 1)}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    except RecursionError:
        raise ConfigError("invalid JSON: nested too deeply", path=str(path)) from None


def _history(path: Path, result: ImportResult, service: str) -> None:
    """Report `<Service>.history.json` (for information only)."""
    history_path = path.with_name(path.name.removesuffix(".json") + ".history.json")
    if not history_path.exists():
        return
    try:
        data = _read_json(history_path)
    except ConfigError as exc:
        result.warnings.append(f"{exc} (history ignored)")
        return
    if not isinstance(data, dict):
        result.warnings.append(f"{history_path}: expected an object of terms types (history ignored)")
        return
    for terms_type, entries in data.items():
        if not isinstance(entries, list):
            result.warnings.append(f"{history_path}: {json.dumps(terms_type)}: expected a list (ignored)")
            continue
        until = sorted(str(e.get("validUntil")) for e in entries if isinstance(e, dict) and e.get("validUntil"))
        span = "" if not until else f", valid until {until[0][:10]}" + (
            f" .. {until[-1][:10]}" if until[-1][:10] != until[0][:10] else "")
        result.notes.append(f"{service}/{slugify(terms_type)}: {len(entries)} historical declaration"
                            f"{'s' if len(entries) != 1 else ''}{span} (information only; the current "
                            "declaration is watched)")


def _declaration(path: Path, result: ImportResult) -> None:
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"].strip():
        raise ConfigError('missing "name" (the service name)', path=str(path))
    name = data["name"].strip()
    slug = slugify(name)
    if not slug:
        raise ConfigError(f"service name {json.dumps(name)} has no ASCII letters or digits for a slug",
                          path=str(path))
    terms = data.get("terms", data.get("documents"))
    if "terms" in data and "documents" in data:
        result.warnings.append(f'{path}: both "terms" and "documents"; "documents" ignored')
    if not isinstance(terms, dict) or not terms:
        raise ConfigError('missing "terms" (or "documents"): terms type -> declaration', path=str(path))
    entry = ServiceEntry(slug=slug, name=name, source=str(path))
    warnings_: list[str] = []
    for terms_type, decl in terms.items():
        doc_slug = slugify(terms_type)
        doc_id = f"{slug}/{doc_slug}"
        where = json.dumps(terms_type)
        try:
            if not doc_slug:
                raise _Bad("the terms type has no ASCII letters or digits for a slug")
            if not isinstance(decl, dict):
                raise _Bad("expected an object")
            for key in decl:
                if key not in TERMS_KEYS:
                    warnings_.append(f"{doc_id}: key {json.dumps(key)} is not supported, ignored")
            if "combine" in decl:
                combine = decl["combine"]
                if not isinstance(combine, list) or not combine or not all(isinstance(p, dict) for p in combine):
                    raise _Bad("combine: expected a non-empty list of pages")
                inherited = {key: decl[key] for key in INHERITED if key in decl}
                pages = [_page(p, inherited, f"{where}.combine[{i}]", doc_id, warnings_)
                         for i, p in enumerate(combine)]
            else:
                pages = [_page({k: v for k, v in decl.items() if k in PAGE_KEYS}, {}, where, doc_id, warnings_)]
        except _Bad as exc:
            message = str(exc)
            raise ConfigError(message if message.startswith(where) else f"{where}: {message}",
                              path=str(path)) from None
        entry.documents.update(_documents(doc_slug, pages, doc_id, warnings_))
    result.warnings.extend(warnings_)
    _history(path, result, slug)
    existing = next((e for e in result.entries if e.slug == slug), None)
    if existing is None:
        result.entries.append(entry)
        return
    clash = set(existing.documents) & set(entry.documents)
    if clash:
        raise ConfigError(f"service {slug!r} is also declared in {existing.source} with "
                          f"{', '.join(sorted(clash))}", path=str(path))
    existing.documents.update(entry.documents)


def declaration_files(paths: Sequence[Path]) -> list[Path]:
    """The declaration files named by `paths`: files as given (a history file stands for its declaration),
    folders' `*.json` (a folder with a `declarations/` subfolder: that subfolder's), history files aside."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            folder = path / "declarations" if (path / "declarations").is_dir() else path
            files.extend(sorted(p for p in folder.glob("*.json") if not p.name.endswith(".history.json")))
        elif path.name.endswith(".history.json"):
            files.append(path.with_name(path.name.removesuffix(".history.json") + ".json"))
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def import_declarations(paths: Sequence[Path]) -> ImportResult:
    """Read Open Terms Archive declarations (files or folders). A bad declaration becomes an error in the
    result and contributes no entry; the others are imported."""
    result = ImportResult()
    files = declaration_files([Path(p) for p in paths])
    if not files:
        result.errors.append(ConfigError("no declaration files (*.json)", path=", ".join(map(str, paths))))
    for file in files:
        if not file.is_file():
            result.errors.append(ConfigError("file not found", path=str(file)))
            continue
        try:
            _declaration(file, result)
        except ConfigError as exc:
            result.errors.append(exc)
    return result


# --- versions repositories (`import-ota --versions`) ----------------------------------------------------


def import_versions(repo: str, clones: Path, services: Sequence[str] = ()) -> ImportResult:
    """Watchlist entries that follow every document of an Open Terms Archive versions repository (a git URL
    or a local path; files `<Service>/<Terms type>.md`), or of the services named (by name or slug). The
    repository is fetched into its clone under `clones`, the one followed documents' checks use."""
    from monitor.sources.ota_git import git, update_clone

    if "://" not in repo and not re.fullmatch(r"[\w.-]+@[\w.-]+:.+", repo):
        repo = os.path.abspath(os.path.expanduser(repo))     # the watchlist needs a path from anywhere
    clone = update_clone(repo, clones, max_age=0)
    result = ImportResult()
    wanted = {name.lower(): name for name in services}
    found: set[str] = set()
    folders: set[str] = set()     # every service of the repository, to suggest one for a typo
    for path in git(clone.path, "ls-tree", "-r", "--name-only", "-z", clone.head).split("\0"):
        parts = path.split("/")
        if len(parts) != 2 or not parts[1].endswith(".md"):
            continue
        name, terms_type = parts[0], parts[1].removesuffix(".md")
        folders.add(name)
        slug, doc_slug = slugify(name), slugify(terms_type)
        if wanted:
            match = wanted.keys() & {name.lower(), slug}
            if not match:
                continue
            found.update(match)
        if not slug or not doc_slug:
            result.warnings.append(f"{path}: no ASCII letters or digits for a slug, skipped")
            continue
        entry = next((e for e in result.entries if e.slug == slug), None)
        if entry is None:
            entry = ServiceEntry(slug=slug, name=name, source=repo)
            result.entries.append(entry)
        if doc_slug in entry.documents:
            result.warnings.append(f"{path}: {slug}/{doc_slug} already comes from another file, skipped")
            continue
        entry.documents[doc_slug] = {"ota": {"repo": repo, "path": path}}
    for key, name in wanted.items():
        if key not in found and slugify(name) not in found:
            result.errors.append(ConfigError(f"no service {name!r} (a folder of .md files){_closest(name, folders)}",
                                             path=repo))
    if not result.entries and not result.errors:
        result.errors.append(ConfigError("no <Service>/<Terms type>.md files", path=repo))
    return result


def _closest(name: str, folders: set[str]) -> str:
    """` (did you mean 'ChatGPT'?)` for the service folder closest to a mistyped `--service`, else ``."""
    import difflib

    by_key = {key: folder for folder in sorted(folders) for key in (folder.lower(), slugify(folder))}
    close = difflib.get_close_matches(name.lower(), list(by_key), n=1, cutoff=0.6)
    return f" (did you mean {by_key[close[0]]!r}?)" if close else ""


# --- YAML ------------------------------------------------------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _node(settings: Mapping[str, Any]) -> Any:
    """A document's settings as ruamel nodes: selector lists in flow style (`select: ["#main"]`)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    node = CommentedMap()
    for key, value in settings.items():
        if isinstance(value, dict):   # ota: {repo: ..., path: "..."}
            value = CommentedMap((k, Quoted(v) if k == "path" else v) for k, v in value.items())
            value.fa.set_flow_style()
        elif isinstance(value, list):
            seq = CommentedSeq()
            for item in value:
                if isinstance(item, dict):
                    item = CommentedMap((k, Quoted(v)) for k, v in item.items())
                    item.fa.set_flow_style()
                elif key != "urls":
                    item = Quoted(item)
                seq.append(item)
            if key != "urls":
                seq.fa.set_flow_style()
            value = seq
        node[key] = value
    return node


def _service_node(entry: ServiceEntry) -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap()
    node["name"] = entry.name
    node["documents"] = CommentedMap((slug, _node(settings)) for slug, settings in entry.documents.items())
    return node


def render_entries(result: ImportResult) -> str:
    """The entries as watchlist YAML: a `services:` mapping."""
    import io

    from ruamel.yaml.comments import CommentedMap

    root = CommentedMap()
    root["services"] = CommentedMap((entry.slug, _service_node(entry)) for entry in result.entries)
    out = io.StringIO()
    _yaml().dump(root, out)
    return out.getvalue()


#: The keys import-ota manages in an existing document; others (language, ignore, interval...) are kept.
MANAGED_KEYS = ("url", "urls", "select", "remove", "render", "ota")


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReport:
    added: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.added} documents added, {self.updated} updated"


def _mapping(node: Any, path: Path, key: str) -> Any:
    """`node` when it is a mapping of the watchlist being written into; else the one-line error naming it."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(node, CommentedMap):
        kind = "a list" if isinstance(node, list) else f"{type(node).__name__} {json.dumps(str(node))[:40]}"
        raise ConfigError(f"expected a mapping, got {kind}; not written", path=str(path), key=key)
    return node


def write_into_watchlist(result: ImportResult, watchlist_path: str | Path, *,
                         environ: Mapping[str, str] | None = None) -> WriteReport:
    """Insert or update the entries in a watchlist file, keeping its comments and order (ruamel.yaml round
    trip). Existing documents keep the keys import-ota does not manage. The new text is validated with
    monitor.watchlist before it replaces the file; an invalid result raises ConfigError and writes nothing."""
    import io

    from ruamel.yaml.comments import CommentedMap

    path = Path(watchlist_path)
    yaml = _yaml()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    root = yaml.load(text) if text.strip() else None
    if root is None:
        root = CommentedMap()
    if not isinstance(root, CommentedMap):
        raise ConfigError("expected a mapping at the top level", path=str(path))
    if root.get("services") is None:
        root["services"] = CommentedMap()
    services = _mapping(root["services"], path, "services")
    added = updated = 0
    for entry in result.entries:
        if services.get(entry.slug) is None:
            services[entry.slug] = _service_node(entry)
            added += len(entry.documents)
            continue
        service = _mapping(services[entry.slug], path, f"services.{entry.slug}")
        service.setdefault("name", entry.name)
        if service.get("documents") is None:
            service["documents"] = CommentedMap()
        documents = _mapping(service["documents"], path, f"services.{entry.slug}.documents")
        for slug, settings in entry.documents.items():
            new = _node(settings)
            if documents.get(slug) is None:
                documents[slug] = new
                added += 1
                continue
            current = _mapping(documents[slug], path, f"services.{entry.slug}.documents.{slug}")
            for key in MANAGED_KEYS:
                if key in current and key not in new:
                    del current[key]
            for position, (key, value) in enumerate(new.items()):
                if key in current:
                    current[key] = value
                else:
                    current.insert(position, key, value)
            updated += 1
    out = io.StringIO()
    yaml.dump(root, out)
    new_text = out.getvalue()
    parse_watchlist(new_text, path=str(path), environ=os.environ if environ is None else environ)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(path)
    return WriteReport(added=added, updated=updated)
