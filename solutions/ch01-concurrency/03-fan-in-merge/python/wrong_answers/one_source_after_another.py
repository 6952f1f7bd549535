# wrong: reads the sources one after the other, so a slow first source holds up all the others
def merge(*sources, cancel=None):
    """Yield every item of every source (any iterables) as soon as it is ready."""
    for source in sources:
        for item in source:
            if cancel is not None and cancel.is_set():
                return
            yield item
