"""The cyclic garbage collector's schedule during a batch of scenarios (``iamsim eval``).

A batch that meets many policy documents (every scenario carrying its own policy text) keeps
hundreds of thousands of objects alive in its bounded caches (parsed and compiled policies)
next to everything start-up loaded (the action catalogue). With CPython's default thresholds
(700, 10, 10) the collector runs a full collection every few hundred scenarios, and each one
walks that whole heap although almost none of it is garbage: measured on 5,000 such
scenarios, 1.9 s of 7.2 s CPU went to full collections, while reference counting already
frees nearly everything a scenario drops.

So for the length of the batch:

- what start-up made is moved out of the collector's view (:func:`gc.freeze`): it lives until
  the process ends anyway;
- a young collection runs after a net growth of ``_YOUNG`` tracked objects instead of 700,
  and older generations proportionally rarely.

Memory stays bounded: the collector still runs, driven by the net growth of tracked objects
(the cycles a scenario leaves behind grow it; objects freed by reference counting do not),
so at most about ``_YOUNG`` objects of cyclic garbage (a few tens of MB) wait between two
young collections. Nothing else changes: collection order has no effect on results.
On exit the previous thresholds are restored and the frozen objects handed back, so an
in-process caller (tests, a server) finds the collector as it left it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Net growth of tracked objects between two young collections (the default is 700).
_YOUNG = 100_000
# Young collections per middle-generation one, middle ones per full one (defaults 10, 10).
_MIDDLE = 50
_OLD = 100


@contextmanager
def batch_collector() -> Iterator[None]:
    """Within the block, the collector scheduled for a long batch (see the module)."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_YOUNG, _MIDDLE, _OLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
