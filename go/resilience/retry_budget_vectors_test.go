package resilience_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"twinbook/internal/testutil"
	"twinbook/resilience"
)

// TestRetryBudgetVectors replays, through testutil.ForEachCase, the cases in
// every *.json file of $TWINBOOK_VECTORS_DIR/retry_budget/ when TWINBOOK_VECTORS_DIR is set to a
// non-empty value, else of the project's tests/vectors/retry_budget/: the
// same cases as Python's python/tests/resilience/test_retry_budget_vectors.py,
// one subtest per case, named by the case. The format is in
// tests/vectors/README.md. A key this runner does not know fails the case.

type budgetCase struct {
	Name   string       `json:"name"`
	Config budgetConfig `json:"config"`
	Steps  []budgetStep `json:"steps"`
	Error  string       `json:"error"`
}

type budgetConfig struct {
	Ratio     json.RawMessage `json:"ratio"`
	MaxTokens json.RawMessage `json:"max_tokens"`
}

type budgetStep struct {
	Op     string `json:"op"`
	Times  *int   `json:"times"`
	Expect struct {
		Allowed *bool    `json:"allowed"`
		Tokens  *float64 `json:"tokens"`
	} `json:"expect"`
}

// budgetNumber reads a JSON number, or "nan", "inf" or "-inf", which JSON
// cannot write as numbers.
func budgetNumber(raw json.RawMessage) (float64, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "nan":
			return math.NaN(), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("unknown special number %q", s)
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("not a number: %s: %w", raw, err)
	}
	return f, nil
}

func TestRetryBudgetVectors(t *testing.T) {
	other := map[string]string{"ratio": "max_tokens", "max_tokens": "ratio"}
	n := testutil.ForEachCase(t, "retry_budget", func(t *testing.T, tc budgetCase) {
		ratio, err := budgetNumber(tc.Config.Ratio)
		if err != nil {
			t.Fatalf("config.ratio: %v", err)
		}
		maxTokens, err := budgetNumber(tc.Config.MaxTokens)
		if err != nil {
			t.Fatalf("config.max_tokens: %v", err)
		}
		if (tc.Error == "") == (len(tc.Steps) == 0) {
			t.Fatal("a case has either steps or an error")
		}
		budget, err := resilience.NewRetryBudget(ratio, maxTokens)
		if tc.Error != "" {
			msg := fmt.Sprint(err)
			if err == nil || !strings.Contains(msg, tc.Error+":") || strings.Contains(msg, other[tc.Error]) {
				t.Fatalf("NewRetryBudget(%v, %v) = %v; want an error naming %s", ratio, maxTokens, err, tc.Error)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, step := range tc.Steps {
			where := fmt.Sprintf("step %d (%q)", i+1, step.Op)
			var allowed *bool
			switch step.Op {
			case "call":
				times := 1
				if step.Times != nil {
					times = *step.Times
				}
				for range times {
					budget.RecordCall()
				}
			case "retry":
				if step.Times != nil {
					t.Fatalf("%s: times is for call only", where)
				}
				ok := budget.TrySpend()
				allowed = &ok
			default:
				t.Fatalf("%s: unknown op", where)
			}
			if want := step.Expect.Allowed; want != nil {
				if allowed == nil {
					t.Fatalf("%s: expect.allowed is for retry only", where)
				}
				if *allowed != *want {
					t.Errorf("%s: allowed = %v, want %v", where, *allowed, *want)
				}
			}
			if want := step.Expect.Tokens; want != nil && budget.Tokens() != *want {
				t.Errorf("%s: tokens = %v, want %v", where, budget.Tokens(), *want)
			}
		}
	})
	if n < 10 {
		t.Fatalf("only %d cases", n)
	}
}
