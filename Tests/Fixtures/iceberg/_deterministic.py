"""Make pyiceberg's output reproducible (import and call install() before writing tables).

pyiceberg draws table uuids, snapshot ids, commit uuids (manifest, manifest-list, data and
metadata file names) from uuid.uuid4(), Avro sync markers from os.urandom(), and timestamps
(snapshot timestamp-ms, last-updated-ms, snapshot-log, metadata-log) from the wall clock.
install() replaces, for this process only:
  - uuid.uuid4                          -> version-4 uuids from random.Random(seed)
  - pyiceberg.avro.file's os.urandom    -> bytes from random.Random(seed + 1)
  - the clocks pyiceberg.table.{snapshots,update,metadata} read
                                        -> a fake clock starting at START_MS that advances
                                           1000 ms on every reading
and forces a single worker thread (PYICEBERG_MAX_WORKERS=1), so that uuids are drawn in the
same order on every run. pyiceberg keeps deleted files in a set (iteration order follows
str hashes), so install() re-executes the script with PYTHONHASHSEED=0 when it is not set,
and ManifestEntry gets a hash that does not depend on object addresses. Checked by regenerating: byte-identical trees for the same library
versions. This relies on pyiceberg internals (0.12.0): re-check on upgrade.
"""

import datetime as _dt
import os
import random
import sys
import types
import uuid

START_MS = 1_726_531_200_000  # 2024-09-17T00:00:00Z
STEP_MS = 1000


class _Clock:
    def __init__(self, start_ms):
        self.ms = start_ms

    def next_ms(self):
        self.ms += STEP_MS
        return self.ms


def install(seed: int, start_ms: int = START_MS) -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    os.environ["PYICEBERG_MAX_WORKERS"] = "1"

    rng = random.Random(seed)
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)

    clock = _Clock(start_ms)

    class FakeDatetime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            ms = clock.next_ms()
            t = _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.timezone.utc)
            return t if tz is not None else t.astimezone()

    fake_time = types.SimpleNamespace(time=lambda: clock.next_ms() / 1000)
    fake_dt_module = types.SimpleNamespace(**{k: getattr(_dt, k) for k in dir(_dt) if not k.startswith("__")})
    fake_dt_module.datetime = FakeDatetime

    import pyiceberg.avro.file as avro_file
    import pyiceberg.table.metadata as metadata
    import pyiceberg.table.snapshots as snapshots
    import pyiceberg.table.update as update

    sync_rng = random.Random(seed + 1)
    avro_file.os = types.SimpleNamespace(urandom=lambda n: sync_rng.randbytes(n))
    # Record.__hash__ is hash(str(self)), and a ManifestEntry's str() holds object addresses:
    # sets of entries (_OverwriteFiles._existing_manifests) would iterate in a different order
    # on each run. Hash by what identifies an entry instead (consistent with Record.__eq__).
    from pyiceberg.manifest import ManifestEntry
    ManifestEntry.__hash__ = lambda self: hash((int(self.status), self.snapshot_id, self.data_file.file_path))

    snapshots.time = fake_time
    update.datetime = FakeDatetime
    metadata.datetime = fake_dt_module
