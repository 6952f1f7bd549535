# wrong: looks at cancel only while the queue is empty, so it goes on yielding every item already queued after cancel
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
        while running:
            try:
                kind, value = events.get(timeout=0.05)
            except queue.Empty:
                if stopped():
                    return
                continue
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                running -= 1
    finally:
        stop.set()
