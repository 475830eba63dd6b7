"""Run: the jobs that chain the stages, here, in worker processes or on Dask.

:mod:`kg.run.pipeline` reads, extracts and writes articles as a stream
(``extract``, ``build``); :mod:`kg.run.workers` is the pool of processes that
parse in parallel; :mod:`kg.run.distributed` runs a build on a Dask cluster.
"""
