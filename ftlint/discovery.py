"""Which files a run checks: the paths given, directories searched for JSONL files, standard input.

Searching a directory skips what the config excludes (``exclude``, default: hidden files and
folders, ``venv``, ``node_modules``, ``__pycache__``; plus ``extend-exclude``) and, inside a git
repository, what its ``.gitignore`` files ignore (``respect-gitignore``). Paths named on the command
line are always checked, unless ``--force-exclude`` (for pre-commit, which names every staged file).
No git process runs: the .gitignore files are read as text (a subset of git's rules: the files in
the repository's folders and ``.git/info/exclude``, not the user's global excludes file).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ftlint.config import REPOSITORY_MARKERS, Config, ConfigResolver, repository_root
from ftlint.globs import IgnoreRule, absolute_posix, gitignored, parse_gitignore
from ftlint.inputs import SUFFIXES


@dataclass
class Selection:
    """Decides what a directory search skips; remembers what it skipped and why (for ``-v``)."""

    resolver: ConfigResolver | None = None
    force_exclude: bool | None = None  # None: the config's `force-exclude`
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    _ignore_files: dict[Path, list[IgnoreRule]] = field(default_factory=dict)
    _configs: dict[str, Config] = field(default_factory=dict)  # by folder: a walk asks for every file
    _folders: dict[str, tuple[str, list[IgnoreRule]] | None] = field(default_factory=dict)  # git root, rules

    def excluded(self, path: Path, *, is_dir: bool, named: bool = False) -> str | None:
        """Why ``path`` is left out, or None. ``named``: given on the command line."""
        if self.resolver is None:
            return None
        folder = path if is_dir else path.parent
        config = self._configs.get(str(folder))
        if config is None:
            config = self._configs[str(folder)] = self.resolver.for_path(folder)
        if named:
            force = self.force_exclude if self.force_exclude is not None else config.settings.force_exclude
            return self._named_excluded(path, config) if force else None
        glob = config.excluded_by(path)
        if glob is not None:
            return f"matches {glob.source} pattern {glob.pattern!r}"
        if config.settings.respect_gitignore and self._gitignored(path, is_dir):
            return "ignored by .gitignore"
        return None

    def _named_excluded(self, path: Path, config: Config) -> str | None:
        """With --force-exclude: the path, or a folder above it inside the config's root, is excluded."""
        root = config.root.absolute()
        for candidate in [path.absolute(), *path.absolute().parents]:
            glob = config.excluded_by(candidate)
            if glob is not None:
                return f"matches {glob.source} pattern {glob.pattern!r} (--force-exclude)"
            if candidate == root or root not in candidate.parents:
                break
        return None

    def _gitignored(self, path: Path, is_dir: bool) -> bool:
        absolute = absolute_posix(path)
        folder = absolute.rsplit("/", 1)[0] or "/"
        if folder not in self._folders:
            repository = repository_root(Path(folder))
            self._folders[folder] = None if repository is None else (
                absolute_posix(repository).rstrip("/"), self._rules_for(repository, Path(folder)))
        known = self._folders[folder]
        if known is None:
            return False
        root, rules = known
        return bool(gitignored(rules, absolute[len(root) + 1:], is_dir))

    def _rules_for(self, repository: Path, folder: Path) -> list[IgnoreRule]:
        """Every .gitignore rule that applies in ``folder``: from the repository root down."""
        chain = [folder, *folder.parents]
        chain = list(reversed(chain[: chain.index(repository) + 1])) if repository in chain else [folder]
        rules: list[IgnoreRule] = list(self._ignore_file(repository / ".git" / "info" / "exclude", ""))
        for directory in chain:
            base = directory.relative_to(repository).as_posix() if directory != repository else ""
            rules.extend(self._ignore_file(directory / ".gitignore", base))
        return rules

    def _ignore_file(self, path: Path, base: str) -> list[IgnoreRule]:
        if path not in self._ignore_files:
            try:
                text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            except OSError:
                text = ""
            self._ignore_files[path] = parse_gitignore(text, base)
        return self._ignore_files[path]


def expand(paths: tuple[Path, ...], validation: set[Path], selection: Selection | None = None,
           training: set[Path] | None = None) -> Iterator[tuple[Path | None, bool]]:
    """Files to check, in a stable order: (path or None for stdin, explicitly a validation file).

    Raises FileNotFoundError (with the path and what is wrong) for a missing path or a directory
    with nothing to check: an empty run would print a pass nothing earned.
    """
    selection = selection or Selection()
    seen: set[Path] = set()
    stdin_seen = False
    for path in [*paths, *sorted(validation), *sorted(training or ())]:
        if str(path) == "-":
            if not stdin_seen and not _stdin_excluded(selection):  # standard input can be read once
                stdin_seen = True
                yield None, False
            continue
        if not path.exists():
            kind = "a broken or looping symbolic link" if path.is_symlink() else "no such file or directory"
            raise FileNotFoundError(f"{_shown(path)}: {kind}")
        reason = selection.excluded(path, is_dir=path.is_dir(), named=True)
        if reason is not None:
            selection.skipped.append((path, reason))
            continue
        files = [path] if not path.is_dir() else sorted(_scan(path, selection))
        if not files:
            raise FileNotFoundError(_nothing_found(path, selection))
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file, file in validation


def _stdin_excluded(selection: Selection) -> bool:
    """With --force-exclude, a --stdin-filename that is excluded is not checked (as in ruff)."""
    name = selection.resolver.stdin_name if selection.resolver is not None else None
    if name is None:
        return False
    reason = selection.excluded(name, is_dir=False, named=True)
    if reason is not None:
        selection.skipped.append((name, reason))
    return reason is not None


def _nothing_found(path: Path, selection: Selection) -> str:
    skipped = sum(1 for skipped, _ in selection.skipped if path in skipped.parents)
    hint = f" ({skipped} excluded; -v lists them)" if skipped else ""
    suffixes = ", ".join(f"*{suffix}" for suffix in SUFFIXES)
    return f"{_shown(path)}: a directory with no {suffixes} files in it{hint}; name the files to check"


def _shown(path: Path) -> str:
    from ftlint.masking import mask_name

    return mask_name(str(path))


def _scan(directory: Path, selection: Selection) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        folder = Path(root)
        kept = []
        for name in sorted(dirs):
            if name in REPOSITORY_MARKERS:  # never data, whatever `exclude` says
                continue
            reason = selection.excluded(folder / name, is_dir=True)
            if reason is None:
                kept.append(name)
            else:
                selection.skipped.append((folder / name, reason))
        dirs[:] = kept
        for name in files:
            if not name.lower().endswith(SUFFIXES):
                continue
            reason = selection.excluded(folder / name, is_dir=False)
            if reason is None:
                yield folder / name
            else:
                selection.skipped.append((folder / name, reason))
