# wrong: a source's exception ends its reader thread quietly, so the consumer never hears of it
import queue
import threading


def merge(*sources, cancel=None):
    """Yield every item of every source (any iterables) as soon as it is ready."""
    stop = threading.Event()

    def stopped():
        return stop.is_set() or (cancel is not None and cancel.is_set())

    events = queue.Queue()

    def pump(source):
        try:
            for item in source:
                if stopped():
                    return
                events.put(("item", item))
        finally:
            events.put(("end", None))

    for source in sources:
        threading.Thread(target=pump, args=(source,), daemon=True).start()
    running = len(sources)
    try:
        while running and not stopped():
            try:
                kind, value = events.get(timeout=0.05)
            except queue.Empty:
                continue
            if kind == "item":
                yield value
            else:
                running -= 1
    finally:
        stop.set()
