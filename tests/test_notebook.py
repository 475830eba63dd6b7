"""The exploration notebook: committed without outputs, and still running end to end.

The notebook is executed headless with nbclient on a ``python3`` kernel from
ipykernel, so it cannot rot: it builds the sample corpus, runs the saved
queries and must draw its two figures (the actor network and the events over
time).
"""
from __future__ import annotations

import base64
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
# Seconds a cell may run before the test fails: only to catch a hang. How long the notebook takes
# is not asserted (a busy machine is slow; speed is what make bench measures).
TIME_LIMIT = 600


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], f"outputs left in cell: {cell.source[:60]!r}"
        assert cell.execution_count is None
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture
def this_python_kernel(tmp_path, monkeypatch):
    """A ``python3`` kernelspec for the interpreter running the tests (the venv's).

    ipykernel installs one in ``.venv/share/jupyter``; one in the user's
    Jupyter folder could point to another Python without kg, so the test
    writes its own and puts it first on ``JUPYTER_PATH``.
    """
    from ipykernel.kernelspec import write_kernel_spec

    spec = Path(write_kernel_spec(tmp_path / "jupyter" / "kernels" / "python3"))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return spec


def test_notebook_runs_headless_and_draws_two_figures(this_python_kernel, tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] == sys.executable

    scratch = tmp_path / "tmp"  # where the notebook's temporary store goes
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=TIME_LIMIT,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails

    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out.data["image/png"] for out in outputs if "data" in out and "image/png" in out.data]
    assert len(images) == 2  # the actor network and the events over time
    for image in images:
        assert base64.b64decode(image).startswith(b"\x89PNG")
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "14 articles" in text and "0 inputs skipped" in text
    assert "relations" in text
    # The temporary store is removed, and the notebook file left as it was.
    assert not list(scratch.glob("kg-notebook-*"))
    assert all(cell.outputs == [] for cell in nbformat.read(NOTEBOOK, as_version=4).cells if cell.cell_type == "code")
