# wrong: counts attempts on the caller's own dicts: the outbox the caller holds changes under it
def relay_batch(outbox, publish, limit, max_attempts):
    """One pass of an outbox relay: (kept, parked, published).

    The outbox rows were written in the same transactions as the data they
    describe; the relay publishes them to the broker afterwards. A row is
    deleted only once the broker acknowledged it; a row that keeps failing
    (poison) is parked so that it stops blocking; and the rows of one
    aggregate are published in id order, never one overtaking another.
    """
    if limit < 1 or max_attempts < 1:
        raise ValueError(f"limit and max_attempts must be at least 1: {limit}, {max_attempts}")
    kept, parked, published = [], [], []
    blocked = set()  # aggregates with a row not published in this pass
    tried = 0
    for row in sorted(outbox, key=lambda r: r["id"]):
        if tried == limit or row["aggregate"] in blocked:
            kept.append(row)
            continue
        tried += 1
        if publish(dict(row)):
            published.append(row["id"])  # acknowledged: delete it
            continue
        row["attempts"] += 1
        blocked.add(row["aggregate"])  # its later rows must not overtake it
        if row["attempts"] >= max_attempts:
            parked.append(row)
        else:
            kept.append(row)
    return kept, parked, published
