"""Glob patterns for file selection, with the two semantics users know.

- **Config globs** (``exclude``, ``extend-exclude``, ``per-file-ignores``, ``validation-files``,
  ``training-files``) follow ruff: a pattern matches a path when it matches the file's name, or the
  whole path once the pattern is joined to the folder of the config file that wrote it. ``*`` may
  cross ``/`` there (as in ruff's globset), and ``**/`` also matches no folder at all.
- **.gitignore patterns** follow git: ``*`` and ``?`` stop at ``/``, a pattern with a ``/`` before its
  end is anchored to the .gitignore's folder, a trailing ``/`` matches only folders, ``!`` re-includes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path


def translate(pattern: str, *, slash_is_literal: bool) -> str:
    """A regular expression (without anchors) for ``pattern``.

    ``slash_is_literal``: ``*`` and ``?`` do not match ``/`` (git); otherwise they do (ruff).
    ``**`` always crosses folders; ``**/`` may match zero folders. ``[...]`` and ``[!...]`` are
    character classes; ``{a,b}`` alternatives; a backslash escapes the next character.
    """
    out: list[str] = []
    any_char = "[^/]" if slash_is_literal else "."
    i, n, braces = 0, len(pattern), 0
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append(any_char + "*")
        elif char == "?":
            out.append(any_char)
        elif char == "[":
            end = _class_end(pattern, i)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1:end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "{" and not slash_is_literal:
            braces += 1
            out.append("(?:")
        elif char == "," and braces:
            out.append("|")
        elif char == "}" and braces:
            braces -= 1
            out.append(")")
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out) + ")" * braces


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the class opened at ``start``, or -1."""
    i = start + 1
    if i < len(pattern) and pattern[i] in "!^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    end = pattern.find("]", i)
    return end


@dataclass(frozen=True)
class PathGlob:
    """A config glob and the folder of the config file that wrote it (ruff's semantics)."""

    pattern: str
    root: Path
    source: str = ""  # the config file, for messages ("exclude pattern 'raw' in ftlint.toml")
    _name: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _path: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # `evals/` is written from .gitignore habit: it means the folder and everything in it (a walk
        # skips the folder by name; a file named in per-file-ignores or validation-files matches by path).
        # With no slash of its own it names such a folder at any depth below the root, as the walk finds
        # it (`tasks/evals/` too); `data/evals/` is anchored to the root.
        pattern = self.pattern.rstrip("/") or self.pattern
        folder = pattern != self.pattern
        beneath = r"(?:/.*)?" if folder else ""
        body = translate(pattern, slash_is_literal=False)
        anywhere = "**/" if folder and "/" not in pattern else ""
        absolute = translate(_join(self.root, anywhere + pattern), slash_is_literal=False)
        object.__setattr__(self, "_name", re.compile(body + r"\Z", re.DOTALL))
        object.__setattr__(self, "_path", re.compile(absolute + beneath + r"\Z", re.DOTALL))

    def matches(self, path: Path) -> bool:
        absolute = absolute_posix(path)
        return self.match(absolute.rsplit("/", 1)[-1], absolute)

    def match(self, name: str, absolute: str) -> bool:
        """For callers that test one path against many globs: its name and absolute POSIX path."""
        return bool(self._name.match(name) or self._path.match(absolute))


def _join(root: Path, pattern: str) -> str:
    if pattern.startswith("/"):
        return pattern
    prefix = absolute_posix(root).rstrip("/")
    return (re.sub(r"([*?\[\]{}\\])", r"\\\1", prefix) + "/" + pattern.removeprefix("./"))


def absolute_posix(path: Path | str) -> str:
    """An absolute, normalised POSIX path, without resolving symbolic links (the name the user sees).

    os.path, not pathlib: a directory walk calls this for every file and folder.
    """
    return os.path.abspath(path).replace(os.sep, "/")


@dataclass(frozen=True)
class IgnoreRule:
    """One line of a .gitignore file."""

    regex: re.Pattern[str]
    negated: bool
    directory_only: bool
    base: str  # the .gitignore's folder, relative to the repository root ("" at the root)
    text: str


def parse_gitignore(text: str, base: str) -> list[IgnoreRule]:
    """The rules of one .gitignore file in folder ``base`` (POSIX, relative to the repository root)."""
    rules = []
    for line in text.splitlines():
        rule = _gitignore_rule(line, base)
        if rule is not None:
            rules.append(rule)
    return rules


def _gitignore_rule(line: str, base: str) -> IgnoreRule | None:
    text = line.rstrip("\r")
    while text.endswith(" ") and not text.endswith("\\ "):
        text = text[:-1]
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    body = text[1:] if negated else text
    if body.startswith(("\\#", "\\!")):
        body = body[1:]
    directory_only = body.endswith("/")
    body = body.rstrip("/")
    if not body:
        return None
    anchored = "/" in body  # a slash at the start or in the middle anchors it to this folder
    body = body.lstrip("/")
    regex = translate(body, slash_is_literal=True)
    if not anchored:
        regex = "(?:.*/)?" + regex
    return IgnoreRule(re.compile(regex + r"\Z", re.DOTALL), negated, directory_only, base, line)


def gitignored(rules: list[IgnoreRule], relative: str, is_dir: bool) -> bool | None:
    """Whether the last matching rule ignores ``relative`` (a path from the repository root).

    None when no rule matches. Callers check a folder before its contents, so a file inside an
    ignored folder is never seen (git cannot re-include it either).
    """
    verdict: bool | None = None
    for rule in rules:
        if rule.directory_only and not is_dir:
            continue
        if rule.base:
            if not relative.startswith(rule.base + "/"):
                continue
            local = relative[len(rule.base) + 1:]
        else:
            local = relative
        if rule.regex.match(local):
            verdict = not rule.negated
    return verdict
