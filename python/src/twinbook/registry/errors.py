"""Confluent's error codes: the registry refuses with an HTTP status and a body
``{"error_code": N, "message": "..."}`` that clients branch on, so the codes are
Confluent's own (the Go twin is ``go/registry/errors.go``)."""

from __future__ import annotations

__all__ = [
    "RegistryError",
    "KafkaUnavailableError",
    "SUBJECT_NOT_FOUND",
    "VERSION_NOT_FOUND",
    "SCHEMA_NOT_FOUND",
    "SUBJECT_SOFT_DELETED",
    "SUBJECT_NOT_SOFT_DELETED",
    "VERSION_SOFT_DELETED",
    "VERSION_NOT_SOFT_DELETED",
    "SUBJECT_LEVEL_NOT_FOUND",
    "INCOMPATIBLE",
    "INVALID_SCHEMA",
    "INVALID_VERSION",
    "INVALID_LEVEL",
    "REFERENCE_EXISTS",
    "STORE_ERROR",
    "STORE_TIMEOUT",
    "MALFORMED_JSON",
    "UNPROCESSABLE_ENTITY",
    "UNSUPPORTED_MEDIA_TYPE",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "ENTITY_TOO_LARGE",
]

SUBJECT_NOT_FOUND = 40401
VERSION_NOT_FOUND = 40402
SCHEMA_NOT_FOUND = 40403
SUBJECT_SOFT_DELETED = 40404
SUBJECT_NOT_SOFT_DELETED = 40405
VERSION_SOFT_DELETED = 40406
VERSION_NOT_SOFT_DELETED = 40407
SUBJECT_LEVEL_NOT_FOUND = 40408
INCOMPATIBLE = 409
INVALID_SCHEMA = 42201
INVALID_VERSION = 42202
INVALID_LEVEL = 42203
REFERENCE_EXISTS = 42206
STORE_ERROR = 50001
STORE_TIMEOUT = 50002
MALFORMED_JSON = 400
UNPROCESSABLE_ENTITY = 422
UNSUPPORTED_MEDIA_TYPE = 415
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
ENTITY_TOO_LARGE = 413


class RegistryError(Exception):
    """A refusal: ``status`` is the HTTP status, ``code`` Confluent's error code."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"registry: {code} {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, object]:
        """The JSON body Confluent's clients parse."""
        return {"error_code": self.code, "message": self.message}


class KafkaUnavailableError(RuntimeError):
    """The broker did not answer within the timeout: the registry refuses to start rather
    than serve a state it could not read."""


def subject_not_found(subject: str) -> RegistryError:
    return RegistryError(404, SUBJECT_NOT_FOUND, f"Subject '{subject}' not found.")


def version_not_found(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404, VERSION_NOT_FOUND, f"Version {version} not found for subject '{subject}'."
    )


def schema_not_found(what: str) -> RegistryError:
    return RegistryError(404, SCHEMA_NOT_FOUND, f"Schema {what} not found")


def invalid_schema(why: str) -> RegistryError:
    return RegistryError(422, INVALID_SCHEMA, f"Invalid schema: {why}")


def invalid_version(version: str) -> RegistryError:
    return RegistryError(
        422,
        INVALID_VERSION,
        f"The specified version '{version}' is not a valid version id. "
        'Allowed values are between [1, 2^31-1] and the string "latest"',
    )


def invalid_level() -> RegistryError:
    return RegistryError(
        422,
        INVALID_LEVEL,
        "Invalid compatibility level. Valid values are none, backward, forward, full, "
        "backward_transitive, forward_transitive, and full_transitive",
    )


def level_not_found(subject: str) -> RegistryError:
    return RegistryError(
        404,
        SUBJECT_LEVEL_NOT_FOUND,
        f"Subject '{subject}' does not have subject-level compatibility configured",
    )


def store_error(err: object) -> RegistryError:
    return RegistryError(500, STORE_ERROR, f"Error in the backend data store: {err}")
