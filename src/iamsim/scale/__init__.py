"""Organization scale: questions decomposed into per-account tasks and run by a task runner.

* :mod:`iamsim.scale.runner` owns the task-runner protocol and the in-process and
  process-pool runners (``--workers N``); the Ray runner (``--ray``) implements the same
  protocol in :mod:`iamsim.scale.ray_runner`.
* :mod:`iamsim.ingest.org_folder` (the ingest layer) owns the organization folder
  (``ORG_DIR/`` with the organization file and ``accounts/<ID>/``) and reading one account.
* :mod:`iamsim.scale.tasks` owns the per-account tasks and merging their results.

See docs/scale.md for the design.
"""
