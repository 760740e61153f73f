"""FastAPI's request handling around pydantic, re-implemented step by step for
the two body shapes Honcho's JSON routes have, so that the answers FastAPI
gives for how a body arrives (no body, empty, `null`, content types, BOMs,
bytes that are not UTF-8) come from real pydantic and Python's json, not from
our reading of them. Used by generate_request_handling.py.

FastAPI cannot be installed here (no PyPI); each step quotes the code it
mirrors, read at these versions (Honcho's uv.lock pins them):
  fastapi 0.136.1    (git e54e5a8980ffa6d7ff68ee7b25a1c46036375521)
  starlette 1.0.0    (git 0e88e92b592bfa11fd92e331869a8d49ba34b541)
  pydantic 2.13.4 / pydantic-core 2.46.4 (installed: the real thing runs here)
  CPython 3.11 json (json.loads / json.detect_encoding: the real thing runs here)

The two routes (Honcho src/routers/messages.py):
  create: POST .../messages       `messages: schemas.MessageBatchCreate`           (required body)
  list:   POST .../messages/list  `options: schemas.MessageGet | None = Body(None)` (optional body)
Each has a single body parameter that is not embedded, so FastAPI validates
the whole body as that one field (request_body_to_args, single_not_embedded_field).

Path parameters: FastAPI declares them `str = Path(...)`, which any path
segment passes. The create route checks them with models.py's Name rule
besides, as the conformance file has it (a new session is named there); the
list route takes them as they are, as Honcho does (a name no session has is
an empty page)."""
import email.message
import json
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined as Undefined

import models


class MessageGet(BaseModel):
    """Honcho src/schemas/api.py: class MessageGet(MessageBase) (MessageBase is a bare BaseModel)."""
    filters: dict[str, Any] | None = None


class Answer(Exception):
    """An HTTP answer: status and JSON body (errors), or the value the endpoint would get (success)."""

    def __init__(self, status: int, body: Any = None, value: Any = None):
        super().__init__(status)
        self.status, self.body, self.value = status, body, value


def _model_field(annotation, **field_kwargs) -> TypeAdapter:
    # fastapi/_compat/v2.py ModelField.__post_init__:
    #   self._type_adapter = TypeAdapter(Annotated[annotated_args], config=self.config)
    #   with annotated_args = (annotation, *metadata, Field(**attributes))
    return TypeAdapter(Annotated[annotation, Field(**field_kwargs)])


ROUTES = {
    "create": {"field": _model_field(models.MessageBatchCreate), "required": True, "default": None, "status": 201},
    "list": {"field": _model_field(MessageGet | None, default=None), "required": False, "default": None, "status": 200},
}


def read_body(content_type: str | None, body_bytes: bytes) -> Any:
    """fastapi/routing.py get_request_handler, app(), "Read body and auto-close files"
    (strict_content_type is True by default: Default(True); Honcho never sets it):

            body: Any = None
            if body_field:
                if is_body_form: ...                      # not a Form body: skipped
                else:
                    body_bytes = await request.body()
                    if body_bytes:
                        json_body: Any = Undefined
                        content_type_value = request.headers.get("content-type")
                        if not content_type_value:
                            if not actual_strict_content_type:
                                json_body = await request.json()
                        else:
                            message = email.message.Message()
                            message["content-type"] = content_type_value
                            if message.get_content_maintype() == "application":
                                subtype = message.get_content_subtype()
                                if subtype == "json" or subtype.endswith("+json"):
                                    json_body = await request.json()
                        if json_body != Undefined:
                            body = json_body
                        else:
                            body = body_bytes
        except json.JSONDecodeError as e:
            validation_error = RequestValidationError([{"type": "json_invalid", "loc": ("body", e.pos),
                "msg": "JSON decode error", "input": {}, "ctx": {"error": e.msg}}], body=e.doc, ...)
            raise validation_error from e
        except HTTPException: raise
        except Exception as e:
            http_error = HTTPException(status_code=400, detail="There was an error parsing the body")
            raise http_error from e

    Starlette 1.0.0 requests.py: `async def json(self): ... body = await self.body(); self._json = json.loads(body)`
    (json.loads on bytes: json.detect_encoding, then .decode(encoding, 'surrogatepass'))."""
    strict_content_type = True
    try:
        body: Any = None
        if body_bytes:
            json_body: Any = Undefined
            content_type_value = content_type
            if not content_type_value:
                if not strict_content_type:
                    json_body = models.loads_like_fastapi(body_bytes)
            else:
                message = email.message.Message()
                message["content-type"] = content_type_value
                if message.get_content_maintype() == "application":
                    subtype = message.get_content_subtype()
                    if subtype == "json" or subtype.endswith("+json"):
                        # json.loads(bytes), with the recursion headroom FastAPI's frames leave
                        json_body = models.loads_like_fastapi(body_bytes)
            if json_body != Undefined:
                body = json_body
            else:
                body = body_bytes
        return body
    except json.JSONDecodeError as e:
        errors = [{"type": "json_invalid", "loc": ("body", e.pos), "msg": "JSON decode error", "input": {}, "ctx": {"error": e.msg}}]
        raise Answer(*_validation_answer(errors))
    except Exception:  # UnicodeDecodeError, RecursionError, int() digit limit
        raise Answer(400, {"detail": "There was an error parsing the body"})


def _missing(loc: tuple) -> dict:
    """fastapi/_compat/v2.py get_missing_field_error:
        error = ValidationError.from_exception_data("Field required", [{"type": "missing", "loc": loc, "input": {}}]).errors(include_url=False)[0]
        error["input"] = None"""
    error = ValidationError.from_exception_data("Field required", [{"type": "missing", "loc": loc, "input": {}}]).errors(include_url=False)[0]
    error["input"] = None
    return error


def validate_body(route: dict, value: Any) -> tuple[Any, list]:
    """fastapi/dependencies/utils.py request_body_to_args, single_not_embedded_field branch:
            loc: tuple[str, ...] = ("body",)
            v_, errors_ = _validate_value_with_model_field(field=first_field, value=body_to_process, values=values, loc=loc)
    _validate_value_with_model_field:
        if value is None:
            if field.field_info.is_required(): return None, [get_missing_field_error(loc=loc)]
            else: return deepcopy(field.default), []
        return field.validate(value, values, loc=loc)
    fastapi/_compat/v2.py ModelField.validate:
        return (self._type_adapter.validate_python(value, from_attributes=True), [])
        except ValidationError as exc:
            return None, _regenerate_error_with_loc(errors=exc.errors(include_url=False), loc_prefix=loc)
    _regenerate_error_with_loc: [{**err, "loc": loc_prefix + err.get("loc", ())} for err in errors]"""
    loc = ("body",)
    if value is None:
        if route["required"]:
            return None, [_missing(loc)]
        return route["default"], []
    try:
        return route["field"].validate_python(value, from_attributes=True), []
    except ValidationError as exc:
        return None, [{**err, "loc": loc + err.get("loc", ())} for err in exc.errors(include_url=False)]


def _jsonable(v: Any) -> Any:
    """The part of fastapi/encoders.py jsonable_encoder these details reach:
    ENCODERS_BY_TYPE[bytes] = lambda o: o.decode()  (strict UTF-8: raises on other bytes),
    an exception in ctx becomes {} (dict() fails, vars() of a bare ValueError is {}), tuples become lists."""
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, bytes):
        # FastAPI's encoder does v.decode(), which raises on bytes that are not
        # UTF-8, and Honcho's catch-all handler then answers 500 for what is
        # the client's mistake. Deliberately not copied: the service answers the
        # 422 FastAPI meant, the undecodable bytes replaced by U+FFFD.
        return v.decode("utf-8", "replace")
    if isinstance(v, Exception):
        return {}
    return v


def _validation_answer(errors: list) -> tuple[int, Any]:
    """fastapi/exception_handlers.py request_validation_exception_handler:
        return JSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})
    starlette 1.0.0 responses.py JSONResponse.render:
        json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")
    Anything raised there reaches ServerErrorMiddleware, whose handler is Honcho's
    @app.exception_handler(Exception) (src/main.py): 500 {"detail": "An unexpected error occurred"}."""
    try:
        content = {"detail": _jsonable(errors)}
        json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")
        return 422, content
    except Exception:
        return 500, {"detail": "An unexpected error occurred"}


def handle(route_name: str, workspace_id: str, session_id: str, content_type: str | None, body_bytes: bytes) -> Answer:
    """One request: body first (routing.py reads it before solve_dependencies), then
    solve_dependencies' order, `errors += path_errors + query_errors + ...` then
    `errors.extend(body_errors)`; any error → RequestValidationError."""
    route = ROUTES[route_name]
    try:
        body = read_body(content_type, body_bytes)
    except Answer as a:
        return a
    errors: list = []
    for name, value in (("workspace_id", workspace_id), ("session_id", session_id)) if route_name == "create" else ():
        try:
            models._name.validate_python(value)
        except ValidationError as e:
            errors += [{**err, "loc": ("path", name) + err.get("loc", ())} for err in e.errors(include_url=False)]
    value, body_errors = validate_body(route, body)
    errors.extend(body_errors)
    if errors:
        return Answer(*_validation_answer(errors))
    return Answer(route["status"], value=value)
