package supervisor_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"twinbook/supervisor"
)

func TestParseSpec(t *testing.T) {
	const valid = `{"strategy":"rest_for_one","intensity":2,"period_ms":1500,"children":[
		{"id":"a","restart":"permanent"},
		{"id":"db","restart":"transient","kind":"supervisor","strategy":"one_for_all","intensity":0,"period_ms":1,
		 "children":[{"id":"c","restart":"temporary","kind":"worker"}]}]}`
	spec, err := supervisor.ParseSpec([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	want := supervisor.Spec{Strategy: supervisor.RestForOne, Intensity: 2, Period: 1500 * time.Millisecond, Children: []supervisor.ChildSpec{
		{ID: "a", Restart: supervisor.Permanent, Kind: supervisor.Worker},
		{ID: "db", Restart: supervisor.Transient, Kind: supervisor.KindSupervisor, Spec: &supervisor.Spec{
			Strategy: supervisor.OneForAll, Intensity: 0, Period: time.Millisecond,
			Children: []supervisor.ChildSpec{{ID: "c", Restart: supervisor.Temporary, Kind: supervisor.Worker}}}},
	}}
	if got, wantS := describe(spec), describe(want); got != wantS {
		t.Errorf("ParseSpec:\n got %s\nwant %s", got, wantS)
	}
	var viaJSON supervisor.Spec
	if err := viaJSON.UnmarshalJSON([]byte(valid)); err != nil || describe(viaJSON) != describe(want) {
		t.Errorf("UnmarshalJSON = %s, %v", describe(viaJSON), err)
	}
}

func describe(s supervisor.Spec) string {
	var b strings.Builder
	b.WriteString(string(s.Strategy) + " " + s.Period.String() + " " + strings.Repeat("i", s.Intensity) + " [")
	for _, c := range s.Children {
		b.WriteString(c.ID + ":" + string(c.Restart) + ":" + string(c.Kind))
		if c.Spec != nil {
			b.WriteString("{" + describe(*c.Spec) + "}")
		}
		b.WriteString(" ")
	}
	return b.String() + "]"
}

var fields = []string{"strategy", "intensity", "period_ms", "children", "id", "restart", "kind"}

// TestParseSpecErrors: one fault per tree; the error names its field, and no
// other.
func TestParseSpecErrors(t *testing.T) {
	child := func(fields string) string {
		return `{"strategy":"one_for_one","intensity":1,"period_ms":10,"children":[` + fields + `]}`
	}
	nestedChild := func(fields string) string {
		return child(`{"id":"db","restart":"permanent","kind":"supervisor",` + fields + `}`)
	}
	tests := []struct {
		name, tree, field string
	}{
		{"unknown strategy", `{"strategy":"one_for_none","intensity":1,"period_ms":10,"children":[]}`, "strategy"},
		{"missing strategy", `{"intensity":1,"period_ms":10,"children":[]}`, "strategy"},
		{"negative intensity", `{"strategy":"one_for_one","intensity":-1,"period_ms":10,"children":[]}`, "intensity"},
		{"intensity 3.0", `{"strategy":"one_for_one","intensity":3.0,"period_ms":10,"children":[]}`, "intensity"},
		{"intensity 1e3", `{"strategy":"one_for_one","intensity":1e3,"period_ms":10,"children":[]}`, "intensity"},
		{"intensity true", `{"strategy":"one_for_one","intensity":true,"period_ms":10,"children":[]}`, "intensity"},
		{"intensity too large", `{"strategy":"one_for_one","intensity":99999999999999999999,"period_ms":10,"children":[]}`, "intensity"},
		{"period 0", `{"strategy":"one_for_one","intensity":1,"period_ms":0,"children":[]}`, "period_ms"},
		{"period 1000.0", `{"strategy":"one_for_one","intensity":1,"period_ms":1000.0,"children":[]}`, "period_ms"},
		{"period too large", `{"strategy":"one_for_one","intensity":1,"period_ms":9223372036854775807,"children":[]}`, "period_ms"},
		{"children an object", `{"strategy":"one_for_one","intensity":1,"period_ms":10,"children":{}}`, "children"},
		{"children holds a string", child(`"a"`), "children"},
		{"missing children", `{"strategy":"one_for_one","intensity":1,"period_ms":10}`, "children"},
		{"missing id", child(`{"restart":"permanent"}`), "id"},
		{"empty id", child(`{"id":"","restart":"permanent"}`), "id"},
		{"id with a slash", child(`{"id":"a/b","restart":"permanent"}`), "id"},
		{"id a number", child(`{"id":1,"restart":"permanent"}`), "id"},
		{"duplicate id", child(`{"id":"a","restart":"permanent"},{"id":"a","restart":"transient"}`), "id"},
		{"unknown restart", child(`{"id":"a","restart":"sometimes"}`), "restart"},
		{"missing restart", child(`{"id":"a"}`), "restart"},
		{"unknown kind", child(`{"id":"a","restart":"permanent","kind":"manager"}`), "kind"},
		{"a worker with children", child(`{"id":"a","restart":"permanent","children":[]}`), "children"},
		{"an unknown key", child(`{"id":"a","restart":"permanent","shutdown_ms":5}`), "shutdown_ms"},
		{"nested: unknown strategy", nestedChild(`"strategy":"x","intensity":1,"period_ms":10,"children":[]`), "strategy"},
		{"nested: missing period", nestedChild(`"strategy":"one_for_one","intensity":1,"children":[]`), "period_ms"},
		{"nested: duplicate id", nestedChild(`"strategy":"one_for_one","intensity":1,"period_ms":10,"children":[{"id":"c","restart":"permanent"},{"id":"c","restart":"permanent"}]`), "id"},
		{"a value that is a field's name", child(`{"id":"a","restart":"kind"}`), "restart"},
		{"an id that is a field's name", child(`{"id":"kind","restart":"sometimes"}`), "restart"},
		{"the top is no worker", `{"kind":"worker","strategy":"one_for_one","intensity":1,"period_ms":10,"children":[]}`, "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := supervisor.ParseSpec([]byte(tt.tree))
			var se *supervisor.SpecError
			if !errors.As(err, &se) {
				t.Fatalf("ParseSpec = %v, want a *SpecError", err)
			}
			if se.Field != tt.field || !strings.Contains(err.Error(), " "+tt.field+":") {
				t.Errorf("error %q (field %q), want it to name %q", err, se.Field, tt.field)
			}
			for _, other := range fields {
				if other != tt.field && namesField(err.Error(), other) {
					t.Errorf("error %q names %q too", err, other)
				}
			}
		})
	}
	for _, bad := range []string{`[]`, `nope`, `{} {}`} {
		if _, err := supervisor.ParseSpec([]byte(bad)); err == nil {
			t.Errorf("ParseSpec(%s): want an error", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	worker := func(id string) supervisor.ChildSpec {
		return supervisor.ChildSpec{ID: id, Restart: supervisor.Permanent}
	}
	ok := supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 1, Period: time.Second}
	tests := []struct {
		name  string
		edit  func(s *supervisor.Spec)
		field string // "" = valid
	}{
		{"valid", func(s *supervisor.Spec) { s.Children = []supervisor.ChildSpec{worker("a")} }, ""},
		{"strategy", func(s *supervisor.Spec) { s.Strategy = "x" }, "strategy"},
		{"intensity", func(s *supervisor.Spec) { s.Intensity = -1 }, "intensity"},
		{"period", func(s *supervisor.Spec) { s.Period = 0 }, "period_ms"},
		{"period in whole ms", func(s *supervisor.Spec) { s.Period = time.Microsecond }, "period_ms"},
		{"id", func(s *supervisor.Spec) { s.Children = []supervisor.ChildSpec{worker("a"), worker("a")} }, "id"},
		{"restart", func(s *supervisor.Spec) { s.Children = []supervisor.ChildSpec{{ID: "a", Restart: "x"}} }, "restart"},
		{"kind", func(s *supervisor.Spec) {
			s.Children = []supervisor.ChildSpec{{ID: "a", Restart: supervisor.Permanent, Kind: "x"}}
		}, "kind"},
		{"a supervisor without a spec", func(s *supervisor.Spec) {
			s.Children = []supervisor.ChildSpec{{ID: "a", Restart: supervisor.Permanent, Kind: supervisor.KindSupervisor}}
		}, "kind"},
		{"nested", func(s *supervisor.Spec) {
			s.Children = []supervisor.ChildSpec{{ID: "a", Restart: supervisor.Permanent, Kind: supervisor.KindSupervisor,
				Spec: &supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: -2, Period: time.Second}}}
		}, "intensity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.edit(&s)
			err := s.Validate()
			var se *supervisor.SpecError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.field != "" && (!errors.As(err, &se) || se.Field != tt.field):
				t.Errorf("Validate() = %v, want a SpecError naming %q", err, tt.field)
			}
			if _, err := supervisor.NewTree(s); (err == nil) != (tt.field == "") {
				t.Errorf("NewTree error = %v", err)
			}
		})
	}
}
