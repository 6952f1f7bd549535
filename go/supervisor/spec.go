package supervisor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Strategy is which children a supervisor restarts when one must be.
type Strategy string

const (
	// OneForOne restarts only the child that terminated.
	OneForOne Strategy = "one_for_one"
	// OneForAll terminates the other children (in reverse start order) and
	// starts them all again: for children that cannot work without each other.
	OneForAll Strategy = "one_for_all"
	// RestForOne terminates and restarts the children started after it: for
	// a chain where each depends on those before it.
	RestForOne Strategy = "rest_for_one"
)

// Restart is when a child is restarted after it terminated.
type Restart string

const (
	// Permanent: always, whatever the reason.
	Permanent Restart = "permanent"
	// Transient: only after a crash; a normal or shutdown exit is final.
	Transient Restart = "transient"
	// Temporary: never; once terminated it is removed from its supervisor.
	Temporary Restart = "temporary"
)

// Kind says whether a child is a worker or a nested supervisor.
type Kind string

const (
	// Worker is a child that does work: an actor, an OS process.
	Worker Kind = "worker"
	// KindSupervisor is a nested supervisor with children of its own.
	KindSupervisor Kind = "supervisor"
)

// Reason is why a child terminated.
type Reason string

const (
	// Normal: it finished its work.
	Normal Reason = "normal"
	// Shutdown: it was told to stop, or (a supervisor) it gave up.
	Shutdown Reason = "shutdown"
	// Crash: any failure: an error, a panic, a non-zero exit.
	Crash Reason = "crash"
)

// Spec is a supervisor: its strategy, its restart intensity (how many
// restarts it allows within Period before it gives up) and its children, in
// start order.
type Spec struct {
	Strategy  Strategy
	Intensity int
	Period    time.Duration // the period_ms of the JSON form; whole milliseconds
	Children  []ChildSpec
}

// ChildSpec is one child of a supervisor. A child of kind KindSupervisor
// carries its own Spec; a worker has none.
type ChildSpec struct {
	ID      string
	Restart Restart
	Kind    Kind  // Worker when empty
	Spec    *Spec // the nested supervisor's own spec (KindSupervisor only)
}

// KindOrDefault is c.Kind, or Worker when it is empty.
func (c ChildSpec) KindOrDefault() Kind {
	if c.Kind == "" {
		return Worker
	}
	return c.Kind
}

// Field names of the JSON form: a SpecError names one of them.
const (
	FieldStrategy  = "strategy"
	FieldIntensity = "intensity"
	FieldPeriod    = "period_ms"
	FieldChildren  = "children"
	FieldID        = "id"
	FieldRestart   = "restart"
	FieldKind      = "kind"
)

// SpecError is an invalid specification: which field of which supervisor or
// child is wrong, and why. Its message names the field as a word of its own,
// so a reader (or a conformance vector) can tell which one.
type SpecError struct {
	Where string // the child's path ("db/conn1"), "the top supervisor", or "child 2 of ..." when its id is the fault
	Field string // one of the Field* names, or an unknown key
	Msg   string
}

// Error says where, which field, and why.
func (e *SpecError) Error() string {
	return fmt.Sprintf("supervisor spec: %s: %s: %s", e.Where, e.Field, e.Msg)
}

// ParseSpec builds a Spec from its JSON form (the conformance vectors'
// "tree"): {"strategy", "intensity", "period_ms", "children": [{"id",
// "restart", "kind"?, and for a supervisor its own strategy, intensity,
// period_ms, children}]}, and validates it. Integers must be JSON integers:
// 3.0, 1e3 and true are not. The error is a *SpecError naming the field.
func ParseSpec(data []byte) (Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keeps 3.0 apart from 3
	var v any
	if err := dec.Decode(&v); err != nil {
		return Spec{}, fmt.Errorf("supervisor spec: not JSON: %w", err)
	}
	if dec.More() {
		return Spec{}, fmt.Errorf("supervisor spec: more than one JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Spec{}, fmt.Errorf("supervisor spec: want a JSON object, got %s", jsonType(v))
	}
	spec, err := parseSupervisor(obj, topWhere, "", true)
	if err != nil {
		return Spec{}, err
	}
	return spec, nil
}

// UnmarshalJSON parses s with ParseSpec, so a Spec can be a field of a
// larger JSON document.
func (s *Spec) UnmarshalJSON(data []byte) error {
	spec, err := ParseSpec(data)
	if err != nil {
		return err
	}
	*s = spec
	return nil
}

const topWhere = "the top supervisor"

var supervisorKeys = []string{FieldStrategy, FieldIntensity, FieldPeriod, FieldChildren}

func parseSupervisor(obj map[string]any, where, path string, top bool) (Spec, error) {
	fail := func(field, format string, args ...any) (Spec, error) {
		return Spec{}, &SpecError{Where: where, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if top {
		for key := range obj {
			if !contains(supervisorKeys, key) && key != FieldKind {
				return fail(key, "unknown field")
			}
		}
		if kind, ok := obj[FieldKind]; ok && kind != string(KindSupervisor) {
			return fail(FieldKind, "the top of the tree is a supervisor, got %s", show(kind))
		}
	}
	for _, key := range supervisorKeys {
		if _, ok := obj[key]; !ok {
			return fail(key, "missing")
		}
	}
	var spec Spec
	strategy, ok := obj[FieldStrategy].(string)
	spec.Strategy = Strategy(strategy)
	if !ok || !validStrategy(spec.Strategy) {
		return fail(FieldStrategy, "%s is not one of one_for_one, one_for_all, rest_for_one", show(obj[FieldStrategy]))
	}
	intensity, err := jsonInt(obj[FieldIntensity])
	if err != nil {
		return fail(FieldIntensity, "%v", err)
	}
	if intensity < 0 || intensity > math.MaxInt32 {
		return fail(FieldIntensity, "%d is out of range (0 or more)", intensity)
	}
	spec.Intensity = int(intensity)
	period, err := jsonInt(obj[FieldPeriod])
	if err != nil {
		return fail(FieldPeriod, "%v", err)
	}
	if period <= 0 || period > int64(math.MaxInt64/time.Millisecond) {
		return fail(FieldPeriod, "%d is out of range (a positive number of milliseconds)", period)
	}
	spec.Period = time.Duration(period) * time.Millisecond
	list, ok := obj[FieldChildren].([]any)
	if !ok {
		return fail(FieldChildren, "want a list of objects, got %s", jsonType(obj[FieldChildren]))
	}
	seen := map[string]bool{}
	for i, item := range list {
		child, ok := item.(map[string]any)
		if !ok {
			return fail(FieldChildren, "item %d is %s, not an object", i, jsonType(item))
		}
		cs, err := parseChild(child, i, where, path, seen)
		if err != nil {
			return Spec{}, err
		}
		spec.Children = append(spec.Children, cs)
	}
	return spec, nil
}

func parseChild(obj map[string]any, index int, parentWhere, parentPath string, seen map[string]bool) (ChildSpec, error) {
	where := fmt.Sprintf("child %d of %s", index, parentWhere)
	fail := func(field, format string, args ...any) (ChildSpec, error) {
		return ChildSpec{}, &SpecError{Where: where, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	raw, ok := obj[FieldID]
	if !ok {
		return fail(FieldID, "missing")
	}
	id, ok := raw.(string)
	if !ok {
		return fail(FieldID, "want a string, got %s", jsonType(raw))
	}
	if err := checkID(id, seen); err != nil {
		return fail(FieldID, "%v", err)
	}
	seen[id] = true
	path := joinPath(parentPath, id)
	if !namesAField(path) {
		where = strconv.Quote(path)
	}
	cs := ChildSpec{ID: id, Kind: Worker}
	if raw, ok := obj[FieldKind]; ok {
		kind, _ := raw.(string)
		cs.Kind = Kind(kind)
		if cs.Kind != Worker && cs.Kind != KindSupervisor {
			return fail(FieldKind, "%s is not worker or supervisor", show(raw))
		}
	}
	for key := range obj {
		switch {
		case key == FieldID || key == FieldRestart || key == FieldKind:
		case contains(supervisorKeys, key):
			if cs.Kind == Worker {
				return fail(key, "a worker has none (only a nested supervisor has)")
			}
		default:
			return fail(key, "unknown field")
		}
	}
	raw, ok = obj[FieldRestart]
	if !ok {
		return fail(FieldRestart, "missing")
	}
	restart, _ := raw.(string)
	cs.Restart = Restart(restart)
	if !validRestart(cs.Restart) {
		return fail(FieldRestart, "%s is not one of permanent, transient, temporary", show(raw))
	}
	if cs.Kind == KindSupervisor {
		nested, err := parseSupervisor(obj, where, path, false)
		if err != nil {
			return ChildSpec{}, err
		}
		cs.Spec = &nested
	}
	return cs, nil
}

// Validate checks a Spec built in Go by the rules ParseSpec applies to the
// JSON form, and returns a *SpecError naming the first faulty field.
func (s Spec) Validate() error { return s.validate(topWhere, "") }

func (s Spec) validate(where, path string) error {
	fail := func(field, format string, args ...any) error {
		return &SpecError{Where: where, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if !validStrategy(s.Strategy) {
		return fail(FieldStrategy, "%q is not one of one_for_one, one_for_all, rest_for_one", s.Strategy)
	}
	if s.Intensity < 0 {
		return fail(FieldIntensity, "%d is negative", s.Intensity)
	}
	if s.Period <= 0 || s.Period%time.Millisecond != 0 {
		return fail(FieldPeriod, "%v is not a positive whole number of milliseconds", s.Period)
	}
	seen := map[string]bool{}
	for i, c := range s.Children {
		if err := checkID(c.ID, seen); err != nil {
			return &SpecError{Where: fmt.Sprintf("child %d of %s", i, where), Field: FieldID, Msg: err.Error()}
		}
		seen[c.ID] = true
		childPath := joinPath(path, c.ID)
		childWhere := strconv.Quote(childPath)
		if !validRestart(c.Restart) {
			return &SpecError{Where: childWhere, Field: FieldRestart, Msg: fmt.Sprintf("%q is not one of permanent, transient, temporary", c.Restart)}
		}
		switch c.KindOrDefault() {
		case Worker:
			if c.Spec != nil {
				return &SpecError{Where: childWhere, Field: FieldKind, Msg: "a worker has no spec of its own"}
			}
		case KindSupervisor:
			if c.Spec == nil {
				return &SpecError{Where: childWhere, Field: FieldKind, Msg: "a supervisor child needs its Spec"}
			}
			if err := c.Spec.validate(childWhere, childPath); err != nil {
				return err
			}
		default:
			return &SpecError{Where: childWhere, Field: FieldKind, Msg: fmt.Sprintf("%q is not worker or supervisor", c.Kind)}
		}
	}
	return nil
}

func checkID(id string, seen map[string]bool) error {
	switch {
	case id == "":
		return fmt.Errorf("empty")
	case strings.Contains(id, "/"):
		return fmt.Errorf("%q contains '/', the path separator", id)
	case seen[id]:
		return fmt.Errorf("%q is not unique among its siblings", id)
	}
	return nil
}

func joinPath(parent, id string) string {
	if parent == "" {
		return id
	}
	return parent + "/" + id
}

func validStrategy(s Strategy) bool { return s == OneForOne || s == OneForAll || s == RestForOne }

func validRestart(r Restart) bool { return r == Permanent || r == Transient || r == Temporary }

var jsonInteger = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// jsonInt accepts a JSON integer only: not 3.0, 1e3, "3" or true.
func jsonInt(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want a JSON integer, got %s", jsonType(v))
	}
	if !jsonInteger.MatchString(n.String()) {
		return 0, fmt.Errorf("want a JSON integer, got %s (a fraction or an exponent)", n)
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is out of range: %w", n, err)
	}
	return i, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// show describes a faulty value for an error message: quoted, unless it
// would name a field, which would make the message name two.
func show(v any) string {
	if s, ok := v.(string); ok {
		if namesAField(s) {
			return "a string"
		}
		return strconv.Quote(s)
	}
	return jsonType(v)
}

var fieldWord = regexp.MustCompile(`(^|[^A-Za-z0-9_])(strategy|intensity|period_ms|children|id|restart|kind)($|[^A-Za-z0-9_])`)

func namesAField(s string) bool { return fieldWord.MatchString(s) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
