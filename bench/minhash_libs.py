"""rensa vs datasketch MinHash on the same texts: signatures/s and estimation error (why minhash.py uses rensa).

The 74 DEV gold bodies of ``../shared/eval`` x5, 5-word shingles of their text keys, 128
permutations; the error is |estimate - true Jaccard| on an edited copy of each body (20% of
the shingles dropped, 10% new ones)::

    python -m bench.minhash_libs          # datasketch is in the bench extra
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms.corpus.minhash import shingles  # noqa: E402


def main() -> int:
    import datasketch
    import rensa

    dev = ROOT.parent / "shared" / "eval" / "dev"
    texts = [p.read_text(encoding="utf-8") for p in sorted(dev.glob("*.gold.txt"))]
    sets = [sorted(shingles(t)) for t in texts * 5]
    started = time.perf_counter()
    for s in sets:
        m = datasketch.MinHash(num_perm=128, seed=1)
        m.update_batch([x.encode() for x in s])
    d = time.perf_counter() - started
    started = time.perf_counter()
    for s in sets:
        m = rensa.RMinHash(num_perm=128, seed=1)
        m.update(s)
        m.digest()
    r = time.perf_counter() - started
    print(f"{len(sets)} texts: datasketch {len(sets) / d:.0f}/s, rensa {len(sets) / r:.0f}/s ({d / r:.1f}x)")
    rng = random.Random(0)
    err_d, err_r = [], []
    for s in sets[: len(texts)]:
        b = [x for x in s if rng.random() < 0.8] + [f"new{i}" for i in range(len(s) // 10)]
        true = len(set(s) & set(b)) / len(set(s) | set(b))
        a1, b1 = rensa.RMinHash(num_perm=128, seed=1), rensa.RMinHash(num_perm=128, seed=1)
        a1.update(s)
        b1.update(b)
        err_r.append(abs(a1.jaccard(b1) - true))
        a2, b2 = datasketch.MinHash(num_perm=128, seed=1), datasketch.MinHash(num_perm=128, seed=1)
        a2.update_batch([x.encode() for x in s])
        b2.update_batch([x.encode() for x in b])
        err_d.append(abs(a2.jaccard(b2) - true))
    print(f"mean |estimate - true Jaccard|: datasketch {np.mean(err_d):.4f}, rensa {np.mean(err_r):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
