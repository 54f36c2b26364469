"""A quick yes for the simple JSON Schemas tool `parameters` mostly are: plain Python that says "valid"
only where jsonschema (Draft 2020-12) finds no error, or gives no answer.

jsonschema dispatches every keyword through Python and collects errors for ``best_match``: ~0.1 ms a
call's arguments (FT606), while most calls are valid against schemas of a few typed properties. A
schema made only of the keywords below gets a quick check; when it says anything but "valid",
jsonschema judges the instance and words the error (tests/test_jsonquick.py holds the two to the same
verdicts on hypothesis-generated schemas and instances). Any other keyword (`$ref`, `pattern`,
`const`, `minLength`...) means no quick check at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Quick = Callable[[Any], bool]

# Keywords that never make an instance invalid: annotations, and `format`, which jsonschema asserts
# only with a format checker (ftlint's validators have none; compile_schema says whether it does).
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "deprecated", "readOnly",
                          "writeOnly"})
_KEYWORDS = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties", "items", "enum", "minimum",
                            "maximum", "exclusiveMinimum", "exclusiveMaximum"}

# Draft 2020-12's types, as jsonschema checks them: a bool is no number, 1.0 is an integer.
_TYPES: dict[str, Quick] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: type(value) in (int, float),
    "integer": lambda value: type(value) is int or (type(value) is float and value.is_integer()),
}
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {  # (instance, bound) -> within it
    "minimum": lambda value, bound: not value < bound,
    "maximum": lambda value, bound: not value > bound,
    "exclusiveMinimum": lambda value, bound: not value <= bound,
    "exclusiveMaximum": lambda value, bound: not value >= bound,
}


# Subschema levels certainly_valid vouches for: jsonschema's meta-schema check takes ~8 frames a level
# (from the top of the stack it fails at ~120 levels, which compile_schema reports as nested too deeply).
_MAX_DEPTH = 32


def certainly_valid(schema: Any, depth: int = 0) -> bool:
    """True only when ``schema`` is made of this module's keywords and valid against Draft 2020-12's
    meta-schema, so that it can be compiled without importing jsonschema (~30 ms of a 10-line run);
    False means: ask jsonschema, which words what is wrong. ``$schema`` is no keyword here: another
    dialect is jsonschema's to judge."""
    if isinstance(schema, bool):
        return True
    if depth > _MAX_DEPTH or not isinstance(schema, dict) or not set(schema) <= _KEYWORDS | {"format"}:
        return False
    return all(_META[keyword](value, depth + 1) for keyword, value in schema.items())


def _names(value: Any, allowed: frozenset[str] | None = None) -> bool:
    """The meta-schema's ``stringArray`` (and the array form of ``type``): unique strings."""
    return (isinstance(value, list) and all(isinstance(name, str) and (allowed is None or name in allowed)
                                            for name in value) and len(set(value)) == len(value))


_SIMPLE_TYPES = frozenset(_TYPES)
# What Draft 2020-12's meta-schema (its vocabularies: applicator, validation, meta-data, core,
# format-annotation) asks of each keyword's value; jsonschema's "number" is an int or float, no bool.
_META: dict[str, Callable[[Any, int], bool]] = {
    "type": lambda value, _: (value in _SIMPLE_TYPES if isinstance(value, str)
                           else bool(value) and _names(value, _SIMPLE_TYPES)),
    "properties": lambda value, depth: isinstance(value, dict) and all(certainly_valid(sub, depth)
                                                                       for sub in value.values()),
    "required": lambda value, _: _names(value),
    "additionalProperties": certainly_valid,
    "items": certainly_valid,
    "enum": lambda value, _: isinstance(value, list),
    **{bound: (lambda value, _: type(value) in (int, float)) for bound in _BOUNDS},
    **{text: (lambda value, _: isinstance(value, str)) for text in ("title", "description", "$comment", "format")},
    **{flag: (lambda value, _: isinstance(value, bool)) for flag in ("deprecated", "readOnly", "writeOnly")},
    "default": lambda value, _: True,
    "examples": lambda value, _: isinstance(value, list),
}


def quick_check(schema: Any, formats_asserted: bool = False) -> Quick | None:
    """A check for ``schema`` (already valid against the meta-schema), or None when it has a keyword
    this module does not judge."""
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    known = _KEYWORDS if formats_asserted else _KEYWORDS | {"format"}
    if not isinstance(schema, dict) or not set(schema) <= known:
        return None
    checks = [check for check in (_type(schema), _bounds(schema), _enum(schema)) if check is not None]
    for part in (_object(schema, formats_asserted), _items(schema, formats_asserted)):
        if part is None:
            return None
        checks += part
    return lambda value: all(check(value) for check in checks)


def _type(schema: dict[str, Any]) -> Quick | None:
    if "type" not in schema:
        return None
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    tests = [_TYPES[name] for name in names]  # the meta-schema allows no other names
    return lambda value: any(test(value) for test in tests)


def _bounds(schema: dict[str, Any]) -> Quick | None:
    bounds = [(_BOUNDS[keyword], schema[keyword]) for keyword in _BOUNDS if keyword in schema]
    if not bounds:
        return None
    return lambda value: type(value) not in (int, float) or all(within(value, bound) for within, bound in bounds)


def _enum(schema: dict[str, Any]) -> Quick | None:
    """Only strings are said to be in an enum (another value's equality is jsonschema's to judge)."""
    if "enum" not in schema:
        return None
    strings = frozenset(item for item in schema["enum"] if isinstance(item, str))
    return lambda value: isinstance(value, str) and value in strings


def _object(schema: dict[str, Any], formats_asserted: bool) -> list[Quick] | None:
    properties = schema.get("properties", {})
    subschemas = {name: quick_check(sub, formats_asserted) for name, sub in properties.items()}
    extra = schema.get("additionalProperties", True)
    additional = quick_check(extra, formats_asserted)
    if additional is None or any(check is None for check in subschemas.values()):
        return None
    checks = {name: check for name, check in subschemas.items() if check is not None}
    required = tuple(schema.get("required", ()))

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True  # object keywords apply to objects only
        for key, item in value.items():
            known = checks.get(key)
            if not (known(item) if known is not None else additional(item)):
                return False
        return all(name in value for name in required)

    return [check]


def _items(schema: dict[str, Any], formats_asserted: bool) -> list[Quick] | None:
    if "items" not in schema:
        return []
    each = quick_check(schema["items"], formats_asserted)
    if each is None:
        return None
    return [lambda value: not isinstance(value, list) or all(each(item) for item in value)]
