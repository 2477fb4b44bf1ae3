"""Execute notebooks headless without the widget-cell stall of nbclient.

nbclient sometimes misses the shell reply of a cell that captures output into an ipywidgets ``Output``
widget (``interact``): it answers each captured output with a ``comm_msg`` sent on the shell channel
while it waits for the reply on that same socket, and then waits for the whole cell timeout
(jupyter/nbclient#312). The cause is removed at the source by :func:`crm_lessons.widgets.try_it`,
which never captures into an ``Output`` widget. Polling the shell channel in short slices instead of
one long wait stays as a second line of defence: a missed wake-up is noticed within a second. Used by
the book, slides and refresh tools and by the tests that execute notebooks.
"""

from __future__ import annotations

from time import monotonic

from nbclient import NotebookClient
from nbclient.util import ensure_async
from queue import Empty

__all__ = ["SlicedPollClient", "execute"]


class SlicedPollClient(NotebookClient):
    """A :class:`nbclient.NotebookClient` whose wait for each cell's reply polls in 1-second slices."""

    poll_slice = 1.0

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        channel = self.kc.shell_channel
        original = channel.get_msg
        slice_ = self.poll_slice

        async def sliced(timeout=None, **kwargs):
            deadline = None if timeout is None else monotonic() + timeout
            while True:
                step = slice_ if deadline is None else max(0.0, min(slice_, deadline - monotonic()))
                try:
                    return await ensure_async(original(timeout=step, **kwargs))
                except Empty:
                    if deadline is not None and monotonic() >= deadline:
                        raise

        channel.get_msg = sliced
        try:
            return await super()._async_poll_for_reply(msg_id, cell, timeout, task_poll_output_msg,
                                                       task_poll_kernel_alive)
        finally:
            channel.get_msg = original


def execute(nb, *, cwd: str, timeout: int = 300, kernel_name: str = "python3"):
    """Execute notebook node ``nb`` in place with the working directory ``cwd``; returns ``nb``."""
    SlicedPollClient(nb, timeout=timeout, kernel_name=kernel_name,
                     resources={"metadata": {"path": str(cwd)}}).execute()
    return nb
