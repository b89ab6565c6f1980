"""The pieces every path of the OpenAPI document uses: the error body, the answers each status code means
(and the 503 any operation may give), a JSON answer, an id in the path, a parameter in the query string."""

ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

# The database cannot be reached, or the audit log is held too long by another process: nothing was saved.
UNAVAILABLE = {
    "description": "the database is unreachable or busy; nothing was saved: retry after the seconds given",
    "headers": {
        "Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}

ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def responses(ok: dict, *codes: int) -> dict:
    """The answers of an operation: ``ok`` (a 200, or a dict of its own codes such as a 201) and the error
    ``codes`` it may give, each with the Error body; every operation may also give the 503."""
    texts = {
        401: "no valid bearer token",
        403: "not allowed (role, group, 审贷分离, authority level)",
        404: "no such object",
        409: "the task or case was changed by someone else; nothing was changed",
        422: "invalid data; errors name each field",
    }
    out = {"200": ok} if "description" in ok else ok
    for code in codes:
        out[str(code)] = {
            "description": texts[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    out["503"] = {"$ref": "#/components/responses/Unavailable"}  # any operation, when the database is away
    return out


def json_answer(schema: dict, description: str) -> dict:
    """An answer with a JSON body of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query(name: str, schema: dict, description: str) -> dict:
    """An optional parameter of the query string."""
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
