package registry

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an answer the registry refuses with: an HTTP status and
// Confluent's error code and message, the body clients parse
// ({"error_code": Code, "message": Message}). Clients branch on Code, so
// the codes are Confluent's own.
type Error struct {
	Status  int
	Code    int
	Message string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("registry: %d %s", e.Code, e.Message) }

// Is makes errors.Is match two errors with the same Code, so that callers
// can test for a kind of refusal: errors.Is(err, registry.ErrSubjectNotFound).
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Confluent's error codes: the first three digits are the HTTP status.
const (
	CodeSubjectNotFound       = 40401
	CodeVersionNotFound       = 40402
	CodeSchemaNotFound        = 40403
	CodeSubjectSoftDeleted    = 40404
	CodeSubjectNotSoftDeleted = 40405
	CodeVersionSoftDeleted    = 40406
	CodeVersionNotSoftDeleted = 40407
	CodeSubjectLevelNotFound  = 40408
	CodeIncompatible          = 409
	CodeInvalidSchema         = 42201
	CodeInvalidVersion        = 42202
	CodeInvalidLevel          = 42203
	CodeStoreError            = 50001
	CodeStoreTimeout          = 50002
	CodeMalformedJSON         = 400
	CodeUnprocessableEntity   = 422
	CodeUnsupportedMediaType  = 415
	CodeNotFound              = 404
	CodeMethodNotAllowed      = 405
	CodeRequestEntityTooLarge = 413
	CodeReferenceExists       = 42206
)

// Sentinels for errors.Is; the errors the service returns carry a message
// naming the subject, version or id.
var (
	ErrSubjectNotFound = &Error{Status: http.StatusNotFound, Code: CodeSubjectNotFound}
	ErrVersionNotFound = &Error{Status: http.StatusNotFound, Code: CodeVersionNotFound}
	ErrSchemaNotFound  = &Error{Status: http.StatusNotFound, Code: CodeSchemaNotFound}
	ErrIncompatible    = &Error{Status: http.StatusConflict, Code: CodeIncompatible}
	ErrInvalidSchema   = &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidSchema}
	ErrInvalidVersion  = &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidVersion}
	ErrInvalidLevel    = &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidLevel}
	ErrStore           = &Error{Status: http.StatusInternalServerError, Code: CodeStoreError}
)

func newError(status, code int, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func subjectNotFound(subject string) *Error {
	return newError(http.StatusNotFound, CodeSubjectNotFound, "Subject '%s' not found.", subject)
}

func versionNotFound(subject string, version int) *Error {
	return newError(http.StatusNotFound, CodeVersionNotFound, "Version %d not found for subject '%s'.", version, subject)
}

func schemaNotFound(what string) *Error {
	return newError(http.StatusNotFound, CodeSchemaNotFound, "Schema %s not found", what)
}

func invalidSchema(format string, args ...any) *Error {
	return newError(http.StatusUnprocessableEntity, CodeInvalidSchema, "Invalid schema: "+format, args...)
}

func invalidVersion(v string) *Error {
	return newError(http.StatusUnprocessableEntity, CodeInvalidVersion,
		"The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", v)
}

func storeError(err error) *Error {
	return newError(http.StatusInternalServerError, CodeStoreError, "Error in the backend data store: %v", err)
}
