# wrong: looks at cancel only after a wait timed out (inbox empty, outbox full), so a busy stage goes on processing every waiting item after cancel
import queue
import threading

DONE = object()  # the end-of-stream marker: put it on a queue to say "nothing more will come"


def stage(fn, inbox, maxsize, cancel=None):
    """Start one thread that applies fn to every item from inbox, in order."""
    outbox = queue.Queue(maxsize)
    stop = cancel if cancel is not None else threading.Event()

    def put(item):
        while True:
            try:
                outbox.put(item, timeout=0.05)
                return True
            except queue.Full:
                if stop.is_set():
                    return False

    def run():
        while True:
            try:
                item = inbox.get(timeout=0.05)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            if item is DONE:
                put(DONE)
                return
            if not put(fn(item)):
                return

    threading.Thread(target=run, name="stage", daemon=True).start()
    return outbox
