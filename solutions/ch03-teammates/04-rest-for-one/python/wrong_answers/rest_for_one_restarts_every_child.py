# wrong: rest_for_one restarts every child, like one_for_all: the children before the one that ended must not be touched
class Tree:
    """A rest_for_one or one_for_all supervisor's rules, driven by the caller's events and times.

    strategy: "rest_for_one" or "one_for_all". children: (id, restart) pairs in start order;
    restart is "permanent", "transient" or "temporary". start(now_ms) starts them all;
    exited(child, reason, now_ms) says that a running child ended, with reason "normal",
    "shutdown" or "crash". Both return the action log, what the supervisor did: "start ID",
    "terminate ID", "give_up /". There is no clock and no thread: time is what the caller
    says, in milliseconds.
    """

    def __init__(self, strategy, intensity, period_ms, children):
        self._strategy = strategy
        self._intensity = intensity
        self._period_ms = period_ms
        self._children = [
            (cid, restart) for cid, restart in children
        ]  # start order; removed ones dropped
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
        restart = dict(self._children)[child]
        if restart == "temporary":
            self._children.remove((child, restart))  # gone for good
            return []
        if restart == "transient" and reason != "crash":
            return []  # it stays in the tree, not running; nothing is counted
        # the restarts from now_ms - period_ms on still count (that boundary included)
        self._restarts = [t for t in self._restarts if t >= now_ms - self._period_ms]
        self._restarts.append(now_ms)
        if len(self._restarts) > self._intensity:
            return self._give_up()
        return self._restart(self._children)

    def _restart(self, affected):
        """Terminate the running children of `affected` in reverse order, then start those
        left in the tree in order: the actions."""
        actions = []
        for cid, restart in reversed(affected):
            if cid in self._running:
                actions.append(f"terminate {cid}")
                if restart == "temporary":
                    self._children.remove((cid, restart))  # not started again
        for cid, restart in affected:
            if (cid, restart) in self._children:
                self._running.add(cid)
                actions.append(f"start {cid}")
        return actions

    def _give_up(self):
        """Terminate the running children in reverse start order, and stop for good."""
        log = ["give_up /"]
        for cid, _ in reversed(self._children):
            if cid in self._running:
                log.append(f"terminate {cid}")
        self._running.clear()
        self._stopped = True
        return log
