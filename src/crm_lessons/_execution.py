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

import os
import shutil
import tempfile
from time import monotonic

from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.util import ensure_async
from queue import Empty

__all__ = ["QuietKernelManager", "SlicedPollClient", "execute"]


class QuietKernelManager(AsyncKernelManager):
    """A kernel manager that does not make the kernel print two warnings per notebook.

    - ipykernel warns "Kernel is running over TCP without encryption" for every kernel on the TCP
      transport: on POSIX the kernel talks over Unix sockets (IPC) in a private temporary folder instead,
      which is also not reachable from other machines.
    - jupyter_client interrupts the kernel (SIGINT) before asking it to shut down, so the idle kernel logs
      "KeyboardInterrupt caught in kernel": the shutdown request alone stops it (a kernel that does not
      stop is still killed after the usual grace period).
    """

    _in_shutdown = False

    def __init__(self, **kwargs):
        if os.name == "posix" and "transport" not in kwargs:
            self._ipc_dir = tempfile.mkdtemp(prefix="crm-kernel-")
            kwargs.update(transport="ipc", ip=os.path.join(self._ipc_dir, "kernel"))
        super().__init__(**kwargs)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        self._in_shutdown = True
        try:
            await super()._async_shutdown_kernel(now=now, restart=restart)
        finally:
            self._in_shutdown = False

    async def _async_interrupt_kernel(self) -> None:
        if self._in_shutdown:
            return
        await super()._async_interrupt_kernel()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_ipc_dir", None):
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    # AsyncKernelManager binds these public names to KernelManager's functions: rebind them to ours.
    shutdown_kernel = _async_shutdown_kernel
    interrupt_kernel = _async_interrupt_kernel
    cleanup_resources = _async_cleanup_resources


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
    SlicedPollClient(nb, timeout=timeout, kernel_name=kernel_name, kernel_manager_class=QuietKernelManager,
                     resources={"metadata": {"path": str(cwd)}}).execute()
    return nb
