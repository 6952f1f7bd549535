// Visible tests for the saga: run them with the check cell.
package main_test

import (
	. "answer"
	"fmt"
	"slices"
	"testing"
)

// runSaga calls RunSaga with the participant's attempt; a panic of the learner's code (or a
// saga that does not end) fails the test naming the call.
func runSaga(t *testing.T, id string, steps []sgStep, p *sgParticipant) (outcome string) {
	t.Helper()
	given := []Step{}
	for _, s := range steps {
		given = append(given, Step{Name: s.Name, Retries: s.Retries})
	}
	obCall(t, fmt.Sprintf("RunSaga(%q, %+v, attempt)", id, given), func() {
		outcome = RunSaga(id, given, p.attempt)
	})
	if outcome != "completed" && outcome != "compensated" {
		t.Fatalf("RunSaga(%q, ...) returned %q: want \"completed\" or \"compensated\"", id, outcome)
	}
	return outcome
}

var threeSteps = []sgStep{{"reserve", 0}, {"charge", 0}, {"ship", 0}}

func expectSaga(t *testing.T, p *sgParticipant, outcome, wantOutcome string, want []string, why string) {
	t.Helper()
	if !slices.Equal(p.log, want) || outcome != wantOutcome {
		t.Fatalf("the attempts were %q and the outcome %q: want %q, %q: %s", p.log, outcome, want, wantOutcome, why)
	}
}

func TestEveryActionSucceeds(t *testing.T) {
	p := newSgParticipant(nil)
	expectSaga(t, p, runSaga(t, "order-7", threeSteps, p), "completed",
		[]string{"reserve:action ok", "charge:action ok", "ship:action ok"}, "every step in order")
}

func TestAFailedStepCompensatesTheDoneOnesInReverse(t *testing.T) {
	p := newSgParticipant(map[string][]string{"ship:action": {"fail"}})
	expectSaga(t, p, runSaga(t, "order-7", threeSteps, p), "compensated",
		[]string{"reserve:action ok", "charge:action ok", "ship:action fail", "charge:compensation ok", "reserve:compensation ok"},
		"the failed step did nothing, so it has nothing to undo")
}

func TestAnActionIsRetried(t *testing.T) {
	p := newSgParticipant(map[string][]string{"charge:action": {"fail", "fail"}})
	expectSaga(t, p, runSaga(t, "order-7", []sgStep{{"reserve", 0}, {"charge", 2}}, p), "completed",
		[]string{"reserve:action ok", "charge:action fail", "charge:action fail", "charge:action ok"},
		"charge has 2 retries, so its third attempt may succeed")
}

func TestACompensationIsRetriedUntilItSucceeds(t *testing.T) {
	p := newSgParticipant(map[string][]string{"charge:action": {"fail"}, "reserve:compensation": {"fail", "fail"}})
	expectSaga(t, p, runSaga(t, "order-7", []sgStep{{"reserve", 0}, {"charge", 0}}, p), "compensated",
		[]string{"reserve:action ok", "charge:action fail", "reserve:compensation fail", "reserve:compensation fail", "reserve:compensation ok"},
		"a compensation must happen, retried until it succeeds")
}

func TestEveryAttemptCarriesItsKey(t *testing.T) {
	p := newSgParticipant(map[string][]string{"charge:action": {"fail", "fail"}})
	runSaga(t, "order-7", []sgStep{{"reserve", 0}, {"charge", 1}}, p)
	want := []string{"order-7:reserve:action", "order-7:charge:action", "order-7:charge:action", "order-7:reserve:compensation"}
	if !slices.Equal(p.keys, want) {
		t.Fatalf("the keys were %q: want <saga id>:<step>:<kind>, %q", p.keys, want)
	}
}
