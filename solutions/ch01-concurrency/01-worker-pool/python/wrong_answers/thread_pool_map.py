# wrong: ThreadPoolExecutor.map queues every item at once, so calls keep starting after the first error
from concurrent.futures import ThreadPoolExecutor


def map_limited(fn, items, limit):
    """Return [fn(x) for x in items], running at most `limit` calls at once in threads."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    with ThreadPoolExecutor(limit) as pool:
        return list(pool.map(fn, items))
