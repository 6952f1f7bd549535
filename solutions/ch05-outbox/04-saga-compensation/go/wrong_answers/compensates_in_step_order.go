// wrong: compensates in the order the steps ran, not in reverse: the goods are released before the charge is undone
package main

// Step is a step of a saga: its name, and how many times its action is
// retried after a failure.
type Step struct {
	Name    string
	Retries int
}

// RunSaga runs a saga's steps in order, and undoes the done ones when a step
// fails for good. attempt calls a service: kind is "action" or
// "compensation", key the attempt's idempotency key, and it returns true
// when the call succeeded. RunSaga returns "completed" or "compensated".
func RunSaga(sagaID string, steps []Step, attempt func(step, kind, key string) bool) string {
	for i, s := range steps {
		failures := 0
		for !attempt(s.Name, "action", sagaID+":"+s.Name+":action") {
			failures++
			if failures > s.Retries { // Retries + 1 attempts failed: this step failed for good
				for j := 0; j < i; j++ { // never the failed step itself
					done := steps[j].Name
					for !attempt(done, "compensation", sagaID+":"+done+":compensation") {
						// a compensation must happen: retried until it succeeds
					}
				}
				return "compensated"
			}
		}
	}
	return "completed"
}
