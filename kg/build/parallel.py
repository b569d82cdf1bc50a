"""Streaming helper for corpus builds: a parallel map with a bounded number of tasks in flight.

Measured on the 2-core build machine with 379 generated documents (1.0 M quads; see
``benchmarks/RESULTS.md``, section "Scale", and ``docs/scaling.md``):
``ProcessPoolExecutor.map`` submits every task up front and keeps each finished result
until the consumer asks for it. In ``kg build`` the consumer (the one process that writes
the store, ~10 s for 1 M quads) is much slower than the extracting workers (~1.5 s for
the same documents), so the N-Triples of nearly every document piled up in the parent:
peak RSS 572 MB with 2 jobs against 352 MB with 1 job. :func:`bounded_imap` keeps at most
``window`` tasks in flight, however slow the consumer is. (The other finding of that run,
that transactional replacements must be followed by flushes, is applied in
:func:`kg.build.runner.build`.)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def bounded_imap(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    window: int | None = None,
    ordered: bool = False,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """Map ``fn`` over ``items`` in ``jobs`` processes with at most ``window`` tasks in flight.

    Unlike ``ProcessPoolExecutor.map``, inputs are consumed lazily and no more than
    ``window`` results (default ``2 * jobs``) are ever held, however slow the consumer is.

    Args:
        fn: a picklable top-level function.
        items: inputs; read lazily.
        jobs: worker processes (1 runs in this process, without a pool).
        window: maximum number of submitted but not yet yielded tasks.
        ordered: yield in input order (a slow task then holds back later results, still
            within the window); default: in completion order.
        initializer, initargs: run once in each worker (and once here when ``jobs == 1``).

    Yields:
        ``fn(item)`` for each item. An exception raised by ``fn`` is re-raised here.
    """
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield fn(item)
        return
    window = max(1, window or 2 * jobs)
    iterator = iter(items)
    with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Future[R]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    item = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                pending.append(pool.submit(fn, item))
            if not pending:
                return
            if ordered:
                yield pending.popleft().result()
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in [f for f in pending if f in done]:
                pending.remove(future)
                yield future.result()
