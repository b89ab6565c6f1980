"""The request guard: before any view runs, every piece of the request a user controls is held to the rules
of ``app.inputs``, and a refusal names the field (422; JSON for the API and JSON bodies, the error page
for a browser).

- Query strings, path segments, uploaded files' field names and file names: single lines, without NUL,
  unpaired surrogates or control characters; a file name of at most 255 characters.
- Form fields: no NUL, unpaired surrogate or control character; a line break or tab only in a field the view
  declares multi-line (``@lines_allowed("reason")``), or in a task form, whose schema decides per field
  (``@lines_allowed(SCHEMA)``).
- JSON bodies: read through ``app.inputs.json_body`` (depth, NaN and infinities, 64 bits, text) and at
  most ``MAX_JSON_BYTES`` long; the parsed body is what the view's ``request.get_json()`` then returns.

NUL reaching PostgreSQL is a driver error (a 500 on the login and every search); a lone surrogate cannot be
encoded at all: refusing both here closes every route at once, the ones added later too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Request, current_app, request
from flask import json as flask_json
from flask_babel import gettext as _

from app.errors import InvalidInput
from app.inputs import json_body
from app.inputs.text import escaped, file_name_problem, text_problem

SCHEMA = "*"  # every field of the view's form may span lines: its form schema checks each one
View = TypeVar("View", bound=Callable[..., Any])


def lines_allowed(*fields: str) -> Callable[[View], View]:
    """Declare the form fields of a view that may hold line breaks and tabs (a comment, a reason, a file's
    text), or ``SCHEMA`` when a form schema checks each field. Put it under the route decorator."""

    def mark(view: View) -> View:
        view.multi_line_fields = frozenset(fields)  # type: ignore[attr-defined]
        return view

    return mark


def raw_body(view: View) -> View:
    """Mark a view that reads its body's bytes itself (a signed webhook, whose signature is checked over the bytes
    before anything in them is read): the guard leaves its body alone (its path and query are still held)."""
    view.raw_body = True  # type: ignore[attr-defined]
    return view


class _GuardedJson:
    """What ``request.get_json()`` parses with: the bounded reader, Flask's writer."""

    loads = staticmethod(json_body.loads)
    dumps = staticmethod(flask_json.dumps)


class GuardedRequest(Request):
    """Reads JSON bodies with ``_GuardedJson``. Flask assigns the app's JSON provider to every request it
    opens (``request.json_module = app.json``): that assignment is ignored, bodies are read by ours."""

    @property
    def json_module(self):
        return _GuardedJson

    @json_module.setter
    def json_module(self, _provider) -> None:
        pass


def _multi_line_fields() -> frozenset[str]:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "multi_line_fields", frozenset())


def _problems() -> dict[str, str]:
    problems: dict[str, str] = {}

    def check(field: str, value: str, problem: str | None) -> None:
        if problem and escaped(field) not in problems:
            problems[escaped(field)] = problem

    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            check(name, value, text_problem(value))
    for name, value in request.args.items(multi=True):
        check(name, name, text_problem(name))
        check(name, value, text_problem(value))
    if getattr(current_app.view_functions.get(request.endpoint or ""), "raw_body", False):
        return problems
    if request.is_json:
        if (request.content_length or 0) > current_app.config["MAX_JSON_BYTES"]:
            raise InvalidInput(
                _("The request cannot be read."),
                {
                    "body": _(
                        "a JSON body of at most %(count)s bytes", count=current_app.config["MAX_JSON_BYTES"]
                    )
                },
            )
        request.get_json(silent=True)  # refuses (InvalidInput) what json_body refuses; kept for the view
    elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
        lines = _multi_line_fields()
        for name, value in request.form.items(multi=True):
            check(name, name, text_problem(name))
            check(name, value, text_problem(value, multi_line=SCHEMA in lines or name in lines))
        for name, upload in request.files.items(multi=True):
            check(name, name, text_problem(name))
            check(name, upload.filename or "", file_name_problem(upload.filename or ""))
    return problems


def guard_request() -> None:
    """The before-request hook: raise ``InvalidInput`` naming each refused field."""
    problems = _problems()
    if problems:
        field, reason = next(iter(problems.items()))
        raise InvalidInput(
            _("The request was not accepted: %(field)s %(reason)s.", field=field, reason=reason), problems
        )


def install_input_guard(app: Flask) -> None:
    app.request_class = GuardedRequest
    app.before_request(guard_request)
