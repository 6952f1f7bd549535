# wrong: appends each result when its call finishes, so the results come in completion order
import threading


def map_limited(fn, items, limit):
    """Return [fn(x) for x in items], running at most `limit` calls at once in threads."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    results = []
    errors = []
    slots = threading.Semaphore(limit)
    lock = threading.Lock()

    def work(item):
        try:
            value = fn(item)
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            slots.release()

    threads = []
    for item in items:
        slots.acquire()
        if errors:
            slots.release()
            break
        thread = threading.Thread(target=work, args=(item,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
