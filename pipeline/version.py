"""Code versions, computed from the code, never listed by hand.

- An asset's code version (`asset_version`) is a digest of what builds it: its own declaration
  (a model's SQL and spec, a raw table's spec) and the source of every pipeline module that
  the functions building it run, found by following their imports (imports inside functions
  too), with the versions of the installed packages those modules import. Editing one SQL
  file changes that model's version alone; editing a shared module changes the version of
  every asset whose code imports it; editing a test, a doc or the dev lock changes nothing.
- The release manifest keeps one digest of everything that can change an output
  (`code_version`): the package's Python, SQL and YAML, `pyproject.toml` and the runtime lock.

Files are read from disk each time a version is computed, once per computation (only installed
packages' versions are kept between them), so a running process can compare the code it loaded
with the code on disk now (the sensor).

Belongs here: computing those digests. Stays out: which asset is built by which function
(pipeline/lineage.py) and where versions are recorded (release manifests).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from pipeline.settings import MODELS_DIR, PACKAGE_DIR, REPO_ROOT

PACKAGE = PACKAGE_DIR.name
SOURCE_SUFFIXES = (".py", ".sql", ".yml", ".yaml", ".j2", ".css")  # .j2, .css: report templates
# What, besides the package, can change an output: the build metadata and the runtime lock.
# requirements-dev.lock (test tools), tests/ and docs/ cannot, and are in no version.
PROJECT_FILES = ("pyproject.toml", "requirements.lock")


def digest(parts: Iterable[bytes | str], length: int = 16) -> str:
    """A short sha256 over parts, each separated so that ('ab', 'c') differs from ('a', 'bc')."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode() if isinstance(part, str) else part)
        hashed.update(b"\0")
    return hashed.hexdigest()[:length]


# --- per asset ----------------------------------------------------------------------------------


def module_file(module: str, package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The source file of a module of the package (None for anything else)."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


# An import statement: `import a.b, c` or `from a.b import (c, d)` (the names may span lines
# inside parentheses). Read with a regular expression rather than a parse: a definitions load
# reads every module, and a mention of an import inside a docstring only adds a file.
_IMPORT = re.compile(
    r"^[ \t]*(?:import[ \t]+([\w., \t]+)"
    r"|from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+))",
    re.M,
)


def _imported(text: str, module: str) -> set[str]:
    """Modules the import statements of a module's text name (for `from a import b`, both `a`
    and `a.b`, which is a module when b is one); relative imports are resolved."""
    found = set()
    for plain, base, names in _IMPORT.findall(text):
        if plain:
            found.update(n.split(" as ")[0].strip() for n in plain.split(","))
            continue
        level = len(base) - len(base.lstrip("."))
        if level:  # relative: resolved against this module's package
            anchor = module.split(".")[:-level]
            rest = base.lstrip(".")
            base = ".".join([*anchor, rest] if rest else anchor)
        found.add(base)
        for name in names.strip("()").replace("\n", " ").split(","):
            name = name.split(" as ")[0].strip()
            if name and name != "*":
                found.add(f"{base}.{name}")
    return {name for name in found if name}


def module_closure(
    entries: Iterable[str],
    skip: Iterable[str] = (),
    package_dir: Path = PACKAGE_DIR,
    read: dict[str, tuple[bytes, set[str]] | None] | None = None,
) -> tuple[dict[str, bytes], set[str]]:
    """({module: source} of the entry modules and every package module they import, at any
    depth, with the packages they sit in; the top-level names of other modules imported).
    Modules in `skip` are neither hashed nor followed (a registry whose entries are hashed one
    by one instead). `read`: the modules already read by this computation ({module: (source,
    what it imports)}, None outside the package), filled here: the stages of one computation
    share most of their modules, and read them once (a definitions load read 3,966 paths)."""
    skipped = set(skip)
    read = {} if read is None else read
    sources: dict[str, bytes] = {}
    external: set[str] = set()
    stack = list(entries)
    while stack:
        module = stack.pop()
        if module in sources or module in skipped:
            continue
        if module not in read:
            path = module_file(module, package_dir)
            text = None if path is None else path.read_bytes()
            read[module] = None if text is None else (text, _imported(text.decode(), module))
        if read[module] is None:
            if module.split(".")[0] != PACKAGE:
                external.add(module.split(".")[0])
            continue
        sources[module], imported = read[module]
        parents = module.split(".")
        stack.extend(".".join(parents[:i]) for i in range(1, len(parents)))
        stack.extend(imported)
    return sources, external - set(sys.stdlib_module_names)


def distribution_versions(top_level: Iterable[str]) -> list[str]:
    """'name==version' of the installed distributions named like these top-level modules
    (duckdb, pandas, pyarrow, pandera...); a module whose distribution is named otherwise
    (yaml) is covered by the runtime lock in the digest of everything."""
    return [f"{name}=={v}" for name in sorted(set(top_level)) if (v := _installed(name))]


@functools.cache
def _installed(name: str) -> str:
    """The installed version of a distribution, '' if none (read once per process: installing
    a package needs a new process to be imported anyway)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def code_of(
    entries: Iterable[str],
    skip: Iterable[str] = (),
    package_dir: Path = PACKAGE_DIR,
    read: dict | None = None,
) -> list[bytes | str]:
    """The parts a version of code running from `entries` is a digest of: each module's name
    and source, and the versions of the packages they import (`read`: module_closure's)."""
    sources, external = module_closure(entries, skip, package_dir, read)
    parts: list[bytes | str] = []
    for module in sorted(sources):
        parts += [module, sources[module]]
    return parts + distribution_versions(external)


def asset_version(code: list[bytes | str], declaration: Iterable[bytes | str] = ()) -> str:
    """An asset's code version: the code that builds it and its own declaration (its SQL and
    spec, or its spec's canonical text)."""
    return digest([*code, "--", *declaration])


def entry_module(function) -> str:
    """The module a function is defined in: a stage's code is found from its functions, so
    moving a function never leaves a version pointing at the old place."""
    return function.__module__


# --- everything ---------------------------------------------------------------------------------


def _sources(root: Path, skip: Path | None = None) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file() or "__pycache__" in path.parts:
            continue
        if skip is not None and skip in path.parents:
            continue
        found[path.relative_to(root).as_posix()] = path
    return found


def code_files(
    models_dir: Path = MODELS_DIR, package_dir: Path = PACKAGE_DIR, repo_root: Path = REPO_ROOT
) -> list[tuple[str, Path]]:
    """(name, path) of every file in the digest of everything, in a stable order. The models
    are counted from `models_dir`, wherever it is; the package's own sql/ is left out when it
    is not."""
    default_models = package_dir / "sql"
    own_models = models_dir.resolve() == default_models.resolve()
    found = {
        f"pipeline/{k}": p
        for k, p in _sources(package_dir, None if own_models else default_models).items()
    }
    if not own_models:
        found |= {f"models/{k}": p for k, p in _sources(models_dir).items()}
    for name in PROJECT_FILES:
        if (repo_root / name).is_file():
            found[name] = repo_root / name
    return sorted(found.items())


def code_version(
    models_dir: Path = MODELS_DIR, package_dir: Path = PACKAGE_DIR, repo_root: Path = REPO_ROOT
) -> str:
    """One digest of everything that can change an output (kept in each release's manifest)."""
    parts: list[bytes | str] = []
    for name, path in code_files(models_dir, package_dir, repo_root):
        parts += [name, path.read_bytes()]
    return digest(parts)
