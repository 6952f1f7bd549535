# wrong: makes an unbounded outbox, so a slow consumer never slows the stage down (no backpressure)
import queue
import threading

DONE = object()  # the end-of-stream marker: put it on a queue to say "nothing more will come"


def stage(fn, inbox, maxsize, cancel=None):
    """Start one thread that applies fn to every item from inbox, in order."""
    outbox = queue.Queue()
    stop = cancel if cancel is not None else threading.Event()

    def run():
        while not stop.is_set():
            try:
                item = inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is DONE:
                outbox.put(DONE)
                return
            outbox.put(fn(item))

    threading.Thread(target=run, name="stage", daemon=True).start()
    return outbox
