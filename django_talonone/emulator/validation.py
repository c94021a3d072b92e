"""Request validation: the emulator rejects what Talon.One would, with clearer messages.

:func:`validate_request` runs before any handler. It checks the body against the
operation's JSON Schema (see :mod:`django_talonone.emulator.schemas`) and the query and
path parameters, and raises one :class:`ApiError` (400) listing *every* problem, each
with a JSON pointer into the body or the parameter's name, so a developer fixes a bad
payload in one round trip instead of one field at a time.

Numbers follow JSON, not Python: ``true`` is not a quantity (``bool`` subclasses ``int``),
an integer field rejects ``1.5`` and ``1.0`` alike, and NaN or infinities are no number.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, TypeChecker, validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.fastcheck import accepts
from django_talonone.emulator.routing import OPERATIONS_BY_NAME, Request
from django_talonone.emulator.schemas import BODY_SCHEMAS
from django_talonone.emulator.schemas.parameters import (
    INTEGER_PATH_PARAMETERS,
    QUERY_PARAMETERS,
    ParameterKind,
)

PathPart = str | int
Error = dict[str, Any]

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:[Zz]|([+-])(\d{2})(:?)(\d{2}))",
    re.ASCII,
)
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_MAX_SHOWN_CHARS = 40


def is_rfc3339_date_time(value: str, *, compact_offset: bool = False) -> bool:
    """Whether ``value`` is an RFC 3339 date-time with a real calendar date and offset.

    ``compact_offset`` also accepts ``+0000`` (no colon): the official Python SDK formats
    date-time *query* parameters that way, and the emulator must take what it sends.
    """
    found = _RFC3339.fullmatch(value)
    if found is None:
        return False
    year, month, day, hour, minute, second = (int(found.group(n)) for n in range(1, 7))
    sign, offset_hours, colon, offset_minutes = found.group(7, 8, 9, 10)
    if sign is not None and not colon and not compact_offset:
        return False
    try:
        # RFC 3339 allows a leap second (60); datetime does not, so check it as 59.
        datetime(year, month, day, hour, minute, min(second, 59))
        if sign is not None:
            timezone(timedelta(hours=int(offset_hours), minutes=int(offset_minutes)))
    except ValueError:
        return False
    return second <= 60 and (sign is None or int(offset_minutes) < 60)


def _is_integer(_checker: TypeChecker, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(_checker: TypeChecker, instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, Decimal):
        return instance.is_finite()
    return isinstance(instance, float) and math.isfinite(instance)


def _is_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or is_rfc3339_date_time(instance)


_FORMATS = FormatChecker(formats=())
_FORMATS.checks("date-time")(_is_date_time)

# types-jsonschema leaves ``extend`` unannotated; it returns a validator class.
_JsonValidator: type[Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}
    ),
)

_VALIDATORS: Mapping[str, Validator] = {
    name: _JsonValidator(schema, format_checker=_FORMATS) for name, schema in BODY_SCHEMAS.items()
}


def validate_request(request: Request, *, strict: bool = False) -> None:
    """Raise a 400 :class:`ApiError` listing every problem with ``request``.

    Checks the path parameters, the query parameters the operation knows and the body;
    returns quietly when all are acceptable. Properties the schemas do not know are
    accepted, as Talon.One does; ``strict`` refuses them (with a "did you mean" hint), to
    catch a misspelt field in a shop's tests.
    """
    if request.operation not in OPERATIONS_BY_NAME:
        raise ValueError(f"unknown operation {request.operation!r}")
    errors = [
        *_path_errors(request.path_params),
        *_query_errors(request.operation, request.query),
        *_body_errors(request, strict=strict),
    ]
    if errors:
        raise ApiError(400, _summary(errors), errors)


def _summary(errors: Sequence[Error]) -> str:
    in_body = any("pointer" in error["source"] for error in errors)
    in_parameters = any("parameter" in error["source"] for error in errors)
    if in_body and in_parameters:
        subject = "Request is invalid"
    elif in_body:
        subject = "Request body is invalid"
    else:
        subject = "Request parameters are invalid"
    if len(errors) == 1:
        return f"{subject}: {errors[0]['title']}"
    return f"{subject}: {len(errors)} problems, first: {errors[0]['title']}"


# --- parameters ---------------------------------------------------------------------------


def _parameter_error(kind: str, name: str, rule: str, value: str) -> Error:
    title = f"{kind} parameter {name}: {rule}, got {_show(value)}"
    return {"title": title, "source": {"parameter": name}}


def _path_errors(path_params: Mapping[str, str]) -> Iterator[Error]:
    for name in sorted(INTEGER_PATH_PARAMETERS & path_params.keys()):
        value = path_params[name]
        if _INTEGER.fullmatch(value) is None:
            yield _parameter_error("path", name, "must be an integer", value)


_PARAMETER_RULES: Mapping[ParameterKind, tuple[str, frozenset[str] | None]] = {
    "boolean": ("must be true or false", frozenset({"true", "false"})),
    "yes/no": ("must be yes or no", frozenset({"yes", "no"})),
    "date-time": ("must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z", None),
}


def _query_errors(operation: str, query: Mapping[str, str]) -> Iterator[Error]:
    for name, kind in QUERY_PARAMETERS.get(operation, {}).items():
        if name not in query:
            continue
        value = query[name]
        rule, allowed = _PARAMETER_RULES[kind]
        if allowed is not None:
            valid = value in allowed
        else:
            valid = is_rfc3339_date_time(value, compact_offset=True)
        if not valid:
            yield _parameter_error("query", name, rule, value)


# --- body ---------------------------------------------------------------------------------


def strict_validation(request: Request) -> None:
    """:func:`validate_request` in strict mode (``EmulatorApp(validator=...)``)."""
    validate_request(request, strict=True)


def _body_errors(request: Request, *, strict: bool) -> Iterator[Error]:
    validator = _VALIDATORS.get(request.operation)
    if validator is None:
        return
    if request.body is None:
        yield _body_error((), "a JSON body is required")
        return
    # The compiled first pass accepts a valid body at a fraction of jsonschema's cost;
    # anything it refuses gets the full walk, which names every problem.
    found: list[Problem] = []
    if not accepts(
        request.operation,
        request.body,
        strict=strict,
        date_time=_is_date_time,
        from_wire=request.from_wire,
    ):
        found = [
            (path, rule)
            for schema_error in validator.iter_errors(request.body)
            for path, rule in _convert(schema_error)
            if strict or schema_error.validator != "additionalProperties"
        ]
    found.extend(_cross_field_errors(request))
    found.sort(key=lambda problem: _sort_key(problem[0]))
    # jsonschema reports each missing required field as its own error but without naming
    # it, so every "required" error expands to all missing fields: keep one of each.
    for path, rule in dict.fromkeys(found):
        yield _body_error(path, rule)


Problem = tuple[tuple[PathPart, ...], str]
"""Where in the body (as a path) and which rule is broken."""


def _cross_field_errors(request: Request) -> Iterator[Problem]:
    """Rules a per-field schema cannot express."""
    body = request.body
    if (
        request.operation == "updateCustomerProfileV2"
        and isinstance(body, dict)
        and "responseContent" in body
        and request.query.get("runRuleEngine") != "true"
    ):
        # Today's API: without the rule engine there is nothing to extend the reply with.
        yield ("responseContent",), "is only allowed with runRuleEngine=true"


def _convert(error: ValidationError) -> Iterator[Problem]:
    path: tuple[PathPart, ...] = tuple(error.absolute_path)
    keyword, instance = error.validator, error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    if keyword == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield (*path, name), "is required"
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        known = schema.get("properties", {})
        for name in instance:
            if name not in known:
                yield (*path, name), _unknown_property(name, known)
    else:
        yield path, _rule_message(error)


def _unknown_property(name: str, known: Mapping[str, object]) -> str:
    folded = {candidate.lower().replace("_", ""): candidate for candidate in known}
    guess = folded.get(name.lower().replace("_", ""))
    if guess is None:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
        guess = close[0] if close else None
    hint = f" (did you mean {guess!r}?)" if guess else ""
    return f"unknown property{hint}"


_ARTICLE_TYPE = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _rule_message(error: ValidationError) -> str:
    keyword, instance = error.validator, error.instance
    expected: Any = error.validator_value
    got = _show(instance)
    size = len(instance) if isinstance(instance, str | list | dict) else 0
    if keyword == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_ARTICLE_TYPE.get(name, name) for name in names)
        return f"must be {wanted}, got {'string ' if isinstance(instance, str) else ''}{got}"
    if keyword == "enum":
        return f"must be one of {', '.join(_show(value) for value in expected)}; got {got}"
    if keyword == "minimum":
        return f"must be at least {expected}, got {got}"
    if keyword == "maximum":
        return f"must be at most {expected}, got {got}"
    if keyword == "minLength":
        return f"must be at least {_count(expected, 'character')} long, got {size}"
    if keyword == "maxLength":
        return f"must be at most {_count(expected, 'character')} long, got {size}"
    if keyword == "minItems":
        return f"must have at least {_count(expected, 'item')}, got {size}"
    if keyword == "maxItems":
        return f"must have at most {_count(expected, 'item')}, got {size}"
    if keyword == "uniqueItems":
        return "must not contain duplicates"
    if keyword == "format" and expected == "date-time":
        return f"must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z, got {got}"
    return str(error.message)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _show(value: object) -> str:
    """A short, JSON-flavoured rendering of an offending value for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= _MAX_SHOWN_CHARS else value[:_MAX_SHOWN_CHARS] + "…"
        return f'"{shown}"'
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, list):
        return f"an array of {_count(len(value), 'item')}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _body_error(path: Sequence[PathPart], rule: str) -> Error:
    return {
        "title": f"{_field_name(path)}: {rule}",
        "source": {"pointer": _pointer(path)},
    }


def _field_name(path: Sequence[PathPart]) -> str:
    name = ""
    for part in path:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name or "body"


def _pointer(path: Sequence[PathPart]) -> str:
    """RFC 6901 JSON pointer; ``""`` is the whole body."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _sort_key(path: Sequence[PathPart]) -> tuple[tuple[int, int, str], ...]:
    """Document order: array indexes numerically, so item 2 comes before item 10."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)
