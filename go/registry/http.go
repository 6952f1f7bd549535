package registry

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// ContentType is the media type of every answer, Confluent's.
const ContentType = "application/vnd.schemaregistry.v1+json"

// contentType is ContentType as a header value, shared by every answer
// (net/http only reads it).
var contentType = []string{ContentType}

// maxBody bounds a request body: a schema is text, and a client that sends
// more gets 413 instead of the server reading without end.
const maxBody = 8 << 20

// acceptedTypes are the request media types Confluent accepts.
var acceptedTypes = map[string]bool{
	"application/vnd.schemaregistry.v1+json": true,
	"application/vnd.schemaregistry+json":    true,
	"application/json":                       true,
	"application/octet-stream":               true,
}

// route is one path's handlers by method, so that a known path with the
// wrong method gets Confluent's 405 body rather than net/http's text.
type route map[string]http.HandlerFunc

// NewHandler serves Confluent's REST API over svc.
func NewHandler(svc *Service) http.Handler {
	h := &handler{svc: svc}
	mux := http.NewServeMux()
	routes := map[string]route{
		"/{$}":                                                 {"GET": func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, struct{}{}) }},
		"/schemas/types":                                       {"GET": func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, []string{TypeAvro}) }},
		"/schemas/ids/{id}":                                    {"GET": h.schemaByID},
		"/schemas/ids/{id}/schema":                             {"GET": h.rawSchemaByID},
		"/schemas/ids/{id}/versions":                           {"GET": h.idVersions},
		"/schemas/ids/{id}/subjects":                           {"GET": h.idSubjects},
		"/subjects":                                            {"GET": h.subjects},
		"/subjects/{subject}":                                  {"POST": h.lookup, "DELETE": h.deleteSubject},
		"/subjects/{subject}/versions":                         {"GET": h.versions, "POST": h.register},
		"/subjects/{subject}/versions/{version}":               {"GET": h.version, "DELETE": h.deleteVersion},
		"/subjects/{subject}/versions/{version}/schema":        {"GET": h.rawVersion},
		"/subjects/{subject}/versions/{version}/referencedby":  {"GET": h.referencedBy},
		"/compatibility/subjects/{subject}/versions/{version}": {"POST": h.compatibility},
		"/compatibility/subjects/{subject}/versions":           {"POST": h.compatibility},
		"/config":           {"GET": h.getConfig, "PUT": h.putConfig, "DELETE": h.deleteConfig},
		"/config/{subject}": {"GET": h.getConfig, "PUT": h.putConfig, "DELETE": h.deleteConfig},
		"/mode":             {"GET": h.mode},
		"/mode/{subject}":   {"GET": h.mode},
	}
	for pattern, methods := range routes {
		mux.HandleFunc(pattern, methods.serve)
	}
	// Everything else, /associations/... included (confluent-kafka asks it
	// first and falls back to the {topic}-value subject on a 404).
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, newError(http.StatusNotFound, CodeNotFound, "HTTP 404 Not Found"))
	})
	return mux
}

func (rt route) serve(w http.ResponseWriter, r *http.Request) {
	if f, ok := rt[r.Method]; ok {
		f(w, r)
		return
	}
	writeError(w, newError(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "HTTP 405 Method Not Allowed"))
}

type handler struct{ svc *Service }

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeAnswer(w, status, encodeAnswer(v))
}

// answer is a JSON body ready to send, with its Content-Length.
type answer struct {
	body   []byte
	length []string
	failed bool // the encoding failed: body is a 500's
}

// encodeAnswer encodes v, or the 500 that says it could not be.
func encodeAnswer(v any) answer {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error_code":500,"message":"encoding the answer failed"}`)
	}
	return answer{body: b, length: []string{strconv.Itoa(len(b))}, failed: err != nil}
}

// writeAnswer sets the headers by their canonical keys directly: Set would
// canonicalize each key and allocate each value again on every request.
func writeAnswer(w http.ResponseWriter, status int, a answer) {
	if a.failed {
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = a.length
	w.WriteHeader(status)
	_, _ = w.Write(a.body)
}

// writeError answers err as Confluent does; an error that is not an
// *Error is a server error (50001), never a hang or a dropped connection.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = storeError(err)
	}
	writeJSON(w, e.Status, map[string]any{"error_code": e.Code, "message": e.Message})
}

// readJSON decodes a request body into v: an unsupported media type is
// 415, a body that is not JSON 400 and JSON of the wrong shape 422, the
// codes Confluent's REST layer answers with.
func readJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !acceptedTypes[mt] {
			return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "HTTP 415 Unsupported Media Type: %s", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return newError(http.StatusRequestEntityTooLarge, CodeRequestEntityTooLarge, "request body larger than %d bytes", maxBody)
		}
		return newError(http.StatusBadRequest, CodeMalformedJSON, "reading the request body: %v", err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return newError(http.StatusUnprocessableEntity, CodeUnprocessableEntity, "Unrecognized request body: field %q: %v", typeErr.Field, err)
		}
		return newError(http.StatusBadRequest, CodeMalformedJSON, "Malformed JSON body: %v", err)
	}
	return nil
}

func flag(r *http.Request, name string) bool {
	v, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return v
}

func pathID(r *http.Request) (int, error) {
	raw := r.PathValue("id")
	id, err := strconv.Atoi(raw)
	if err != nil || id < 0 {
		return 0, schemaNotFound(raw)
	}
	return id, nil
}

func (h *handler) schemaByID(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var a answer
		if a, err = h.svc.schemaByIDAnswer(id); err == nil {
			writeAnswer(w, 200, a)
			return
		}
	}
	writeError(w, err)
}

func (h *handler) rawSchemaByID(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var s SchemaByID
		if s, err = h.svc.SchemaByID(id); err == nil {
			writeRaw(w, s.Schema)
			return
		}
	}
	writeError(w, err)
}

// writeRaw answers a schema's own text (the /schema routes), JSON itself.
func writeRaw(w http.ResponseWriter, text string) {
	w.Header()["Content-Type"] = contentType
	w.WriteHeader(200)
	_, _ = io.WriteString(w, text)
}

func (h *handler) idVersions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var vs []SubjectVersion
		if vs, err = h.svc.IDVersions(id, flag(r, "deleted")); err == nil {
			writeJSON(w, 200, vs)
			return
		}
	}
	writeError(w, err)
}

func (h *handler) idSubjects(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var vs []SubjectVersion
		if vs, err = h.svc.IDVersions(id, flag(r, "deleted")); err == nil {
			subjects := []string{}
			for _, v := range vs {
				if len(subjects) == 0 || subjects[len(subjects)-1] != v.Subject {
					subjects = append(subjects, v.Subject)
				}
			}
			writeJSON(w, 200, subjects)
			return
		}
	}
	writeError(w, err)
}

func (h *handler) subjects(w http.ResponseWriter, r *http.Request) {
	subjects := h.svc.Subjects(flag(r, "deleted"))
	if prefix := r.URL.Query().Get("subjectPrefix"); prefix != "" {
		kept := subjects[:0]
		for _, s := range subjects {
			if strings.HasPrefix(s, prefix) {
				kept = append(kept, s)
			}
		}
		subjects = kept
	}
	writeJSON(w, 200, subjects)
}

func (h *handler) versions(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.Versions(r.PathValue("subject"), flag(r, "deleted"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, vs)
}

func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	var req SchemaRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	id, err := h.svc.Register(r.Context(), r.PathValue("subject"), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, map[string]int{"id": id})
}

func (h *handler) lookup(w http.ResponseWriter, r *http.Request) {
	var req SchemaRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	v, err := h.svc.Lookup(r.PathValue("subject"), req, flag(r, "deleted"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, v)
}

func (h *handler) version(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Version(r.PathValue("subject"), r.PathValue("version"), flag(r, "deleted"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, v)
}

func (h *handler) rawVersion(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Version(r.PathValue("subject"), r.PathValue("version"), flag(r, "deleted"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, v.Schema)
}

func (h *handler) referencedBy(w http.ResponseWriter, r *http.Request) {
	ids, err := h.svc.ReferencedBy(r.PathValue("subject"), r.PathValue("version"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, ids)
}

func (h *handler) deleteSubject(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.DeleteSubject(r.Context(), r.PathValue("subject"), flag(r, "permanent"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, vs)
}

func (h *handler) deleteVersion(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.DeleteVersion(r.Context(), r.PathValue("subject"), r.PathValue("version"), flag(r, "permanent"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, v)
}

func (h *handler) compatibility(w http.ResponseWriter, r *http.Request) {
	var req SchemaRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	ok, why, err := h.svc.CheckCompatibility(r.PathValue("subject"), r.PathValue("version"), req)
	if err != nil {
		writeError(w, err)
		return
	}
	answer := map[string]any{"is_compatible": ok}
	if flag(r, "verbose") {
		if why == nil {
			why = []string{}
		}
		answer["messages"] = why
	}
	writeJSON(w, 200, answer)
}

// configRequest is PUT /config's body; Confluent's clients send
// "compatibility".
type configRequest struct {
	Compatibility *string `json:"compatibility"`
}

func (h *handler) getConfig(w http.ResponseWriter, r *http.Request) {
	level, err := h.svc.Level(r.PathValue("subject"), flag(r, "defaultToGlobal"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, map[string]string{"compatibilityLevel": level})
}

func (h *handler) putConfig(w http.ResponseWriter, r *http.Request) {
	var req configRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Compatibility == nil {
		writeError(w, newError(http.StatusUnprocessableEntity, CodeInvalidLevel, "Invalid compatibility level: the body has no \"compatibility\""))
		return
	}
	level, err := h.svc.SetLevel(r.Context(), r.PathValue("subject"), *req.Compatibility)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, map[string]string{"compatibility": level})
}

func (h *handler) deleteConfig(w http.ResponseWriter, r *http.Request) {
	old, err := h.svc.DeleteLevel(r.Context(), r.PathValue("subject"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, map[string]string{"compatibilityLevel": old})
}

func (h *handler) mode(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]string{"mode": h.svc.Mode(r.PathValue("subject"))})
}
