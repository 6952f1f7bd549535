# wrong: nothing tells the reader threads that the consumer left, so they read endless sources forever
import queue
import threading


def merge(*sources, cancel=None):
    """Yield every item of every source (any iterables) as soon as it is ready."""

    def stopped():
        return cancel is not None and cancel.is_set()

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
    while running and not stopped():
        try:
            kind, value = events.get(timeout=0.05)
        except queue.Empty:
            continue
        if kind == "item":
            yield value
        elif kind == "error":
            raise value
        else:
            running -= 1
