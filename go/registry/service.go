package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxReferenceDepth bounds how deep references may nest, so that a cycle
// of references (which the registry cannot create, but a hand-written
// topic could hold) ends in an error, not a stack overflow.
const maxReferenceDepth = 32

// Service is the registry's rules over a Store: one global sequence of
// schema ids (the same schema under two subjects has one id), versions per
// subject, deduplication on the normalized form, compatibility levels,
// soft and hard deletes. Reads never wait for the store; writes are
// serialized, appended to the store and acknowledged, then applied.
type Service struct {
	check   Checker
	store   Store
	timeout time.Duration

	writeMu sync.Mutex // one write at a time: a write reads the state it changes
	mu      sync.RWMutex
	st      state
	parsed  sync.Map // schema id -> Parsed, so a history is parsed once
}

// state is what the log says: applying a record changes it, nothing else
// does.
type state struct {
	subjects map[string]map[int]*SchemaValue // subject -> version -> value
	ids      map[int]*SchemaValue            // id -> the first value registered with it
	// answers holds GET /schemas/ids/{id}'s body for each id in ids,
	// encoded once when the id arrives: the hottest read of a registry
	// (every consumer's first record of a schema) then encodes nothing.
	answers map[int]answer
	keys    map[string]int // dedup key -> id
	maxID   int
	global  string            // "" means DefaultLevel
	levels  map[string]string // subject -> level
	modes   map[string]string // "" is the global mode
}

// Options configure a Service.
type Options struct {
	// Timeout bounds each write to the store and the initial load
	// (default 10s): a broker that is gone gets an error, not a hang.
	Timeout time.Duration
}

// New loads the store's log and returns the service it describes.
func New(ctx context.Context, store Store, check Checker, opts Options) (*Service, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	s := &Service{check: check, store: store, timeout: opts.Timeout, st: state{
		subjects: map[string]map[int]*SchemaValue{},
		ids:      map[int]*SchemaValue{},
		answers:  map[int]answer{},
		keys:     map[string]int{},
		levels:   map[string]string{},
		modes:    map[string]string{},
	}}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	err := store.Load(ctx, func(rec Record) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.apply(rec)
	})
	if err != nil {
		return nil, fmt.Errorf("registry: load the store: %w", err)
	}
	return s, nil
}

// apply changes the state by one record; the caller holds s.mu.
func (s *Service) apply(rec Record) error {
	st := &s.st
	subject := ""
	if rec.Key.Subject != nil {
		subject = *rec.Key.Subject
	}
	switch rec.Key.KeyType {
	case KeySchema:
		if rec.Value == nil {
			s.removeVersion(subject, rec.Key.Version)
			return nil
		}
		var v SchemaValue
		if err := json.Unmarshal(rec.Value, &v); err != nil {
			return fmt.Errorf("registry: SCHEMA record of %q version %d: %w", subject, rec.Key.Version, err)
		}
		if st.subjects[v.Subject] == nil {
			st.subjects[v.Subject] = map[int]*SchemaValue{}
		}
		st.subjects[v.Subject][v.Version] = &v
		if _, ok := st.ids[v.ID]; !ok {
			st.ids[v.ID] = &v
			st.answers[v.ID] = encodeAnswer(SchemaByID{SchemaType: v.SchemaType,
				References: v.References, Schema: v.Schema})
		}
		st.keys[s.dedupKey(v.SchemaType, v.Schema, v.References)] = v.ID
		st.maxID = max(st.maxID, v.ID)
	case KeyConfig:
		if rec.Value == nil {
			if subject == "" {
				st.global = ""
			} else {
				delete(st.levels, subject)
			}
			return nil
		}
		var c ConfigValue
		if err := json.Unmarshal(rec.Value, &c); err != nil {
			return fmt.Errorf("registry: CONFIG record of %q: %w", subject, err)
		}
		if subject == "" {
			st.global = c.CompatibilityLevel
		} else {
			st.levels[subject] = c.CompatibilityLevel
		}
	case KeyMode:
		if rec.Value == nil {
			delete(st.modes, subject)
			return nil
		}
		var m ModeValue
		if err := json.Unmarshal(rec.Value, &m); err != nil {
			return fmt.Errorf("registry: MODE record of %q: %w", subject, err)
		}
		st.modes[subject] = m.Mode
	case KeyDeleteSubject:
		var d DeleteSubjectValue
		if rec.Value == nil {
			return nil
		}
		if err := json.Unmarshal(rec.Value, &d); err != nil {
			return fmt.Errorf("registry: DELETE_SUBJECT record of %q: %w", subject, err)
		}
		for n, v := range st.subjects[d.Subject] {
			if n <= d.Version {
				c := *v
				c.Deleted = true
				st.subjects[d.Subject][n] = &c
			}
		}
	case KeyClearSubject:
		for n, v := range st.subjects[subject] {
			if v.Deleted {
				s.removeVersion(subject, n)
			}
		}
	}
	// NOOP and the kinds this registry does not know change nothing.
	return nil
}

// removeVersion applies a hard delete; an id no version uses any more is
// forgotten, as Confluent's is.
func (s *Service) removeVersion(subject string, version int) {
	st := &s.st
	v, ok := st.subjects[subject][version]
	if !ok {
		return
	}
	delete(st.subjects[subject], version)
	if len(st.subjects[subject]) == 0 {
		delete(st.subjects, subject)
	}
	for _, versions := range st.subjects {
		for _, other := range versions {
			if other.ID == v.ID {
				return
			}
		}
	}
	delete(st.ids, v.ID)
	delete(st.answers, v.ID)
	for k, id := range st.keys {
		if id == v.ID {
			delete(st.keys, k)
		}
	}
	s.parsed.Delete(v.ID)
}

// dedupKey is what two registrations of the same schema share: the type,
// the normalized form and the references. A text the checker cannot parse
// (a record another registry wrote) keys on its raw text.
func (s *Service) dedupKey(schemaType, text string, refs []Reference) string {
	canonical := "raw:" + text
	if p, err := s.parseWith(text, refs, 0); err == nil {
		canonical = p.Canonical()
	}
	return s.dedupKeyOf(schemaType, canonical, refs)
}

func (s *Service) dedupKeyOf(schemaType, canonical string, refs []Reference) string {
	if schemaType == "" {
		schemaType = TypeAvro
	}
	if len(refs) == 0 {
		refs = []Reference{} // no references, whether sent as [] or left out
	}
	r, _ := json.Marshal(refs)
	return schemaType + "\x00" + canonical + "\x00" + string(r)
}

// parseWith parses text with the schemas its references name, found in
// the state; the caller holds s.mu (for reading or writing).
func (s *Service) parseWith(text string, refs []Reference, depth int) (Parsed, error) {
	if depth > maxReferenceDepth {
		return nil, errors.New("references nest too deep (a cycle?)")
	}
	parsedRefs := make([]Parsed, 0, len(refs))
	for _, ref := range refs {
		v := s.resolveReference(ref)
		if v == nil {
			return nil, fmt.Errorf("reference %q: subject %q version %d not found", ref.Name, ref.Subject, ref.Version)
		}
		p, err := s.parsedValue(v, depth+1)
		if err != nil {
			return nil, fmt.Errorf("reference %q: %w", ref.Name, err)
		}
		parsedRefs = append(parsedRefs, p)
	}
	return s.check.Parse(text, parsedRefs)
}

// resolveReference finds the version a reference names (version -1: the
// latest).
func (s *Service) resolveReference(ref Reference) *SchemaValue {
	if ref.Version == -1 {
		return s.latest(ref.Subject, false)
	}
	return s.st.subjects[ref.Subject][ref.Version]
}

// parsedValue returns a registered schema parsed, from the cache by id.
func (s *Service) parsedValue(v *SchemaValue, depth int) (Parsed, error) {
	if p, ok := s.parsed.Load(v.ID); ok {
		return p.(Parsed), nil
	}
	p, err := s.parseWith(v.Schema, v.References, depth)
	if err != nil {
		return nil, err
	}
	s.parsed.Store(v.ID, p)
	return p, nil
}

// versions returns a subject's versions in order, soft-deleted ones only
// when deleted is true.
func (s *Service) versions(subject string, deleted bool) []*SchemaValue {
	var out []*SchemaValue
	for _, v := range s.st.subjects[subject] {
		if deleted || !v.Deleted {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

func (s *Service) latest(subject string, deleted bool) *SchemaValue {
	vs := s.versions(subject, deleted)
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

// level returns the level that applies to subject: its own, else the
// global one.
func (s *Service) level(subject string) string {
	if l, ok := s.st.levels[subject]; ok && subject != "" {
		return l
	}
	if s.st.global != "" {
		return s.st.global
	}
	return DefaultLevel
}

// commit appends recs to the store, then applies them: a record is in the
// state only once the store has acknowledged it.
func (s *Service) commit(ctx context.Context, recs ...Record) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.store.Append(ctx, recs...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return newError(http.StatusInternalServerError, CodeStoreTimeout, "Write to the backend data store timed out: %v", err)
		}
		return storeError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range recs {
		if err := s.apply(rec); err != nil {
			return storeError(err)
		}
	}
	return nil
}

func checkType(schemaType string) error {
	if schemaType != "" && schemaType != TypeAvro {
		return invalidSchema("schema type %s is not supported by this registry (AVRO only)", schemaType)
	}
	return nil
}

// parseRequest checks a request's type and parses its schema with its
// references; the caller holds s.mu for reading.
func (s *Service) parseRequest(req SchemaRequest) (Parsed, string, error) {
	if err := checkType(req.SchemaType); err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(req.Schema) == "" {
		return nil, "", invalidSchema("empty schema")
	}
	p, err := s.parseWith(req.Schema, req.References, 0)
	if err != nil {
		return nil, "", invalidSchema("%v", err)
	}
	return p, s.dedupKeyOf(req.SchemaType, p.Canonical(), req.References), nil
}

// Register registers req under subject and returns its id: the id the
// subject already has for the same (normalized) schema, adding no version;
// else a new version, after the subject's compatibility level allowed it
// (409 otherwise, and nothing written).
func (s *Service) Register(ctx context.Context, subject string, req SchemaRequest) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// docs:start register
	s.mu.RLock()
	p, key, err := s.parseRequest(req)
	if err != nil {
		s.mu.RUnlock()
		return 0, err
	}
	live := s.versions(subject, false)
	for _, v := range live { // the same schema, however spelled: its id again
		if s.dedupKey(v.SchemaType, v.Schema, v.References) == key {
			s.mu.RUnlock()
			return v.ID, nil
		}
	}
	level := s.level(subject)
	existing, err := s.parsedHistory(subject, live)
	id, version := s.nextIDs(subject, key)
	s.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	if !s.check.Compatible(level, p, existing) {
		return 0, s.incompatible(subject, level, p, existing, live)
	}
	value := newVersion(subject, version, id, req)
	if err := s.commit(ctx, schemaRecord(value)); err != nil {
		return 0, err
	}
	return id, nil
	// docs:end register
}

// newVersion is the record of a new version, as Confluent writes it: it
// leaves the default schema type (AVRO) out.
func newVersion(subject string, version, id int, req SchemaRequest) SchemaValue {
	schemaType := req.SchemaType
	if schemaType == TypeAvro {
		schemaType = ""
	}
	return SchemaValue{Subject: subject, Version: version, ID: id,
		SchemaType: schemaType, References: req.References, Schema: req.Schema}
}

// parsedHistory parses the subject's live versions, oldest first, for the
// compatibility check; a stored version that no longer parses is the
// store's fault, not the caller's. Callers hold s.mu.
func (s *Service) parsedHistory(subject string, live []*SchemaValue) ([]Parsed, error) {
	existing := make([]Parsed, 0, len(live))
	for _, v := range live {
		ep, err := s.parsedValue(v, 0)
		if err != nil {
			return nil, storeError(fmt.Errorf("version %d of %q does not parse: %w",
				v.Version, subject, err))
		}
		existing = append(existing, ep)
	}
	return existing, nil
}

// nextIDs is the id a schema with this normalized key gets (the one it
// already has under any subject, else the next free one) and the subject's
// next version number (after soft-deleted ones too, as Confluent counts).
// Callers hold s.mu.
func (s *Service) nextIDs(subject, key string) (id, version int) {
	id, known := s.st.keys[key]
	if !known {
		id = s.st.maxID + 1
	}
	version = 1
	if all := s.versions(subject, true); len(all) > 0 {
		version = all[len(all)-1].Version + 1
	}
	return id, version
}

// incompatible is the 409 of a refused registration, with the first
// incompatibility found when there is one to name.
func (s *Service) incompatible(subject, level string, p Parsed, existing []Parsed,
	live []*SchemaValue) error {
	msg := fmt.Sprintf("Schema being registered is incompatible with an earlier "+
		"schema for subject \"%s\" (level %s)", subject, level)
	if why := s.why(level, p, existing, live); why != "" {
		msg += ": " + why
	}
	return newError(http.StatusConflict, CodeIncompatible, "%s", msg)
}

// Lookup finds req among subject's versions (soft-deleted ones too when
// deleted is true): 40401 for an unknown subject, 40403 when the subject
// does not have the schema.
func (s *Service) Lookup(subject string, req SchemaRequest, deleted bool) (SchemaVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.versions(subject, deleted)
	if len(vs) == 0 {
		return SchemaVersion{}, subjectNotFound(subject)
	}
	_, key, err := s.parseRequest(req)
	if err != nil {
		return SchemaVersion{}, err
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if v := vs[i]; s.dedupKey(v.SchemaType, v.Schema, v.References) == key {
			return versionOf(v), nil
		}
	}
	return SchemaVersion{}, schemaNotFound("not found under subject '" + subject + "'")
}

func versionOf(v *SchemaValue) SchemaVersion {
	return SchemaVersion{Subject: v.Subject, Version: v.Version, ID: v.ID, SchemaType: v.SchemaType,
		References: v.References, Schema: v.Schema, Deleted: v.Deleted}
}

// ParseVersion reads a version as the API spells it: a number from 1, or
// "latest" (also -1), which it returns as -1.
func ParseVersion(s string) (int, error) {
	if s == "latest" {
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n == 0 || n < -1 {
		return 0, invalidVersion(s)
	}
	return n, nil
}

// find returns one version of subject; the caller holds s.mu.
func (s *Service) find(subject, version string, deleted bool) (*SchemaValue, error) {
	n, err := ParseVersion(version)
	if err != nil {
		return nil, err
	}
	vs := s.versions(subject, deleted)
	if len(vs) == 0 {
		return nil, subjectNotFound(subject)
	}
	if n == -1 {
		return vs[len(vs)-1], nil
	}
	for _, v := range vs {
		if v.Version == n {
			return v, nil
		}
	}
	return nil, versionNotFound(subject, n)
}

// Version returns one version of a subject (version: a number or "latest").
func (s *Service) Version(subject, version string, deleted bool) (SchemaVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.find(subject, version, deleted)
	if err != nil {
		return SchemaVersion{}, err
	}
	return versionOf(v), nil
}

// Versions lists a subject's version numbers, oldest first.
func (s *Service) Versions(subject string, deleted bool) ([]int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.versions(subject, deleted)
	if len(vs) == 0 {
		return nil, subjectNotFound(subject)
	}
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	return out, nil
}

// Subjects lists the subjects that have a version (a soft-deleted one
// counts when deleted is true), sorted.
func (s *Service) Subjects(deleted bool) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{}
	for name := range s.st.subjects {
		if len(s.versions(name, deleted)) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// SchemaByID returns the schema registered with id (soft-deleted versions
// keep their id resolvable: consumers still read their records).
func (s *Service) SchemaByID(id int) (SchemaByID, error) {
	s.mu.RLock()
	v, ok := s.st.ids[id]
	s.mu.RUnlock()
	if !ok {
		return SchemaByID{}, schemaNotFound(strconv.Itoa(id))
	}
	return SchemaByID{SchemaType: v.SchemaType, References: v.References, Schema: v.Schema}, nil
}

// schemaByIDAnswer is [Service.SchemaByID] already encoded as its HTTP
// answer: the lookup happens on every request, the encoding did not.
func (s *Service) schemaByIDAnswer(id int) (answer, error) {
	s.mu.RLock()
	a, ok := s.st.answers[id]
	s.mu.RUnlock()
	if !ok {
		return answer{}, schemaNotFound(strconv.Itoa(id))
	}
	return a, nil
}

// IDVersions lists the subject versions registered with id.
func (s *Service) IDVersions(id int, deleted bool) ([]SubjectVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.st.ids[id]; !ok {
		return nil, schemaNotFound(strconv.Itoa(id))
	}
	out := []SubjectVersion{}
	for name, versions := range s.st.subjects {
		for n, v := range versions {
			if v.ID == id && (deleted || !v.Deleted) {
				out = append(out, SubjectVersion{Subject: name, Version: n})
			}
		}
	}
	slices.SortFunc(out, func(a, b SubjectVersion) int {
		if c := strings.Compare(a.Subject, b.Subject); c != 0 {
			return c
		}
		return a.Version - b.Version
	})
	return out, nil
}

// ReferencedBy lists the ids of the schemas that reference a version.
func (s *Service) ReferencedBy(subject, version string) ([]int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := s.find(subject, version, false)
	if err != nil {
		return nil, err
	}
	return s.referencedBy(v), nil
}

func (s *Service) referencedBy(target *SchemaValue) []int {
	ids := []int{}
	for _, versions := range s.st.subjects {
		for _, v := range versions {
			for _, ref := range v.References {
				if !v.Deleted && ref.Subject == target.Subject && ref.Version == target.Version && !slices.Contains(ids, v.ID) {
					ids = append(ids, v.ID)
				}
			}
		}
	}
	sort.Ints(ids)
	return ids
}

// CheckCompatibility judges req against one version of subject (or every
// version, version ""), in the direction of the subject's level, and
// returns the verdict and, when it is false, why.
func (s *Service) CheckCompatibility(subject, version string, req SchemaRequest) (bool, []string, error) {
	s.mu.RLock()
	p, _, err := s.parseRequest(req)
	if err != nil {
		s.mu.RUnlock()
		return false, nil, err
	}
	level := s.level(subject)
	var against []*SchemaValue
	switch {
	case version == "":
		against = s.versions(subject, false)
	default:
		v, err := s.find(subject, version, false)
		var rerr *Error
		if errors.As(err, &rerr) && rerr.Code == CodeSubjectNotFound && version == "latest" {
			v, err = nil, nil // nothing to be compatible with yet
		}
		if err != nil {
			s.mu.RUnlock()
			return false, nil, err
		}
		if v != nil {
			against = []*SchemaValue{v}
		}
	}
	existing := make([]Parsed, 0, len(against))
	for _, v := range against {
		ep, err := s.parsedValue(v, 0)
		if err != nil {
			s.mu.RUnlock()
			return false, nil, storeError(err)
		}
		existing = append(existing, ep)
	}
	s.mu.RUnlock()
	if s.check.Compatible(level, p, existing) {
		return true, nil, nil
	}
	if why := s.why(level, p, existing, against); why != "" {
		return false, []string{why}, nil
	}
	return false, []string{fmt.Sprintf("the schema is not %s compatible with the schemas it was checked against", level)}, nil
}

// why says which version candidate fails against at level and which rule
// failed ("version 2: ..."), when the Checker can explain itself; "" when
// it cannot. versions are existing's versions, in the same order.
func (s *Service) why(level string, candidate Parsed, existing []Parsed, versions []*SchemaValue) string {
	ex, ok := s.check.(Explainer)
	if !ok {
		return ""
	}
	i, reason, found := ex.Explain(level, candidate, existing)
	if !found || i < 0 || i >= len(versions) {
		return ""
	}
	return fmt.Sprintf("version %d (%s): %s", versions[i].Version, level, reason)
}

// Level returns subject's compatibility level ("" subject: the global
// one). A subject without a level of its own gets 40408, unless
// defaultToGlobal.
func (s *Service) Level(subject string, defaultToGlobal bool) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if subject == "" {
		return s.level(""), nil
	}
	if l, ok := s.st.levels[subject]; ok {
		return l, nil
	}
	if defaultToGlobal {
		return s.level(""), nil
	}
	return "", newError(http.StatusNotFound, CodeSubjectLevelNotFound,
		"Subject '%s' does not have subject-level compatibility configured", subject)
}

// SetLevel sets subject's level ("" subject: the global one) and returns
// it as Confluent spells it.
func (s *Service) SetLevel(ctx context.Context, subject, level string) (string, error) {
	l, err := s.check.ParseLevel(level)
	if err != nil {
		return "", newError(http.StatusUnprocessableEntity, CodeInvalidLevel,
			"Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.commit(ctx, configRecord(subject, l)); err != nil {
		return "", err
	}
	return l, nil
}

// DeleteLevel removes subject's level ("" subject: the global one goes
// back to the default) and returns the level it had.
func (s *Service) DeleteLevel(ctx context.Context, subject string) (string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	old, ok := s.st.levels[subject]
	if subject == "" {
		old, ok = s.level(""), true
	}
	s.mu.RUnlock()
	if !ok {
		return "", newError(http.StatusNotFound, CodeSubjectLevelNotFound,
			"Subject '%s' does not have subject-level compatibility configured", subject)
	}
	if err := s.commit(ctx, configRecord(subject, "")); err != nil {
		return "", err
	}
	return old, nil
}

// Mode returns the registry's mode (READWRITE: this registry has no other).
func (s *Service) Mode(subject string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if m, ok := s.st.modes[subject]; ok {
		return m
	}
	if m, ok := s.st.modes[""]; ok {
		return m
	}
	return "READWRITE"
}

// DeleteSubject soft-deletes every version of subject, or, permanent,
// removes a subject that was soft-deleted first (40405 otherwise, as
// Confluent refuses), and returns the versions deleted.
func (s *Service) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	all := s.versions(subject, true)
	live := s.versions(subject, false)
	_, hasLevel := s.st.levels[subject]
	s.mu.RUnlock()
	if len(all) == 0 {
		return nil, subjectNotFound(subject)
	}
	var recs []Record
	var deleted []int
	switch {
	case permanent && len(live) > 0:
		return nil, newError(http.StatusNotFound, CodeSubjectNotSoftDeleted,
			"Subject '%s' was not deleted first before being permanently deleted", subject)
	case permanent:
		for _, v := range all {
			recs = append(recs, schemaTombstone(subject, v.Version))
			deleted = append(deleted, v.Version)
		}
	case len(live) == 0:
		return nil, newError(http.StatusNotFound, CodeSubjectSoftDeleted,
			"Subject '%s' was soft deleted.Set permanent=true to delete permanently", subject)
	default:
		for _, v := range live {
			if refs := s.referencedByLocked(v); len(refs) > 0 {
				return nil, newError(http.StatusUnprocessableEntity, CodeReferenceExists,
					"One or more references exist to the schema {subject=%s,version=%d}", subject, v.Version)
			}
			deleted = append(deleted, v.Version)
		}
		recs = append(recs, deleteSubjectRecord(subject, all[len(all)-1].Version))
		if hasLevel {
			recs = append(recs, configRecord(subject, "")) // as Confluent does
		}
	}
	if err := s.commit(ctx, recs...); err != nil {
		return nil, err
	}
	return deleted, nil
}

func (s *Service) referencedByLocked(v *SchemaValue) []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.referencedBy(v)
}

// DeleteVersion soft-deletes one version, or, permanent, removes a version
// that was soft-deleted first (40407 otherwise), and returns its number.
func (s *Service) DeleteVersion(ctx context.Context, subject, version string, permanent bool) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	// A soft delete of "latest" means the newest live version; a number
	// finds soft-deleted versions too, to refuse them by name (40406).
	v, err := s.find(subject, version, permanent || version != "latest")
	var refs []int
	if err == nil {
		refs = s.referencedBy(v)
	}
	s.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	if len(refs) > 0 {
		return 0, newError(http.StatusUnprocessableEntity, CodeReferenceExists,
			"One or more references exist to the schema {subject=%s,version=%d}", subject, v.Version)
	}
	var rec Record
	switch {
	case permanent && !v.Deleted:
		return 0, newError(http.StatusNotFound, CodeVersionNotSoftDeleted,
			"Subject '%s' Version %d was not deleted first before being permanently deleted", subject, v.Version)
	case permanent:
		rec = schemaTombstone(subject, v.Version)
	case v.Deleted:
		return 0, newError(http.StatusNotFound, CodeVersionSoftDeleted,
			"Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", subject, v.Version)
	default:
		c := *v
		c.Deleted = true
		rec = schemaRecord(c)
	}
	if err := s.commit(ctx, rec); err != nil {
		return 0, err
	}
	return v.Version, nil
}
