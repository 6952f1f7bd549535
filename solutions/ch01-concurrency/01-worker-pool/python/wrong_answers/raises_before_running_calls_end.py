# wrong: raises the first error at once, while calls that already started are still running
import threading


def map_limited(fn, items, limit):
    """Return [fn(x) for x in items], running at most `limit` calls at once in threads."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    items = list(items)
    results = [None] * len(items)
    errors = []
    slots = threading.Semaphore(limit)
    lock = threading.Lock()

    def work(i, item):
        try:
            results[i] = fn(item)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            slots.release()

    threads = []
    for i, item in enumerate(items):
        slots.acquire()
        if errors:
            raise errors[0]  # the calls still running are left behind
        thread = threading.Thread(target=work, args=(i, item))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
