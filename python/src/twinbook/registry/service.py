"""The registry's rules over a :class:`~twinbook.registry.store.Store` (the Go twin is
``go/registry/service.go``): one global sequence of schema ids (the same schema under two
subjects has one id), versions per subject, deduplication on the normalized form,
compatibility levels, soft and hard deletes. Reads never wait for the store; writes are
serialized, appended and acknowledged, then applied."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import errors as e
from .checker import Checker, Explainer, Parsed
from .model import AVRO, DEFAULT_LEVEL, Reference, SchemaValue
from .records import (
    CLEAR_SUBJECT,
    CONFIG,
    DELETE_SUBJECT,
    MODE,
    SCHEMA,
    Record,
    config_record,
    decode_schema_value,
    delete_subject_record,
    schema_record,
    schema_tombstone,
)
from .store import Store

__all__ = [
    "SchemaRequest",
    "Service",
    "parse_version",
]

MAX_REFERENCE_DEPTH = 32
"""How deep references may nest: a cycle (which a hand-written topic could hold) ends in
an error, not a RecursionError."""


@dataclass(frozen=True)
class SchemaRequest:
    """The body of register, lookup and compatibility requests."""

    schema: str
    schema_type: str = ""
    references: tuple[Reference, ...] = ()


@dataclass
class _State:
    """What the log says: applying a record changes it, nothing else does."""

    subjects: dict[str, dict[int, SchemaValue]] = field(default_factory=dict)
    ids: dict[int, SchemaValue] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    max_id: int = 0
    global_level: str = ""
    levels: dict[str, str] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)


def parse_version(s: str) -> int:
    """A version as the API spells it: a number from 1, or "latest" (also -1) as -1."""
    if s == "latest":
        return -1
    try:
        n = int(s)
    except ValueError:
        raise e.invalid_version(s) from None
    if n == 0 or n < -1:
        raise e.invalid_version(s)
    return n


class Service:
    """The registry: build it with :meth:`open`, which replays the store's log."""

    def __init__(self, store: Store, checker: Checker, timeout: float = 10.0) -> None:
        self._store = store
        self._check = checker
        self._timeout = timeout
        self._write_lock = threading.Lock()  # one write at a time: it reads what it changes
        self._lock = threading.RLock()
        self._st = _State()
        self._parsed: dict[int, Parsed] = {}

    @classmethod
    def open(cls, store: Store, checker: Checker, timeout: float = 10.0) -> Service:
        """The service the store's log describes."""
        svc = cls(store, checker, timeout)

        def apply(record: Record) -> None:
            with svc._lock:
                svc._apply(record)

        store.load(apply, timeout)
        return svc

    # -- applying the log ---------------------------------------------------------------

    def _apply(self, record: Record) -> None:
        st = self._st
        key, value = record.key, record.value
        subject = key.subject or ""
        if key.keytype == SCHEMA:
            if value is None:
                self._remove_version(subject, key.version)
                return
            v = decode_schema_value(value)
            st.subjects.setdefault(v.subject, {})[v.version] = v
            st.ids.setdefault(v.id, v)
            st.keys[self._dedup_key(v.schema_type, v.schema, v.references)] = v.id
            st.max_id = max(st.max_id, v.id)
        elif key.keytype == CONFIG:
            level = "" if value is None else str(json.loads(value).get("compatibilityLevel") or "")
            if not subject:
                st.global_level = level
            elif level:
                st.levels[subject] = level
            else:
                st.levels.pop(subject, None)
        elif key.keytype == MODE:
            if value is None:
                st.modes.pop(subject, None)
            else:
                st.modes[subject] = str(json.loads(value).get("mode") or "")
        elif key.keytype == DELETE_SUBJECT and value is not None:
            d = json.loads(value)
            versions = st.subjects.get(d["subject"], {})
            for n, v in list(versions.items()):
                if n <= int(d["version"]):
                    versions[n] = v.marked_deleted()
        elif key.keytype == CLEAR_SUBJECT:
            for n, v in list(st.subjects.get(subject, {}).items()):
                if v.deleted:
                    self._remove_version(subject, n)
        # NOOP and the kinds this registry does not know change nothing.

    def _remove_version(self, subject: str, version: int) -> None:
        """A hard delete; an id no version uses any more is forgotten, as Confluent's is."""
        st = self._st
        versions = st.subjects.get(subject, {})
        v = versions.pop(version, None)
        if v is None:
            return
        if not versions:
            del st.subjects[subject]
        if any(o.id == v.id for vs in st.subjects.values() for o in vs.values()):
            return
        st.ids.pop(v.id, None)
        for k in [k for k, i in st.keys.items() if i == v.id]:
            del st.keys[k]
        self._parsed.pop(v.id, None)

    def _dedup_key(self, schema_type: str, text: str, refs: Sequence[Reference]) -> str:
        """What two registrations of one schema share: type, normalized form, references.
        A text the checker cannot parse (another registry's record) keys on its raw text."""
        try:
            canonical = self._parse_with(text, refs, 0).canonical
        except (ValueError, e.RegistryError):
            canonical = "raw:" + text
        return self._dedup_key_of(schema_type, canonical, refs)

    @staticmethod
    def _dedup_key_of(schema_type: str, canonical: str, refs: Sequence[Reference]) -> str:
        refs_text = json.dumps([r.to_json() for r in refs], separators=(",", ":"))
        return f"{schema_type or AVRO}\0{canonical}\0{refs_text}"

    def _parse_with(self, text: str, refs: Sequence[Reference], depth: int) -> Parsed:
        if depth > MAX_REFERENCE_DEPTH:
            raise ValueError("references nest too deep (a cycle?)")
        parsed = []
        for ref in refs:
            target = self._resolve_reference(ref)
            if target is None:
                raise ValueError(
                    f"reference {ref.name!r}: subject {ref.subject!r} version {ref.version} not found"
                )
            parsed.append(self._parsed_value(target, depth + 1))
        return self._check.parse(text, parsed)

    def _resolve_reference(self, ref: Reference) -> SchemaValue | None:
        if ref.version == -1:
            return self._latest(ref.subject, deleted=False)
        return self._st.subjects.get(ref.subject, {}).get(ref.version)

    def _parsed_value(self, v: SchemaValue, depth: int = 0) -> Parsed:
        p = self._parsed.get(v.id)
        if p is None:
            p = self._parse_with(v.schema, v.references, depth)
            self._parsed[v.id] = p
        return p

    def _versions(self, subject: str, deleted: bool) -> list[SchemaValue]:
        vs = self._st.subjects.get(subject, {})
        return [vs[n] for n in sorted(vs) if deleted or not vs[n].deleted]

    def _latest(self, subject: str, deleted: bool) -> SchemaValue | None:
        vs = self._versions(subject, deleted)
        return vs[-1] if vs else None

    def _level(self, subject: str) -> str:
        if subject and subject in self._st.levels:
            return self._st.levels[subject]
        return self._st.global_level or DEFAULT_LEVEL

    def _commit(self, records: list[Record]) -> None:
        """Append, then apply: a record is in the state only once the store has it."""
        try:
            self._store.append(records, self._timeout)
        except TimeoutError as err:
            raise e.RegistryError(
                500, e.STORE_TIMEOUT, f"Write to the backend data store timed out: {err}"
            ) from err
        except Exception as err:
            raise e.store_error(err) from err
        with self._lock:
            for record in records:
                self._apply(record)

    def _parse_request(self, req: SchemaRequest) -> tuple[Parsed, str]:
        if req.schema_type and req.schema_type != AVRO:
            raise e.invalid_schema(
                f"schema type {req.schema_type} is not supported by this registry (AVRO only)"
            )
        if not req.schema.strip():
            raise e.invalid_schema("empty schema")
        try:
            p = self._parse_with(req.schema, req.references, 0)
        except ValueError as err:
            raise e.invalid_schema(str(err)) from None
        return p, self._dedup_key_of(req.schema_type, p.canonical, req.references)

    def _find(self, subject: str, version: str, deleted: bool) -> SchemaValue:
        n = parse_version(version)
        vs = self._versions(subject, deleted)
        if not vs:
            raise e.subject_not_found(subject)
        if n == -1:
            return vs[-1]
        for v in vs:
            if v.version == n:
                return v
        raise e.version_not_found(subject, n)

    def _referenced_by(self, target: SchemaValue) -> list[int]:
        ids = {
            v.id
            for vs in self._st.subjects.values()
            for v in vs.values()
            if not v.deleted
            for r in v.references
            if r.subject == target.subject and r.version == target.version
        }
        return sorted(ids)

    # -- the API ------------------------------------------------------------------------

    def register(self, subject: str, req: SchemaRequest) -> int:
        """The subject's id for the same (normalized) schema, adding no version; else a new
        version once the subject's level allows it (409 otherwise, nothing written)."""
        with self._write_lock:
            # docs:start register
            with self._lock:
                p, key = self._parse_request(req)
                live = self._versions(subject, deleted=False)
                for v in live:  # the same schema, however spelled: its id again
                    if self._dedup_key(v.schema_type, v.schema, v.references) == key:
                        return v.id
                level = self._level(subject)
                existing = self._parsed_history(subject, live)
                schema_id, version = self._next_ids(subject, key)
            if not self._check.compatible(level, p, existing):
                raise self._incompatible(subject, level, p, existing, live)
            schema_type = "" if req.schema_type == AVRO else req.schema_type
            value = SchemaValue(
                subject, version, schema_id, req.schema, schema_type, req.references
            )
            self._commit([schema_record(value)])
            return schema_id
            # docs:end register

    def _parsed_history(self, subject: str, live: list[SchemaValue]) -> list[Parsed]:
        """The subject's live versions parsed, oldest first; one that no longer parses is
        the store's fault, not the caller's. Callers hold the lock."""
        try:
            return [self._parsed_value(v) for v in live]
        except ValueError as err:
            raise e.store_error(f"a version of {subject!r} does not parse: {err}") from None

    def _next_ids(self, subject: str, key: str) -> tuple[int, int]:
        """The id for this normalized key (the one it has under any subject, else the next
        free one) and the subject's next version, counting soft-deleted ones as Confluent
        does. Callers hold the lock."""
        schema_id = self._st.keys.get(key, self._st.max_id + 1)
        every = self._versions(subject, deleted=True)
        return schema_id, every[-1].version + 1 if every else 1

    def _incompatible(
        self,
        subject: str,
        level: str,
        p: Parsed,
        existing: list[Parsed],
        live: list[SchemaValue],
    ) -> e.RegistryError:
        """The 409 of a refused registration, naming the first incompatibility found."""
        message = (
            "Schema being registered is incompatible with an earlier schema for "
            f'subject "{subject}" (level {level})'
        )
        if why := self._why(level, p, existing, live):
            message += f": {why}"
        return e.RegistryError(409, e.INCOMPATIBLE, message)

    def lookup(self, subject: str, req: SchemaRequest, deleted: bool = False) -> SchemaValue:
        """The subject's version with this schema: 40401 for an unknown subject, 40403 when
        the subject does not have it."""
        with self._lock:
            vs = self._versions(subject, deleted)
            if not vs:
                raise e.subject_not_found(subject)
            _, key = self._parse_request(req)
            for v in reversed(vs):
                if self._dedup_key(v.schema_type, v.schema, v.references) == key:
                    return v
        raise e.schema_not_found(f"not found under subject '{subject}'")

    def version(self, subject: str, version: str, deleted: bool = False) -> SchemaValue:
        with self._lock:
            return self._find(subject, version, deleted)

    def versions(self, subject: str, deleted: bool = False) -> list[int]:
        with self._lock:
            vs = self._versions(subject, deleted)
        if not vs:
            raise e.subject_not_found(subject)
        return [v.version for v in vs]

    def subjects(self, deleted: bool = False) -> list[str]:
        with self._lock:
            return sorted(s for s in self._st.subjects if self._versions(s, deleted))

    def schema_by_id(self, schema_id: int) -> SchemaValue:
        """The schema registered with this id (soft-deleted versions keep it resolvable:
        consumers still read their records)."""
        v = self._st.ids.get(schema_id)  # one dict read: atomic, no lock on the hot path
        if v is None:
            raise e.schema_not_found(str(schema_id))
        return v

    def id_versions(self, schema_id: int, deleted: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            if schema_id not in self._st.ids:
                raise e.schema_not_found(str(schema_id))
            pairs = sorted(
                (name, n)
                for name, vs in self._st.subjects.items()
                for n, v in vs.items()
                if v.id == schema_id and (deleted or not v.deleted)
            )
        return [{"subject": s, "version": n} for s, n in pairs]

    def referenced_by(self, subject: str, version: str) -> list[int]:
        with self._lock:
            return self._referenced_by(self._find(subject, version, False))

    def check_compatibility(
        self, subject: str, version: str | None, req: SchemaRequest
    ) -> tuple[bool, list[str]]:
        """Judge ``req`` against one version (or every version: ``version`` None) in the
        direction of the subject's level."""
        with self._lock:
            p, _ = self._parse_request(req)
            level = self._level(subject)
            against: list[SchemaValue]
            if version is None:
                against = self._versions(subject, False)
            else:
                try:
                    against = [self._find(subject, version, False)]
                except e.RegistryError as err:
                    if err.code != e.SUBJECT_NOT_FOUND or version != "latest":
                        raise
                    against = []  # nothing to be compatible with yet
            try:
                existing = [self._parsed_value(v) for v in against]
            except ValueError as err:
                raise e.store_error(err) from None
        if self._check.compatible(level, p, existing):
            return True, []
        if why := self._why(level, p, existing, against):
            return False, [why]
        return False, [
            f"the schema is not {level} compatible with the schemas it was checked against"
        ]

    def _why(
        self,
        level: str,
        candidate: Parsed,
        existing: Sequence[Parsed],
        versions: Sequence[SchemaValue],
    ) -> str:
        """Which version ``candidate`` fails against and which rule failed ("version 2
        (BACKWARD): ..."), when the Checker can explain itself; "" when it cannot."""
        if not isinstance(self._check, Explainer):
            return ""
        found = self._check.explain(level, candidate, existing)
        if found is None or not 0 <= found[0] < len(versions):
            return ""
        return f"version {versions[found[0]].version} ({level}): {found[1]}"

    def level(self, subject: str = "", default_to_global: bool = False) -> str:
        with self._lock:
            if not subject:
                return self._level("")
            if subject in self._st.levels:
                return self._st.levels[subject]
            if default_to_global:
                return self._level("")
        raise e.level_not_found(subject)

    def set_level(self, subject: str, level: str) -> str:
        try:
            name = self._check.parse_level(level)
        except ValueError:
            raise e.invalid_level() from None
        with self._write_lock:
            self._commit([config_record(subject, name)])
        return name

    def delete_level(self, subject: str = "") -> str:
        with self._write_lock:
            with self._lock:
                if subject:
                    if subject not in self._st.levels:
                        raise e.level_not_found(subject)
                    old = self._st.levels[subject]
                else:
                    old = self._level("")
            self._commit([config_record(subject, "")])
            return old

    def mode(self, subject: str = "") -> str:
        """READWRITE: this registry has no other mode."""
        with self._lock:
            return self._st.modes.get(subject) or self._st.modes.get("") or "READWRITE"

    def delete_subject(self, subject: str, permanent: bool = False) -> list[int]:
        """Soft-delete every version, or, ``permanent``, remove a subject soft-deleted
        first (40405 otherwise, as Confluent refuses); the versions deleted."""
        with self._write_lock:
            with self._lock:
                every = self._versions(subject, True)
                live = self._versions(subject, False)
                has_level = subject in self._st.levels
                refs = [v for v in live if self._referenced_by(v)]
            if not every:
                raise e.subject_not_found(subject)
            if permanent and live:
                raise e.RegistryError(
                    404,
                    e.SUBJECT_NOT_SOFT_DELETED,
                    f"Subject '{subject}' was not deleted first before being permanently deleted",
                )
            if permanent:
                self._commit([schema_tombstone(subject, v.version) for v in every])
                return [v.version for v in every]
            if not live:
                raise e.RegistryError(
                    404,
                    e.SUBJECT_SOFT_DELETED,
                    f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently",
                )
            if refs:
                raise _reference_exists(refs[0])
            records = [delete_subject_record(subject, every[-1].version)]
            if has_level:
                records.append(config_record(subject, ""))  # as Confluent does
            self._commit(records)
            return [v.version for v in live]

    def delete_version(self, subject: str, version: str, permanent: bool = False) -> int:
        """Soft-delete one version, or, ``permanent``, remove a version soft-deleted first
        (40407 otherwise); its number."""
        with self._write_lock:
            with self._lock:
                # A soft delete of "latest" means the newest live version; a number finds
                # soft-deleted versions too, to refuse them by name (40406).
                v = self._find(subject, version, permanent or version != "latest")
                refs = self._referenced_by(v)
            if refs:
                raise _reference_exists(v)
            if permanent and not v.deleted:
                raise e.RegistryError(
                    404,
                    e.VERSION_NOT_SOFT_DELETED,
                    f"Subject '{subject}' Version {v.version} was not deleted first before being permanently deleted",
                )
            if permanent:
                self._commit([schema_tombstone(subject, v.version)])
            elif v.deleted:
                raise e.RegistryError(
                    404,
                    e.VERSION_SOFT_DELETED,
                    f"Subject '{subject}' Version {v.version} was soft deleted.Set permanent=true to delete permanently",
                )
            else:
                self._commit([schema_record(v.marked_deleted())])
            return v.version


def _reference_exists(v: SchemaValue) -> e.RegistryError:
    return e.RegistryError(
        422,
        e.REFERENCE_EXISTS,
        f"One or more references exist to the schema {{subject={v.subject},version={v.version}}}",
    )
