"""The OpenAPI description of the read-only data API (served at /api/v1/openapi.json)."""

DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}
STATUS = {
    "type": "object",
    "description": "the row's bucket, as the Government Office's reports count them, and the «có vướng mắc» flag",
    "required": ["code", "label", "overdue", "blocked"],
    "properties": {"code": {"type": "string", "enum": ["done_on_time", "done_late", "pending", "overdue", "waiting",
                                                       "recurring"]},
                   "label": {"type": "string"}, "overdue": {"type": "boolean"}, "blocked": {"type": "boolean"}},
}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def _list(ref: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}


def _ok(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _ok({"$ref": "#/components/schemas/Error"}, "No valid token"),
    "404": _ok({"$ref": "#/components/schemas/Error"}, "Not found, or outside the token's scope"),
}
PLAN_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}

SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Plan tracker data API",
        "version": "1.0.0",
        "description": "Read-only data of the plans, scoped by the same policy as the pages: a unit's "
                       "token sees the rows its unit leads or supports. Send `Authorization: Bearer <token>`.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"token": []}],
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": ERROR,
            "Plan": {
                "type": "object",
                "required": ["code", "number", "title", "issuer", "issued_on", "active", "extra_columns"],
                "properties": {"code": {"type": "string"}, "number": {"type": "string"}, "title": {"type": "string"},
                               "issuer": {"type": "string"}, "issued_on": NULLABLE_DATE, "active": {"type": "boolean"},
                               "extra_columns": {"type": "array", "items": {"type": "string"}}},
            },
            "Section": {
                "type": "object",
                "required": ["code", "stt", "title", "parent"],
                "properties": {"code": {"type": "string"}, "stt": {"type": "string"}, "title": {"type": "string"},
                               "parent": {"type": "string", "nullable": True}},
            },
            "Unit": {
                "type": "object",
                "required": ["code", "name", "short_name", "kind", "parent", "active"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                               "short_name": {"type": "string"}, "kind": {"type": "string"},
                               "parent": {"type": "string", "nullable": True}, "active": {"type": "boolean"}},
            },
            "Assignment": {
                "type": "object",
                "required": ["unit", "unit_name", "role", "phrase", "status", "percent", "updated_at", "files"],
                "properties": {"unit": {"type": "string"}, "unit_name": {"type": "string"},
                               "role": {"type": "string", "enum": ["lead", "support"]}, "phrase": {"type": "string"},
                               "status": STATUS, "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                               "updated_at": {"type": "string", "format": "date-time", "nullable": True},
                               "files": _list("File")},
            },
            "File": {
                "type": "object",
                "description": "An evidence file attached to the unit's report; the url opens it for a signed-in user "
                               "who may see the report.",
                "required": ["name", "type", "size", "sha256", "uploaded_at", "url"],
                "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                               "size": {"type": "integer", "minimum": 1},
                               "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                               "uploaded_at": {"type": "string", "format": "date-time"},
                               "url": {"type": "string"}},
            },
            "Task": {
                "type": "object",
                "required": ["ref", "section", "stt", "content", "lead", "support", "timeframe", "product", "extra",
                             "due_on", "starts_on", "recurrence", "status", "assignments"],
                "properties": {"ref": {"type": "string"}, "section": {"type": "string"}, "stt": {"type": "string"},
                               "content": {"type": "string"}, "lead": {"type": "string"},
                               "support": {"type": "string"}, "timeframe": {"type": "string"},
                               "product": {"type": "string"},
                               "extra": {"type": "object", "additionalProperties": {"type": "string"},
                                         "description": "the appendix's other columns, by their titles"},
                               "due_on": NULLABLE_DATE, "starts_on": NULLABLE_DATE,
                               "recurrence": {"type": "string",
                                              "enum": ["", "continuous", "yearly", "half_yearly", "quarterly",
                                                       "monthly"]},
                               "status": STATUS,
                               "assignments": _list("Assignment")},
            },
            "Period": {
                "type": "object",
                "required": ["id", "label", "kind", "starts_on", "ends_on", "deadline", "closed"],
                "properties": {"id": {"type": "integer"}, "label": {"type": "string"}, "kind": {"type": "string"},
                               "starts_on": DATE, "ends_on": DATE, "deadline": DATE, "closed": {"type": "boolean"}},
            },
            "IndicatorValue": {
                "type": "object",
                "required": ["unit", "value", "source"],
                "properties": {"unit": {"type": "string"}, "value": {"type": "number"}, "source": {"type": "string"}},
            },
            "Indicator": {
                "type": "object",
                "required": ["id", "task", "name", "target_value", "unit_of_measure", "direction", "level",
                             "target_date", "yearly_step", "actual", "progress", "values"],
                "properties": {"id": {"type": "integer"}, "task": {"type": "string"}, "name": {"type": "string"},
                               "target_value": {"type": "number"}, "unit_of_measure": {"type": "string"},
                               "direction": {"type": "string", "enum": [">=", "<="]}, "level": {"type": "string"},
                               "target_date": NULLABLE_DATE, "yearly_step": {"type": "number", "nullable": True},
                               "actual": {"type": "number", "nullable": True}, "progress": {"type": "string"},
                               "values": _list("IndicatorValue")},
            },
        },
    },
    "paths": {
        "/plans": {"get": {"summary": "The plans", "responses": {"200": _ok(_list("Plan"), "Plans"), **ERRORS}}},
        "/units": {"get": {"summary": "The units, in the Vietnamese alphabetical order of their names",
                           "responses": {"200": _ok(_list("Unit"), "Units"), **ERRORS}}},
        "/plans/{code}/sections": {"get": {"summary": "A plan's sections", "parameters": [PLAN_CODE],
                                           "responses": {"200": _ok(_list("Section"), "Sections"), **ERRORS}}},
        "/plans/{code}/tasks": {"get": {"summary": "The rows the token may see, with assignments and status",
                                        "parameters": [PLAN_CODE],
                                        "responses": {"200": _ok(_list("Task"), "Rows"), **ERRORS}}},
        "/plans/{code}/tasks/{ref}": {"get": {
            "summary": "One row", "parameters": [PLAN_CODE, {"name": "ref", "in": "path", "required": True,
                                                             "schema": {"type": "string"}}],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Task"}, "A row"), **ERRORS}}},
        "/plans/{code}/periods": {"get": {"summary": "A plan's reporting periods", "parameters": [PLAN_CODE],
                                          "responses": {"200": _ok(_list("Period"), "Periods"), **ERRORS}}},
        "/plans/{code}/indicators": {"get": {
            "summary": "Indicators with their figures in a period (default: the open one)",
            "parameters": [PLAN_CODE, {"name": "period", "in": "query", "required": False,
                                       "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}],
            "responses": {"200": _ok(_list("Indicator"), "Indicators"),
                          "400": _ok({"$ref": "#/components/schemas/Error"}, "A period that is not an id"),
                          **ERRORS}}},
    },
}
