"""The versions of deadline policies that deadlines refer to, kept in each process's memory.

A version never changes once written, so what a process read of it stays true: the cache
needs no expiry. It keeps committed rows only (a version written or read inside a
transaction joins it when that transaction commits), so that a rolled-back version is never
taken for one that exists."""

from django.db import transaction

from .models import Deadline, DeadlinePolicy, DeadlinePolicyVersion, snapshot_digest

# digest -> version, and version id -> snapshot: committed rows only
_by_digest: dict[str, DeadlinePolicyVersion] = {}
_snapshots: dict[int, dict] = {}


def _keep(version: DeadlinePolicyVersion) -> None:
    def keep() -> None:
        _by_digest[version.digest] = version
        _snapshots[version.pk] = version.snapshot

    transaction.on_commit(keep)


def policy_version(policy: DeadlinePolicy) -> DeadlinePolicyVersion:
    """The version of ``policy`` as it stands now, written the first time a deadline needs
    it (one read the first time a process meets it, none after)."""
    snapshot = policy.snapshot()
    digest = snapshot_digest(snapshot)
    version = _by_digest.get(digest)
    if version is None:
        version, _created = DeadlinePolicyVersion.objects.get_or_create(
            digest=digest, defaults={"policy": policy, "snapshot": snapshot}
        )
        _keep(version)
    return version


def version_snapshot(deadline: Deadline) -> dict:
    """The snapshot a deadline started with: from the version it holds if it was read with
    it, from the process's memory, or read once."""
    cached = deadline._state.fields_cache.get("policy_version")
    if cached is not None:
        return cached.snapshot
    snapshot = _snapshots.get(deadline.policy_version_id)
    if snapshot is None:
        version = DeadlinePolicyVersion.objects.get(pk=deadline.policy_version_id)
        _keep(version)
        snapshot = version.snapshot
    return snapshot


def forget_versions() -> None:
    """Forget every version this process remembers (after the table was made anew, as a
    migration back and forth does)."""
    _by_digest.clear()
    _snapshots.clear()
