# wrong: counts every exit as a restart, also the transient and temporary exits that ask for none
class Tree:
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
        self._restarts = []  # the times of the restarts still in the period
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
        self._restarts = [t for t in self._restarts if t >= now_ms - self._period_ms]
        self._restarts.append(now_ms)
        if len(self._restarts) > self._intensity:
            return self._give_up()
        restart = dict(self._children)[child]
        if restart == "temporary" or (restart == "transient" and reason != "crash"):
            return []
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
