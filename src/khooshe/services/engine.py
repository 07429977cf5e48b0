"""Where an analysis runs: in this process (``local``) or on a Dask cluster (``dask``).

The analyses that partition naturally — complexity by period, village scoring by province,
export potential by market — are pure functions of one partition (and of tables every
partition shares); cluster strength by province is one once the national totals are shared
and the ranks among all regions are redone on the joined result
(:func:`khooshe.services.specialization.strength`). A service splits its input into
partitions and hands them to :meth:`Engine.map`, which calls the function on each and gives
the results back **in partition order**:

* ``local``: a plain loop in this process, one partition at a time;
* ``dask``: every partition is submitted to a Dask ``distributed`` cluster — the scheduler at
  ``scheduler`` (``tcp://host:8786``, started with ``dask-scheduler``/``dask-worker``), or,
  without one, a ``distributed.LocalCluster`` of one single-threaded worker process per core
  of this machine, started for the call and closed after it. The shared tables are sent to
  each worker once (``scatter(broadcast=True)``).

Both run the same function on the same partitions, so the results are the same numbers. What
the function raises in a worker reaches the caller as the same exception (an ``InputError``
stays an ``InputError`` with its message); the warnings it gives (summed duplicates, missing
values…) are given again in the caller, in partition order, as the loop would.

Dask is imported only when a ``dask`` engine maps something: ``khooshe --help`` and the local
engine never load it.
"""

from __future__ import annotations

import logging
import os
import pickle
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from khooshe.domain.errors import InputError
from khooshe.text.messages import Message

if TYPE_CHECKING:
    from distributed import Client

#: The engines an analysis can run on.
ENGINES = ("local", "dask")

P = TypeVar("P")
R = TypeVar("R")

#: Shared arguments of these types travel inside each task; the others (tables, summaries,
#: option mappings that may hold tables) are sent to every worker once.
_INLINE = (type(None), bool, int, float, str)

#: A warning as it travels from a worker: the warning itself, its category, file and line.
_Caught = tuple[Warning, type[Warning], str, int]


@dataclass(frozen=True)
class Engine:
    """Runs a function over partitions, here or on a Dask cluster.

    Parameters
    ----------
    kind : {"local", "dask"}
        ``local`` (default): a loop in this process. ``dask``: Dask ``distributed``.
    scheduler : str, optional
        Dask only: the address of a running scheduler (``tcp://host:8786``). Without it a
        ``distributed.LocalCluster`` on this machine is started for each :meth:`map` and closed
        after it.
    workers : int, optional
        Dask without a scheduler: worker processes of the local cluster (default: one per
        core available to this process). Each worker has one thread.
    timeout : float, optional
        Dask with a scheduler: seconds to wait for it to answer (default: Dask's
        ``distributed.comm.timeouts.connect``, 30 s unless configured).

    Raises
    ------
    InputError
        An unknown kind, or a scheduler (or a worker count) given to the local engine.

    Examples
    --------
    >>> list(Engine().map(abs, [-1, 2, -3]))
    [1, 2, 3]
    """

    kind: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    timeout: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise InputError(Message("engine.unknown", {"kind": self.kind,
                                                        "engines": ", ".join(ENGINES)}))
        if self.kind == "local" and (self.scheduler is not None or self.workers is not None):
            raise InputError(Message("engine.dask_only"))
        if self.workers is not None and self.workers < 1:
            raise InputError(Message("engine.workers", {"workers": self.workers}))

    @property
    def distributed(self) -> bool:
        """True when the partitions run on Dask workers (not in this process)."""
        return self.kind == "dask"

    def map(self, func: Callable[..., R], partitions: Iterable[P], /,
            **shared: Any) -> Iterator[R]:
        """``func(partition, **shared)`` for every partition, in partition order.

        Parameters
        ----------
        func : callable
            A module-level function (Dask sends it to the workers by reference: the workers
            must be able to import it, i.e. have khooshe installed).
        partitions : iterable
            The partitions (DataFrames, codes…); each is one call.
        **shared
            Arguments every call receives (national tables, options). Dask sends each to
            every worker once.

        Returns
        -------
        iterator
            The results, in the order of ``partitions``. The local engine computes each when
            it is asked for (one partition in memory at a time); the Dask engine submits all
            at once and yields each result as soon as it and those before it are done.

        Raises
        ------
        InputError
            Dask: the scheduler cannot be reached, or its address is not one.
        Exception
            Whatever ``func`` raises, as it raised it (the first failing partition in order).
        """
        if self.kind == "local":
            return (func(part, **shared) for part in partitions)
        return self._dask_map(func, list(partitions), shared)

    # --- Dask ---------------------------------------------------------------------------------
    def _dask_map(self, func: Callable[..., R], partitions: list[Any],
                  shared: Mapping[str, Any]) -> Iterator[R]:
        with self._client() as client:
            # a DataFrame inside a task would travel with every task (and Dask warns about
            # large graphs): the shared tables go to each worker once, the partitions once
            sent = {name: value if isinstance(value, _INLINE) else
                    client.scatter([value], broadcast=True, hash=False)[0]
                    for name, value in shared.items()}
            parts = client.scatter(partitions, hash=False) if partitions else []
            futures = deque(client.submit(_recorded, func, part, sent, pure=False)
                            for part in parts)
            del parts
            while futures:
                future = futures.popleft()  # once read, the worker may forget the result
                result, caught = future.result()
                del future
                for message, category, filename, lineno in caught:
                    warnings.warn_explicit(message, category, filename, lineno)
                yield result

    @contextmanager
    def _client(self) -> Iterator[Client]:
        """A client of the scheduler, or of a local cluster started for the block."""
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            # dashboard on any free port: a fixed one (8787) may be another cluster's
            cluster = LocalCluster(n_workers=self.workers or _cores(), threads_per_worker=1,
                                   processes=True, dashboard_address=":0",
                                   silence_logs=logging.CRITICAL)
            try:
                with Client(cluster) as client:
                    yield client
            finally:
                cluster.close()
            return
        options = {} if self.timeout is None else {"timeout": self.timeout}
        try:
            client = Client(self.scheduler, **options)
        except (OSError, TimeoutError) as exc:
            seconds = self.timeout if self.timeout is not None else _connect_timeout()
            raise InputError(Message("engine.unreachable", {
                "address": self.scheduler, "seconds": seconds})) from exc
        except (ValueError, TypeError) as exc:  # no port, an unknown protocol…
            raise InputError(Message("engine.bad_address", {
                "address": self.scheduler, "reason": str(exc)})) from exc
        try:
            yield client
        finally:
            client.close()


def _cores() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _connect_timeout() -> float:
    """Dask's connection timeout, in seconds."""
    import dask
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"),
                                 default="seconds") or 0)


def _portable(message: Warning | str) -> Warning:
    """The warning itself when it can travel back from the worker, else its text."""
    if isinstance(message, str):
        return UserWarning(message)
    try:
        pickle.dumps(message)
    except Exception:
        return UserWarning(str(message))
    return message


def _recorded(func: Callable[..., R], part: Any, shared: Mapping[str, Any]
              ) -> tuple[R, list[_Caught]]:
    """Run on a worker: ``func(part, **shared)`` and the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(part, **shared)
    travelling = []
    for w in caught:
        message = _portable(w.message)
        travelling.append((message, type(message), w.filename, w.lineno))
    return result, travelling


__all__ = ["ENGINES", "Engine"]
