package saga_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"twinbook/saga"
)

func nop(context.Context, saga.Call) error { return nil }

func step(name string) saga.Step {
	return saga.Step{Name: name, Action: nop, Compensation: nop}
}

func TestValidateRefusesABadDefinitionNamingTheFault(t *testing.T) {
	lastWithout := step("c")
	lastWithout.Compensation = nil
	firstWithout := step("a")
	firstWithout.Compensation = nil
	negative := step("b")
	negative.Retries = -1
	noAction := step("b")
	noAction.Action = nil
	tests := []struct {
		name  string
		def   saga.Definition
		fault string // "" = valid
	}{
		{"valid", saga.Definition{ID: "order", Steps: []saga.Step{step("a"), step("b")}}, ""},
		{"the last step without compensation", saga.Definition{ID: "order", Steps: []saga.Step{step("a"), lastWithout}}, ""},
		{"no id", saga.Definition{Steps: []saga.Step{step("a")}}, "empty definition id"},
		{"no steps", saga.Definition{ID: "order"}, "no steps"},
		{"duplicate step name", saga.Definition{ID: "order", Steps: []saga.Step{step("a"), step("b"), step("a")}}, `duplicate step name "a"`},
		{"empty name", saga.Definition{ID: "order", Steps: []saga.Step{step("")}}, "empty step name"},
		{"colon", saga.Definition{ID: "order", Steps: []saga.Step{step("a:b")}}, `"a:b" has ':' or whitespace`},
		{"space", saga.Definition{ID: "order", Steps: []saga.Step{step("a b")}}, "whitespace"},
		{"tab", saga.Definition{ID: "order", Steps: []saga.Step{step("a\tb")}}, "whitespace"},
		{"negative retries", saga.Definition{ID: "order", Steps: []saga.Step{step("a"), negative}}, "negative retries -1"},
		{"no action", saga.Definition{ID: "order", Steps: []saga.Step{noAction}}, "no action"},
		{"a middle step without compensation", saga.Definition{ID: "order", Steps: []saga.Step{firstWithout, step("b")}}, "no compensation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.def.Validate()
			if tt.fault == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if _, err := saga.New(tt.def, saga.NewMemoryLog(), saga.Options{}); err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, saga.ErrInvalidSaga) || !strings.Contains(err.Error(), tt.fault) {
				t.Fatalf("want ErrInvalidSaga naming %q, got %v", tt.fault, err)
			}
			if _, err := saga.New(tt.def, saga.NewMemoryLog(), saga.Options{}); !errors.Is(err, saga.ErrInvalidSaga) {
				t.Fatalf("New: want ErrInvalidSaga, got %v", err)
			}
		})
	}
}

func TestKey(t *testing.T) {
	if got := saga.Key("order-7", "charge", saga.Compensation); got != "order-7:charge:compensation" {
		t.Fatal(got)
	}
}
