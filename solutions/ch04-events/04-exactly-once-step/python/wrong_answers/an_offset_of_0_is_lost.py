# wrong: tests the pending offset for truth, so an offset of 0 is never committed
class Fenced(Exception):
    """A producer whose epoch is older than its transactional id's newest: a zombie."""


class TransactionLog:
    """One partition's log and one consumer group's committed offset, written by
    transactional producers, as a Kafka broker keeps them.

    A producer calls init(tid) once (it gets an epoch), then for each
    transaction: send(...) for its outputs, send_offset(...) for the input
    position it has consumed up to, and commit(...) or abort(...).
    """

    def __init__(self):
        self._log = []  # [value, tid, state] in log order; state: open, committed or aborted
        self._epochs = {}  # tid -> its newest epoch
        self._pending = {}  # tid -> the offset its open transaction will commit
        self._offset = None  # the group's committed offset

    def init(self, tid):
        """Register a producer for `tid`: its new epoch (0, then 1, 2, ...). What
        an older epoch left open is aborted, and that producer is fenced."""
        epoch = self._epochs.get(tid, -1) + 1
        self._epochs[tid] = epoch
        self._end(tid, "aborted")
        return epoch

    def send(self, tid, epoch, value):
        """Append `value` to the log, inside tid's open transaction."""
        self._check(tid, epoch)
        self._log.append([value, tid, "open"])

    def send_offset(self, tid, epoch, offset):
        """The group's offset becomes `offset` if, and when, the transaction commits."""
        self._check(tid, epoch)
        self._pending[tid] = offset

    def commit(self, tid, epoch):
        """Make the transaction's records and offset visible, all at once."""
        self._check(tid, epoch)
        if self._pending.get(tid):
            self._offset = self._pending[tid]
        self._end(tid, "committed")

    def abort(self, tid, epoch):
        """Drop the transaction: its records are never read, its offset never committed."""
        self._check(tid, epoch)
        self._end(tid, "aborted")

    def read_committed(self):
        """What a read_committed consumer reads: the values of committed records,
        in log order, up to the first record of a transaction still open."""
        values = []
        for value, _, state in self._log:
            if state == "open":
                break  # the last stable offset: nothing after it is decided yet
            if state == "committed":
                values.append(value)
        return values

    def committed_offset(self):
        """The group's committed offset, or None before the first commit with one."""
        return self._offset

    def _check(self, tid, epoch):
        """Fenced unless `epoch` is tid's newest."""
        if epoch != self._epochs.get(tid):
            raise Fenced(f"{tid} epoch {epoch} is not the newest, {self._epochs.get(tid)}")

    def _end(self, tid, state):
        """End tid's open transaction, if any: its records take `state`."""
        for record in self._log:
            if record[1] == tid and record[2] == "open":
                record[2] = state
        self._pending.pop(tid, None)
