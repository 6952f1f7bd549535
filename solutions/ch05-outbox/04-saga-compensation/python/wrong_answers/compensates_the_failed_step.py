# wrong: compensates the failed step too: it undoes something that never happened
def run_saga(saga_id, steps, attempt):
    """Run a saga's steps in order; undo the done ones when a step fails for good.

    steps: a list of (name, retries). attempt(step, kind, key) calls a service:
    kind is "action" or "compensation", key the attempt's idempotency key,
    and it returns True when the call succeeded. Returns "completed" or
    "compensated".
    """
    for index, (name, retries) in enumerate(steps):
        failures = 0
        while not attempt(name, "action", f"{saga_id}:{name}:action"):
            failures += 1
            if failures > retries:  # retries + 1 attempts failed: this step failed for good
                for done, _ in reversed(steps[: index + 1]):  # never the failed step itself
                    while not attempt(done, "compensation", f"{saga_id}:{done}:compensation"):
                        pass  # a compensation must happen: retried until it succeeds
                return "compensated"
    return "completed"
