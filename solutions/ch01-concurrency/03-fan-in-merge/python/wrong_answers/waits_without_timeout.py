# wrong: waits on the queue with a plain get(), so a cancel that comes while every source is silent is never noticed
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
        except Exception as exc:
            events.put(("error", exc))
        finally:
            events.put(("end", None))

    for source in sources:
        threading.Thread(target=pump, args=(source,), daemon=True).start()
    running = len(sources)
    try:
        while running and not stopped():
            kind, value = events.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                running -= 1
    finally:
        stop.set()
