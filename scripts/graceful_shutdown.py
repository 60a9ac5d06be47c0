"""A small asyncio service that shuts down gracefully on SIGINT (Ctrl-C) or SIGTERM.

The service: a producer puts numbered jobs on a queue, and a few workers take them one by one
and "process" each for ``--job-seconds`` (an ``asyncio.sleep`` standing in for real work).

Shutdown, on the first signal:
1. stop taking new work (the producer is cancelled);
2. give the workers ``--grace`` seconds to finish the job in their hands;
3. cancel the workers still busy after that: their ``except asyncio.CancelledError`` blocks
   put the interrupted job back on the queue, to be done after a restart, and re-raise; this
   wait is bounded too, so a task that ignores its cancellation cannot hang the exit;
4. report what was done, what was interrupted and what would not stop, and exit with status 0
   (1 if some task would not stop).

A second signal during the grace period skips the wait and cancels at once.

Signal handlers are installed with ``loop.add_signal_handler`` (POSIX only): the handler
runs inside the event loop like any callback, so it may touch asyncio objects. Run it from
the repository root and press Ctrl-C, or send it a signal from another terminal:

    python scripts/graceful_shutdown.py --workers 3 --job-seconds 0.3 --grace 1.0
    kill -TERM <pid>
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time

START = time.perf_counter()
CLEANUP_SECONDS = 2.0  # how long cancelled tasks get for their cleanup before we give up


def say(message: str) -> None:
    """Print a line stamped with the seconds since the script started."""
    print(f"[{time.perf_counter() - START:5.2f}s] {message}", flush=True)


class Service:
    """Jobs on a queue, a producer that adds them, workers that process them."""

    def __init__(self, workers: int, job_seconds: float) -> None:
        self.n_workers = workers
        self.job_seconds = job_seconds
        self.jobs: asyncio.Queue[int] = asyncio.Queue()
        self.done: list[int] = []
        self.interrupted: list[int] = []
        self.idle: set[str] = set()  # workers waiting for a job
        self.stopping = asyncio.Event()  # set on shutdown: take no new job

    async def producer(self) -> None:
        number = 0
        while True:  # runs until it is cancelled
            number += 1
            await self.jobs.put(number)
            await asyncio.sleep(self.job_seconds / self.n_workers)

    async def worker(self, name: str) -> None:
        while not self.stopping.is_set():
            self.idle.add(name)
            try:
                job = await self.jobs.get()
            except asyncio.CancelledError:
                say(f"{name}: idle, stopped")
                raise
            finally:
                self.idle.discard(name)
            try:
                say(f"{name}: job {job} started")
                await asyncio.sleep(self.job_seconds)  # the work
                self.done.append(job)
                say(f"{name}: job {job} done")
            except asyncio.CancelledError:
                self.interrupted.append(job)
                self.jobs.put_nowait(job)  # cleanup: the job goes back for later
                say(f"{name}: cancelled during job {job}; job {job} put back on the queue")
                raise  # always let the cancellation go on
        say(f"{name}: finished its job, takes no new one")


async def main(workers: int, job_seconds: float, grace: float) -> int:
    loop = asyncio.get_running_loop()
    service = Service(workers, job_seconds)
    signals: asyncio.Queue[str] = asyncio.Queue()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # The handler runs in the loop, between two callbacks: it only queues the signal's name.
        loop.add_signal_handler(sig, signals.put_nowait, sig.name)

    producer = asyncio.create_task(service.producer(), name="producer")
    pool = [asyncio.create_task(service.worker(f"worker-{i}"), name=f"worker-{i}")
            for i in range(1, workers + 1)]
    say(f"ready: pid {os.getpid()}, {workers} workers, {job_seconds}s per job, grace {grace}s")

    received = await signals.get()  # the service runs until a signal arrives
    say(f"received {received}: shutting down, grace period {grace}s")
    service.stopping.set()
    producer.cancel()  # 1. no new work
    for task in pool:
        if task.get_name() in service.idle:
            task.cancel()  # an idle worker has nothing to finish

    # 2. Wait until the busy workers finish their job, the grace period ends, or a second
    # signal arrives, whichever comes first.
    all_finished = asyncio.create_task(asyncio.wait(pool), name="all-finished")
    second = asyncio.create_task(signals.get(), name="second-signal")
    await asyncio.wait([all_finished, second], timeout=grace, return_when=asyncio.FIRST_COMPLETED)
    if second.done():
        say(f"received {second.result()} again: cancelling now")
    second.cancel()
    all_finished.cancel()  # stops waiting; it does not cancel the workers

    # 3. Cancel whoever is still busy, and wait for their cleanup.
    still_busy = [task for task in pool if not task.done()]
    if still_busy:
        say(f"cancelling the workers still busy: {', '.join(t.get_name() for t in still_busy)}")
        for task in still_busy:
            task.cancel()
    # Bounded as well: a task that swallowed its cancellation must not hang the exit.
    _, stuck = await asyncio.wait([producer, *pool, all_finished, second], timeout=CLEANUP_SECONDS)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)

    # 4. Report.
    say(f"report: jobs done {sorted(service.done)}; interrupted and put back: "
        f"{sorted(service.interrupted) or 'none'}; waiting in the queue for the next start: "
        f"{service.jobs.qsize()}")
    if stuck:
        say(f"NOT stopped after {CLEANUP_SECONDS}s: {', '.join(t.get_name() for t in stuck)}")
        return 1
    say("clean exit")
    return 0


if __name__ == "__main__":
    if os.name != "posix":
        sys.exit("This demo needs POSIX signals (Linux or macOS); on Windows use WSL.")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--job-seconds", type=float, default=0.3)
    parser.add_argument("--grace", type=float, default=1.0, help="seconds to finish current jobs")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.workers, args.job_seconds, args.grace)))
