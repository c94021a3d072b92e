"""The one exception emulator handlers raise to answer with a Talon.One error body."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error reply, shaped like Talon.One's ``ErrorResponse(WithStatus)``.

    ``errors`` holds APIError dicts: ``{"title": ..., "details": ..., "source": {...}}``.
    ``source`` must carry exactly one of ``pointer`` (a JSON pointer into the body, such as
    ``/customerSession/cartItems/0/sku``), ``parameter`` (a query or path parameter name)
    or ``line``.
    """

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


def field_error(
    status: int, message: str, *, pointer: str | None = None, parameter: str | None = None
) -> ApiError:
    """Build an :class:`ApiError` naming one offending body field or parameter."""
    if (pointer is None) == (parameter is None):
        raise ValueError("give exactly one of pointer= or parameter=")
    source: dict[str, str] = (
        {"pointer": pointer} if pointer is not None else {"parameter": str(parameter)}
    )
    return ApiError(status, message, [{"title": message, "source": source}])


def not_found(what: str, ident: object, *, parameter: str) -> ApiError:
    """404 for an unknown entity named by a path parameter."""
    return field_error(404, f"{what} {ident!r} not found", parameter=parameter)


def conflict_busy(kind: str) -> ApiError:
    """The 409 Talon.One sends when another request is updating the same entity."""
    return ApiError(409, f"Too many requests are updating this {kind} at the same time")


def unknown_session(session_id: object) -> ApiError:
    """400 for a session that does not exist: the only error GetCustomerSession and
    ReturnCartItems declare for it (no source shows the real service answering 404)."""
    return field_error(
        400, f"Customer session {session_id!r} not found", parameter="customerSessionId"
    )
