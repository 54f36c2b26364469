"""JSON Schema validators that never leave the process and never run in exponential time.

Every validator in ftlint comes from ``compile_schema``: the tool `parameters` found in the data
(FT602, FT606) and the team's `[[tool.ftlint.schema]]` files (ftlint.rules.custom).

- References resolve inside the schema itself, and for config schemas inside files of the
  config's own folder tree, read from disk. Nothing is fetched: jsonschema's default would
  `urlopen` any `$ref` (without a timeout) and read any `file://` path. A reference that does not
  resolve is a problem with the schema (a finding, or a config error), found when it is compiled.
- `pattern`, `patternProperties` (and `additionalProperties` and `unevaluatedProperties`, which
  match property names against them) run in re2 (ftlint.regex): jsonschema's own keyword code,
  with re2 in place of `re`. The root's `$schema` picks the dialect; a `$schema` anywhere else is
  ignored, since jsonschema would switch to its stock validator (and to `re`) there.
- Validation that recurses too deep (a 990-level argument) is reported, not raised.
"""

from __future__ import annotations

import functools
import json
import marshal
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ftlint import regex
from ftlint.jsonquick import Quick, certainly_valid, quick_check


class SchemaProblem(ValueError):
    """The schema cannot be used: invalid, a reference that does not resolve, a pattern re2 rejects."""


@dataclass(frozen=True)
class Error:
    """The most relevant way an instance fails its schema (jsonschema's ``best_match``)."""

    message: str
    path: tuple[str | int, ...] = ()  # where in the instance
    checked: bool = True  # False: the instance could not be checked at all (the message says why)


class Validator:
    """A compiled schema. ``first_error`` never raises on any instance."""

    def __init__(self, validator: Any, quick: Quick | None = None, schema: Any = None) -> None:
        self._validator = validator  # None: compiled by jsonschema when an instance first needs it
        self._quick = quick  # says "valid" for most instances of a simple schema (ftlint.jsonquick)
        self._schema = schema

    def first_error(self, instance: Any) -> Error | None:
        try:
            if self._quick is not None and self._quick(instance):
                return None
        except RecursionError:
            pass  # jsonschema says how deep is too deep
        from jsonschema.exceptions import best_match
        from referencing.exceptions import Unresolvable

        if self._validator is None:
            try:
                self._validator = _compiled(self._schema, None)._validator
            except SchemaProblem as exc:  # jsonquick vouched for a schema jsonschema cannot take: say so
                return Error(f"the schema {exc}", checked=False)
        try:
            error = best_match(self._validator.iter_errors(instance))
        except RecursionError:
            return Error("it is nested too deeply", checked=False)
        except regex.PatternError as exc:
            return Error(f"a pattern of the schema that {exc}", checked=False)
        except Unresolvable as exc:  # found when compiled; kept in case a dynamic reference escapes that check
            return Error(f"unresolvable $ref {_ref_of(exc)!r}, not fetched", checked=False)
        if error is None:
            return None
        return Error(error.message, tuple(error.absolute_path))


@dataclass(frozen=True)
class LocalFiles:
    """Where a config schema may read the files its references name: ``root`` and below, nowhere else.

    ``base`` is the folder of the schema file, against which relative references resolve.
    """

    root: Path
    base: Path


def compile_schema(schema: Any, files: LocalFiles | None = None) -> Validator:
    """A validator for ``schema`` (data: ``files`` None, only internal references resolve).

    Raises SchemaProblem, whose message is a predicate to put after the schema's name: "`parameters`
    is not a valid JSON Schema: ...", "schema x.json has an unresolvable $ref ...".
    A simple schema in data that ftlint.jsonquick vouches for is compiled by jsonschema only when an
    instance fails its quick check (a clean file of simple tools never imports jsonschema).
    """
    if files is None and isinstance(schema, dict):
        try:
            quick = quick_check(schema) if certainly_valid(schema) else None
        except RecursionError:  # deeper than Python goes: jsonschema's path says so
            quick = None
        if quick is not None:
            return Validator(None, quick, schema)
    return _compiled(schema, files)


def _compiled(schema: Any, files: LocalFiles | None) -> Validator:
    import jsonschema

    if not isinstance(schema, dict):  # `true` and `false` are schemas, but not what anyone means here
        raise SchemaProblem(f"must be a JSON Schema object, got {type(schema).__name__}")
    base_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    # best_match, not check_schema's first error: jsonschema walks some keywords through a set, so the
    # first error found (and FT602's message and fingerprint) would change with PYTHONHASHSEED.
    meta_class = jsonschema.validators.validator_for(base_class.META_SCHEMA, default=base_class)  # as check_schema
    meta = meta_class(base_class.META_SCHEMA, format_checker=_format_checker(base_class))
    try:
        error = jsonschema.exceptions.best_match(meta.iter_errors(schema))
    except RecursionError:
        raise SchemaProblem("is nested too deeply to be checked") from None
    if error is not None:
        raise SchemaProblem(_schema_error(error))
    try:
        schema = marshal.loads(marshal.dumps(schema))  # a copy: nested `$schema` keys are dropped from it
    except ValueError:  # deeper than marshal goes
        raise SchemaProblem("is nested too deeply to be checked") from None
    registry = _registry(base_class, files)
    _check_references_and_patterns(schema, base_class, registry, files)
    validator = _linear_class(base_class)(schema, registry=registry)
    return Validator(validator, _quick(schema, base_class, validator))


def _quick(schema: dict[str, Any], base_class: Any, validator: Any) -> Quick | None:
    import jsonschema

    if base_class is not jsonschema.Draft202012Validator:  # other dialects type and bound differently
        return None
    try:
        return quick_check(schema, formats_asserted=validator.format_checker is not None)
    except RecursionError:
        return None


def _schema_error(exc: Any) -> str:
    where = "/".join(str(part) for part in exc.path)
    suffix = f" (at {where})" if where else ""
    if exc.validator == "format" and exc.validator_value == "regex":
        return f"has a pattern {exc.instance!r} that {exc.cause}{suffix}"
    return f"is not a valid JSON Schema: {exc.message}{suffix}"


@functools.cache
def _format_checker(base_class: Any) -> Any:
    """The dialect's format checks, with `regex` (the meta-schema's check of each pattern) done by re2."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = {**base_class.FORMAT_CHECKER.checkers, "regex": (_compiles, regex.PatternError)}
    return checker


def _compiles(pattern: object) -> bool:
    if isinstance(pattern, str):
        regex.linear(pattern)
    return True


def _registry(base_class: Any, files: LocalFiles | None) -> Any:
    from referencing import Registry

    if files is None:
        return Registry()  # retrieves nothing: only the schema's own resources
    specification = _specification(base_class)
    return Registry(retrieve=functools.lru_cache(maxsize=64)(  # type: ignore[call-arg]
        lambda uri: _read_local(uri, files, specification)))


def _specification(base_class: Any) -> Any:
    import referencing.jsonschema

    return referencing.jsonschema.specification_with(base_class.META_SCHEMA.get("$schema", ""),
                                                     default=referencing.jsonschema.DRAFT202012)


def _read_local(uri: str, files: LocalFiles, specification: Any) -> Any:
    """A referenced schema file inside the config's folder tree; anything else does not exist."""
    from referencing.exceptions import NoSuchResource

    parts = urlsplit(uri)
    path = Path(unquote(parts.path))
    path = (path if path.is_absolute() else files.base / path).resolve()
    if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost") or not parts.path \
            or not path.is_relative_to(files.root.resolve()) or not path.is_file():
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # (an attrs class)
    try:
        contents = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]
    if isinstance(contents, dict):
        contents.pop("$schema", None)  # one dialect for all (see the module's docstring)
    return specification.create_resource(contents)


def _check_references_and_patterns(schema: Any, base_class: Any, registry: Any, files: LocalFiles | None) -> None:
    """Every `$ref` must resolve without fetching; every pattern must compile in re2."""
    from referencing.exceptions import CannotDetermineSpecification, NoSuchResource, Unresolvable

    specification = _specification(base_class)
    root = specification.create_resource(schema)
    for resolver, contents in _schemas(root, registry.resolver_with_root(root), specification):
        for keyword in ("$ref", "$dynamicRef"):
            reference = contents.get(keyword)
            if not isinstance(reference, str):
                continue
            try:
                resolver.lookup(reference)
            except (Unresolvable, NoSuchResource, CannotDetermineSpecification, ValueError, RecursionError):
                where = (f"only files inside {files.root} are read" if files is not None else
                         "only references inside the same schema resolve")
                raise SchemaProblem(f"has an unresolvable {keyword} {reference!r}, not fetched ({where})") from None
        patterns = [contents.get("pattern")]
        if isinstance(contents.get("patternProperties"), dict):
            patterns += list(contents["patternProperties"])
        for pattern in patterns:
            if isinstance(pattern, str):
                try:
                    regex.linear(pattern)
                except regex.PatternError as exc:
                    raise SchemaProblem(f"has a pattern {pattern!r} that {exc}") from None


def _schemas(root: Any, resolver: Any, specification: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Each (sub)schema object with the resolver of its position (its base URI), without recursion.

    Drops `$schema` from every subschema, in place: the schema is a private copy.
    """
    stack = [(resolver, root.contents)]
    while stack:
        resolver, contents = stack.pop()
        if not isinstance(contents, dict):
            continue
        yield resolver, contents
        for child in specification.subresources_of(contents):
            if isinstance(child, dict):
                child.pop("$schema", None)
            stack.append((resolver.in_subresource(specification.create_resource(child)), child))


def _ref_of(exc: Exception) -> str:
    return str(getattr(exc, "ref", "") or getattr(getattr(exc, "_cause", None), "ref", ""))


# jsonschema's keyword functions, copied with re2 in place of the `re` module.

class _LinearRe:
    """What jsonschema's keyword code calls as `re` (4.26 calls only `search`), run by re2."""

    search = staticmethod(regex.search)
    compile = staticmethod(regex.linear)

    @staticmethod
    def match(pattern: str, text: str) -> Any:
        return regex.linear(pattern).match(text)

    @staticmethod
    def fullmatch(pattern: str, text: str) -> Any:
        return regex.linear(pattern).fullmatch(text)


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):  # comprehensions and nested functions
            yield from _names(constant)


def _uses_re(function: types.FunctionType, seen: set[int] | None = None) -> bool:
    seen = set() if seen is None else seen
    if id(function) in seen:
        return False
    seen.add(id(function))
    for name in _names(function.__code__):
        if name == "re":
            return True
        helper = function.__globals__.get(name)
        if isinstance(helper, types.FunctionType) and _uses_re(helper, seen):
            return True
    return False


def _relinked(function: types.FunctionType, copies: dict[int, types.FunctionType],
              namespaces: dict[int, dict[str, Any]]) -> types.FunctionType:
    """``function`` with the same code, its module's `re` replaced by re2, its helpers relinked too."""
    done = copies.get(id(function))
    if done is not None:
        return done
    original = function.__globals__
    namespace = namespaces.get(id(original))
    if namespace is None:
        namespace = namespaces[id(original)] = {**original, "re": _LinearRe}
    copy = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                              function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    copies[id(function)] = copy
    for name in set(_names(function.__code__)):
        helper = original.get(name)
        if isinstance(helper, types.FunctionType) and helper.__module__.startswith("jsonschema"):
            namespace[name] = _relinked(helper, copies, namespaces)
    return copy


@functools.cache
def _linear_class(base_class: Any) -> Any:
    """``base_class`` with every keyword that matches patterns running them in re2."""
    import jsonschema

    copies: dict[int, types.FunctionType] = {}
    namespaces: dict[int, dict[str, Any]] = {}
    keywords: dict[str, Callable[..., Any]] = {
        name: _relinked(function, copies, namespaces)
        for name, function in base_class.VALIDATORS.items()
        if isinstance(function, types.FunctionType) and _uses_re(function)}
    return jsonschema.validators.extend(base_class, validators=keywords)
