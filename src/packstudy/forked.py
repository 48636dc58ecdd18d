"""Running one task in a forked child process while this process goes on with another.

The CLI writes the results files and renders the report at the same time. Both hold the GIL
most of the time (JSON encoding, template rendering), so a thread would not overlap them; a
forked child does, and shares this process' objects without pickling them.
"""

from __future__ import annotations

import multiprocessing


def start(task, *args):
    """Start ``task(*args)`` in a forked child; return ``wait()``, which gives the task's
    (picklable) return value or raises what it raised. Where processes cannot be forked
    (Windows) the task runs here, at once."""
    if "fork" not in multiprocessing.get_all_start_methods():
        value = task(*args)
        return lambda: value
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child():
        try:
            send.send((True, task(*args)))
        except BaseException as exc:  # handed to the parent, which raises it
            try:
                send.send((False, exc))
            except Exception:  # an exception that does not pickle: its type and message
                send.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))

    process = context.Process(target=child, daemon=True)
    process.start()
    send.close()

    def wait():
        try:
            succeeded, value = receive.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            process.join()
            raise RuntimeError(f"{getattr(task, '__name__', task)} stopped in its child process "
                               f"(exit code {process.exitcode})") from None
        finally:
            receive.close()
        process.join()
        if not succeeded:
            raise value
        return value

    return wait


def wait_all(waits) -> list:
    """Every ``wait()`` of ``start``, in order: their values, or, once all have finished, the
    first error raised."""
    values, error = [], None
    for wait in waits:
        try:
            values.append(wait())
        except BaseException as exc:  # the other children still finish before it is raised
            error = error or exc
    if error is not None:
        raise error
    return values
