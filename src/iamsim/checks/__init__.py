"""Checks of a configuration: validation, expectations files and ``iamsim eval`` scenarios.

* :mod:`iamsim.checks.validation` — policies against the grammar and the AWS service
  reference (``iamsim validate``);
* :mod:`iamsim.checks.expectations` — "this principal may / may not do this", checked against
  a loaded world (``iamsim test``);
* :mod:`iamsim.checks.scenarios` — scenario documents, one request plus the policies that apply
  to it (``iamsim eval``);
* :mod:`iamsim.checks.inputs` — the one place these read files.

The checks build on the world model, the request builder and the engine; they render nothing
(:mod:`iamsim.report` does).
"""
