# wrong: keeps the restart times in a class attribute: every Tree counts the restarts of all trees
class Tree:
    restarts = []  # the times of the restarts still in the period

    """A one_for_one supervisor's rules, driven by the caller's events and times.

    children: (id, restart) pairs in start order; restart is "permanent", "transient" or
    "temporary". start(now_ms) starts them all; exited(child, reason, now_ms) says that a running
    child ended, with reason "normal", "shutdown" or "crash". Both return the action log, what
    the supervisor did: "start ID", "terminate ID", "give_up /". There is no clock and no
    thread: time is what the caller says, in milliseconds.
    """

    def __init__(self, strategy, intensity, period_ms, children):
        self._intensity = intensity
        self._period_ms = period_ms
        self._children = [(cid, restart) for cid, restart in children]  # start order
        self._running = set()  # ids
        self._stopped = False

    @property
    def stopped(self):
        """Whether the supervisor has given up: then the tree does nothing any more."""
        return self._stopped

    def running(self):
        """The ids of the running children, in start order."""
        return [cid for cid, _ in self._children if cid in self._running]

    def start(self, now_ms):
        """Start every child, in start order: the log is a "start ID" for each."""
        self._running = {cid for cid, _ in self._children}
        return [f"start {cid}" for cid, _ in self._children]

    def exited(self, child, reason, now_ms):
        """The running child `child` ended with `reason` at `now_ms`: what did the supervisor do?"""
        if self._stopped:
            return []  # a supervisor that gave up does nothing any more
        self._running.remove(child)
        restart = dict(self._children)[child]
        if restart == "temporary" or (restart == "transient" and reason != "crash"):
            return []  # no restart, so nothing is counted
        # the restarts from now_ms - period_ms on still count (that boundary included)
        while self.restarts and self.restarts[0] < now_ms - self._period_ms:
            self.restarts.pop(0)
        self.restarts.append(now_ms)
        if len(self.restarts) > self._intensity:
            return self._give_up()
        self._running.add(child)
        return [f"start {child}"]

    def _give_up(self):
        """Terminate the running children in reverse start order, and stop for good."""
        log = ["give_up /"]
        for cid, _ in reversed(self._children):
            if cid in self._running:
                log.append(f"terminate {cid}")
        self._running.clear()
        self._stopped = True
        return log
