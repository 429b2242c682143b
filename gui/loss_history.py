"""LossHistory: the loss of every iteration so far, in chunks that copies share.

Undo keeps the document's state before and after every edit. A run of a million
iterations holds 8 MB of losses; copying them into each snapshot cost 30 MB an
edit. Here a copy shares every chunk, and a chunk is copied only when one side
writes into it (copy on write), so a snapshot costs a list of references.
"""

from __future__ import annotations

import numpy as np

from engine.network import Array

CHUNK = 8192  # values per chunk: 64 KB, the most one write into a shared chunk copies


class LossHistory:
    """An append-only series of floats with cheap copies and truncation."""

    def __init__(self) -> None:
        self._chunks: list[Array] = []
        self._count = 0
        self._shared = 0  # chunks below this index may be shared with a copy: copy before writing
        self._joined: Array | None = None  # the contiguous array, until the next change

    def __len__(self) -> int:
        return self._count

    def copy(self) -> LossHistory:
        """A copy that shares the data until either side writes."""
        other = LossHistory()
        other._chunks = list(self._chunks)
        other._count = self._count
        other._shared = self._shared = len(self._chunks)
        # No joined array: a snapshot holding one would pin a full copy of the losses.
        return other

    def truncate(self, count: int) -> None:
        """Keep the first ``count`` values."""
        if count >= self._count:
            return
        count = max(count, 0)
        del self._chunks[-(-count // CHUNK) :]  # keep the chunks that hold the first count
        self._shared = min(self._shared, len(self._chunks))
        self._count = count
        self._joined = None

    def extend(self, values: Array) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        done = 0
        while done < values.shape[0]:
            chunk_index, offset = divmod(self._count, CHUNK)
            if chunk_index == len(self._chunks):
                self._chunks.append(np.empty(CHUNK))
            elif chunk_index < self._shared:
                self._chunks[chunk_index] = self._chunks[chunk_index].copy()
                self._shared = chunk_index
            take = min(CHUNK - offset, values.shape[0] - done)
            self._chunks[chunk_index][offset : offset + take] = values[done : done + take]
            done += take
            self._count += take
        if values.shape[0]:
            self._joined = None

    def array(self) -> Array:
        """All values as one read-only array (joined once per change)."""
        if self._joined is None:
            joined = np.concatenate(self._chunks)[: self._count] if self._chunks else np.empty(0)
            joined.flags.writeable = False
            self._joined = joined
        return self._joined

    def nbytes(self) -> int:
        return sum(chunk.nbytes for chunk in self._chunks)
