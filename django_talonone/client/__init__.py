"""Talon.One Integration API client (no Django import).

``from django_talonone.client import TalonOneClient`` and the error classes; payload
shapes for type checkers live in :mod:`django_talonone.client.types`.
"""

from __future__ import annotations

from .client import OPERATIONS, TalonOneClient
from .errors import (
    TalonOneAPIError,
    TalonOneBadRequest,
    TalonOneConfigurationError,
    TalonOneConflict,
    TalonOneConnectionError,
    TalonOneError,
    TalonOneInvalidReply,
    TalonOneNotFound,
    TalonOneRateLimited,
    TalonOneResponseError,
    TalonOneServerError,
    TalonOneTimeoutError,
    TalonOneTransportError,
    TalonOneUnauthorized,
    TalonOneValidationError,
)

__all__ = [
    "OPERATIONS",
    "TalonOneAPIError",
    "TalonOneBadRequest",
    "TalonOneClient",
    "TalonOneConfigurationError",
    "TalonOneConflict",
    "TalonOneConnectionError",
    "TalonOneError",
    "TalonOneInvalidReply",
    "TalonOneNotFound",
    "TalonOneRateLimited",
    "TalonOneResponseError",
    "TalonOneServerError",
    "TalonOneTimeoutError",
    "TalonOneTransportError",
    "TalonOneUnauthorized",
    "TalonOneValidationError",
]
