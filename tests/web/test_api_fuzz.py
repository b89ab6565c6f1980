"""A bounded fuzzing run over every API operation, with bodies drawn from the OpenAPI document the API serves
(each process's start data, each task's form), so the values reach the fields. No answer may be a 500.

Each operation is fuzzed once per family of hostile values: shapes (wrong types, long text, values the
schema allows), NUL and lone surrogates, NaN and Infinity, huge integers, JSON thousands deep. Hypothesis
runs derandomized with a fixed number of examples, so CI sees the same requests every time.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.services.admin import users
from app.web.api.openapi import OPENAPI
from tests.conftest import clean_up
from tests.factories import case_at, open_task
from tests.web.route_seed import seed

EXAMPLES = 15  # per operation and family, and one with every field hostile: 800 requests in all
DEEP = "__deep_json__"  # stands for an array nested DEPTH deep, spliced into the JSON text
DEPTH = 5000
OPERATIONS = [(path, method) for path, ops in OPENAPI["paths"].items() for method in ops]
HOSTILE = {
    "shapes": st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-10, 10**6),
        st.floats(-1e6, 1e6),
        st.text(max_size=30),
        st.just("x" * 20_000),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    ),
    "nul_and_surrogates": st.sampled_from(
        ["\x00", "abc\x00def", "\ud800", "a\udfffb", "\x1b[31m", "two\nlines", "\u202e\u0000"]
    ),
    "nan_and_infinity": st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    "huge_integers": st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**30, -(10**30), 10**300]),
    "deep_json": st.just(DEEP),
}
# The value of each family put in every field of one request per operation, whatever the run draws.
WORST = {
    "shapes": "x" * 20_000,
    "nul_and_surrogates": "a\x00\ud800",
    "nan_and_infinity": float("inf"),
    "huge_integers": 10**30,
    "deep_json": DEEP,
}
# Families of hostile input that still give a 500 until the general input guard (issue 13, the `inputs`
# part: app/web/input_guard.py) is merged; the merger removes each entry with it.
_DEEP = (
    "JSON thousands deep: request.get_json() raises RecursionError in api._json_body (inputs: deep JSON "
    "refused with a 4xx)"
)
NEEDS_INPUT_GUARD: dict[
    tuple[str, str], str
] = {}  # every 500 the fuzzer found is mended (app/web/input_guard.py)


@pytest.fixture
def _clean_db():
    """The module's examples share one seeding, emptied once at the end."""
    yield


@pytest.fixture(scope="module")
def world(app):
    with app.app_context():
        seeded = seed()
        tokens = {
            name: users.issue_token(name)
            for name in ("officer", "approver1", "risk", "compliance", "designer")
        }
        document = app.test_client().get("/api/v1/openapi.json").get_json()
        yield seeded, tokens, document
        clean_up()


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def values(document: dict, schema: dict, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """Values for ``schema``: what it allows, or (at every field) a hostile value."""
    schema = resolve(document, schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([values(document, branch, hostile) for branch in schema[key]])
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        properties, required = schema.get("properties", {}), set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: values(document, prop, hostile) for name, prop in properties.items() if name in required},
            optional={
                name: values(document, prop, hostile)
                for name, prop in properties.items()
                if name not in required
            },
        )
    if "const" in schema:
        allowed = st.just(schema["const"])
    elif "enum" in schema:
        allowed = st.sampled_from(schema["enum"])
    elif kind == "array":
        allowed = st.lists(values(document, schema.get("items", {}), hostile), max_size=3)
    elif kind == "string" and "pattern" in schema:
        allowed = st.from_regex(schema["pattern"], fullmatch=True)
    elif kind == "string" and schema.get("format") == "date":
        allowed = st.dates().map(lambda day: day.isoformat())
    elif kind == "string":
        allowed = st.text(min_size=schema.get("minLength", 0), max_size=max(schema.get("minLength", 0), 40))
    elif kind == "integer":
        allowed = st.integers(schema.get("minimum", -1000), schema.get("maximum", 10**9))
    elif kind == "number":
        allowed = st.floats(schema.get("minimum", -1e9), schema.get("maximum", 1e12))
    elif kind == "boolean":
        allowed = st.booleans()
    else:
        allowed = st.none()
    return st.one_of(allowed, hostile)


def saturated(document: dict, schema: dict, value):
    """``schema``'s fullest object with ``value`` in every field (constants kept, so the request gets that far)."""
    schema = resolve(document, schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return saturated(
                document, max(schema[key], key=lambda b: len(json.dumps(resolve(document, b)))), value
            )
    if "properties" in schema:
        return {name: saturated(document, prop, value) for name, prop in schema["properties"].items()}
    return schema["const"] if "const" in schema else value


def body_text(body) -> str:
    """JSON as a hostile client writes it: NaN and Infinity as bare words, lone surrogates escaped."""
    return json.dumps(body, allow_nan=True).replace(json.dumps(DEEP), "[" * DEPTH + "]" * DEPTH)


def requests_for(path: str, body_schema: dict | None, world, hostile) -> tuple[st.SearchStrategy, tuple]:
    """(user, id in the path, body): mostly the caller who may act (a fresh intake task of the officer's each
    time, approver1's sign-off, the officer's cases) with the body for that object, else anyone at any id;
    and the fullest such request, as (user, id, body schema), to send once with a hostile value in every field."""
    seeded, tokens, document = world

    def body(schema: dict | None) -> st.SearchStrategy:
        return values(document, schema, hostile) if schema else st.none()

    def with_data(ref: str, **fixed) -> dict:
        return {"type": "object", "properties": {**fixed, "data": {"$ref": f"#/components/schemas/{ref}"}}}

    anyone = st.tuples(st.sampled_from(sorted(tokens)), st.integers(-5, 2**70), body(body_schema))
    if path == "/tasks/{id}/complete":
        fullest = ("officer", FRESH_INTAKE, with_data("Form.application_intake"))
        plausible = st.one_of(
            st.tuples(st.just("officer"), st.just(FRESH_INTAKE), body(fullest[2])),
            st.tuples(
                st.just("approver1"), st.just(seeded["sign_off_id"]), body(with_data("Form.approval_signoff"))
            ),
        )
    elif path.startswith("/tasks/{id}"):
        fullest = ("officer", FRESH_INTAKE, None)
        plausible = st.tuples(st.just("officer"), st.just(FRESH_INTAKE), st.none())
    elif path.startswith("/cases/{id}"):
        fullest = ("officer", seeded["case_id"], body_schema)
        plausible = st.tuples(
            st.sampled_from(["officer", "compliance"]),
            st.sampled_from([seeded["case_id"], seeded["withdrawn_case_id"]]),
            body(body_schema),
        )
    elif path.startswith("/customers/{id}"):  # the seeded customer is the officer's: bodies reach the checks
        fullest = ("officer", seeded["customer_id"], body_schema)
        plausible = st.tuples(
            st.sampled_from(["officer", "risk", "compliance"]),
            st.just(seeded["customer_id"]),
            body(body_schema),
        )
    else:
        fullest = (
            "officer",
            0,
            with_data("Start.credit_application", process={"const": "credit_application"})
            if path == "/cases"
            else body_schema,
        )
        plausible = st.tuples(st.sampled_from(["officer", "risk"]), st.just(0), body(body_schema))
    return st.one_of(plausible, plausible, plausible, anyone), fullest


FRESH_INTAKE = -1  # stands for the intake task of a case opened for the example


@pytest.mark.parametrize("family", list(HOSTILE))
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_api_request_is_answered_with_a_500(app, world, path, method, family, request):
    if (path, family) in NEEDS_INPUT_GUARD:
        request.applymarker(pytest.mark.xfail(reason=NEEDS_INPUT_GUARD[path, family], strict=False))
    _seeded, tokens, document = world
    operation = document["paths"][path][method]
    body_schema = (
        (operation.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
    )
    client = app.test_client()
    strategy, (user, object_id, schema) = requests_for(path, body_schema, world, HOSTILE[family])
    every_field_hostile = (user, object_id, saturated(document, schema, WORST[family]) if schema else None)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    @example(every_field_hostile)
    def fuzz(drawn):
        user, object_id, body = drawn
        db.session.rollback()  # requests share the test's session: what a failed one left must not leak on
        db.session.expunge_all()
        if object_id == FRESH_INTAKE:
            object_id = open_task(
                case_at("intake", users.get_by_username("officer")).id, "application_intake"
            ).id
        url = "/api/v1" + path.replace("{id}", str(object_id))
        sent = body_text(body) if body_schema else None
        response = client.open(
            url,
            method=method.upper(),
            data=sent,
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[user]}"},
        )
        assert response.status_code < 500, f"{method.upper()} {url} as {user} with {sent and sent[:300]!r}"

    fuzz()


def test_every_operation_of_the_served_document_is_fuzzed(world):
    _seeded, _tokens, document = world
    assert sorted(OPERATIONS) == sorted(
        (path, method) for path, ops in document["paths"].items() for method in ops
    )
