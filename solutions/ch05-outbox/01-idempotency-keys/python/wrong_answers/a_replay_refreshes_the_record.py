# wrong: a replay moves the record's stored time, so a key retried often never expires
class Keys:
    """The decisions of an idempotency-key middleware, without HTTP.

    A client that got no answer sends its request again with the same
    Idempotency-Key; the server must run it once and give every retry the
    first answer. `begin` decides what to do with a request, `finish` and
    `fail` say how a request that ran ended. One event loop calls it (an ASGI
    middleware), so it needs no lock. Times are milliseconds.
    """

    def __init__(self, required, ttl_ms, lease_ms):
        """Keys are required or optional; responses are kept ttl_ms, leases last lease_ms."""
        self._required = required
        self._ttl_ms = ttl_ms
        self._lease_ms = lease_ms
        # (method, path, key) -> {"body_hash", "token", "at", "status", "body"}: "token" is the
        # running request's, None once its response is stored; "at" is when it was marked or
        # stored
        self._records = {}
        self._last_token = 0

    def begin(self, now, key, method, path, body_hash):
        """('run', token), ('replay', status, body) or ('refuse', status)."""
        if key is None:
            if self._required:
                return ("refuse", 400)
            return ("run", None)  # no key: run it, record nothing
        if not 1 <= len(key) <= 255 or any(not " " <= c <= "~" for c in key):
            return ("refuse", 400)
        scope = (method, path, key)
        record = self._records.get(scope)
        if record is not None and record["token"] is None:
            if now - record["at"] < self._ttl_ms:  # else expired: as if absent
                if record["body_hash"] != body_hash:
                    return ("refuse", 422)
                record["at"] = now
                return ("replay", record["status"], record["body"])
        elif record is not None and now - record["at"] < self._lease_ms:
            return ("refuse", 409)  # in progress, and its lease holds
        self._last_token += 1
        self._records[scope] = {"body_hash": body_hash, "token": self._last_token, "at": now}
        return ("run", self._last_token)

    def finish(self, now, token, status, body):
        """The request of `token` answered (status, body) at `now`: store it if it holds its key."""
        if token is None:
            return  # a request without a key marked nothing
        for record in self._records.values():
            if record["token"] == token:
                record.update(token=None, at=now, status=status, body=body)

    def fail(self, token):
        """The handler of `token` raised: release its key if it still holds it."""
        if token is None:
            return
        for scope, record in self._records.items():
            if record["token"] == token:
                del self._records[scope]
                return
