# wrong: takes a get that timed out for the end of the stream, so an item that arrives a little later is lost
import queue
import threading

DONE = object()  # the end-of-stream marker: put it on a queue to say "nothing more will come"


def stage(fn, inbox, maxsize, cancel=None):
    """Start one thread that applies fn to every item from inbox, in order."""
    outbox = queue.Queue(maxsize)
    stop = cancel if cancel is not None else threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                outbox.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def run():
        while not stop.is_set():
            try:
                item = inbox.get(timeout=0.05)
            except queue.Empty:
                put(DONE)  # nothing came: the producer must be finished
                return
            if item is DONE:
                put(DONE)
                return
            if not put(fn(item)):
                return

    threading.Thread(target=run, name="stage", daemon=True).start()
    return outbox
