"""The benchmarks' event rows as a pyarrow table: id int64 (sequential from `start`), ts
timestamp[ms] (increasing), city string (50 values), user string (~200k distinct), amount double
(5% null), quantity int32 (1..20); random columns drawn from `seed`, so a file is reproducible."""
import numpy as np
import pyarrow as pa

CITIES = np.array([f"city-{i:02d}" for i in range(50)], dtype=object)


def event_table(rows, start, seed):
    rng = np.random.default_rng(seed)
    ids = np.arange(start, start + rows, dtype=np.int64)
    return pa.table({
        "id": pa.array(ids),
        "ts": pa.array(1_760_000_000_000 + ids * 37, pa.timestamp("ms", tz="UTC")),
        "city": pa.array(CITIES[rng.integers(0, 50, rows)], pa.string()),
        "user": pa.array(np.char.add("user-", rng.integers(0, 200_000, rows).astype(str)), pa.string()),
        "amount": pa.array(rng.random(rows) * 1000, pa.float64(), mask=rng.random(rows) < 0.05),
        "quantity": pa.array(rng.integers(1, 21, rows).astype(np.int32)),
    })
