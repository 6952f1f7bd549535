# wrong: get() returns None on a closed, empty mailbox, so a None message looks like the end and the end like a message
import threading
from collections import deque

BLOCK = "block"  # a full mailbox makes put() wait for room, up to block_timeout seconds
FAIL_FAST = "fail_fast"  # a full mailbox makes put() raise MailboxFull at once


class MailboxFull(Exception):
    """put() found no room: at once (FAIL_FAST) or by its deadline (BLOCK)."""


class MailboxClosed(Exception):
    """The mailbox is closed: put() takes nothing more; get() has delivered everything."""


class Mailbox:
    """A bounded FIFO of messages between threads: an actor's mailbox, smaller.

    At most `capacity` messages wait; when it is full, `overflow` decides what a
    sender meets: BLOCK waits for room up to `block_timeout` seconds, FAIL_FAST
    raises MailboxFull at once. Safe to share between threads.
    """

    def __init__(self, capacity, overflow=BLOCK, block_timeout=5.0):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        if overflow not in (BLOCK, FAIL_FAST):
            raise ValueError(f"overflow must be BLOCK or FAIL_FAST, got {overflow!r}")
        self._capacity = capacity
        self._overflow = overflow
        self._block_timeout = block_timeout
        self._items = deque()
        self._cond = threading.Condition()  # one lock; every change wakes every waiter
        self._closed = False

    def put(self, msg):
        """Queue msg by the overflow policy; MailboxClosed once the mailbox is closed."""
        with self._cond:
            if self._closed:
                raise MailboxClosed("put: the mailbox is closed")
            if len(self._items) >= self._capacity:
                if self._overflow == FAIL_FAST:
                    raise MailboxFull(f"put: the mailbox is full ({self._capacity} messages)")
                room = self._cond.wait_for(
                    lambda: self._closed or len(self._items) < self._capacity,
                    self._block_timeout,
                )
                if self._closed:
                    raise MailboxClosed("put: the mailbox was closed while the sender waited")
                if not room:
                    raise MailboxFull(
                        f"put: the mailbox stayed full ({self._capacity} messages) "
                        f"for {self._block_timeout}s"
                    )
            self._items.append(msg)
            self._cond.notify_all()

    def get(self):
        """The next message, oldest first, waiting for one if need be; MailboxClosed once
        the mailbox is closed and everything queued has been delivered."""
        with self._cond:
            while not self._items:
                if self._closed:
                    return None
                self._cond.wait()
            msg = self._items.popleft()
            self._cond.notify_all()
            return msg

    def close(self):
        """Take no more messages; what is queued is still delivered. Closing twice is fine."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
