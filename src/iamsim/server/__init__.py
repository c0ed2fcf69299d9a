"""``iamsim serve``: a local web playground over the engine and the analyses (a front end
beside the CLI; nothing else in iamsim imports it).

* :mod:`iamsim.server.api` — the questions, as functions answering the commands' ``--json``
  objects;
* :mod:`iamsim.server.app` — the Starlette application (routes, limits, error handling);
* :mod:`iamsim.server.command` — the ``serve`` command (registered through the
  ``iamsim.commands`` entry point);
* ``static/`` — the page: HTML, CSS and vanilla JavaScript drawing its pictures as SVG, no
  build step and nothing fetched from the network.

It needs the ``serve`` extra: ``pip install 'iamsim[serve]'``.
"""
