"""A growable structure of numpy arrays (one row per proceeding or case) in compact dtypes."""

from __future__ import annotations

import numpy as np


class Store:
    """Columns of equal length with per-column defaults; rows are appended and compacted in bulk.

    ``s["col"]`` is a view of the used part of a column; views are invalidated by ``add`` and
    ``compact`` (take them again after either).
    """

    def __init__(self, spec: dict[str, tuple[str, object]], capacity: int = 4096):
        self.spec = spec
        self.n = 0
        self._cap = capacity
        self._cols = {k: np.full(capacity, default, dtype=dt) for k, (dt, default) in spec.items()}

    def __getitem__(self, key: str) -> np.ndarray:
        return self._cols[key][: self.n]

    def __len__(self) -> int:
        return self.n

    def add(self, n: int) -> np.ndarray:
        """Append ``n`` rows filled with the defaults; returns their indices."""
        need = self.n + n
        if need > self._cap:
            cap = max(need, int(self._cap * 1.1) + 4096)
            for k, (dt, default) in self.spec.items():
                new = np.full(cap, default, dtype=dt)
                new[: self.n] = self._cols[k][: self.n]
                self._cols[k] = new
            self._cap = cap
        idx = np.arange(self.n, need)
        self.n = need
        return idx

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Keep the rows where ``keep`` is true (order preserved); returns old-index -> new-index
        (-1 for dropped rows)."""
        keep = np.asarray(keep, dtype=bool)
        kept = np.flatnonzero(keep)
        mapping = np.full(self.n, -1, dtype=np.int64)
        mapping[kept] = np.arange(len(kept))
        for k, (dt, default) in self.spec.items():
            col = self._cols[k]
            col[: len(kept)] = col[kept]
            col[len(kept): self.n] = default
        self.n = len(kept)
        return mapping

    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._cols.values())
