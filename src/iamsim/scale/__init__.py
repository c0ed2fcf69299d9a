"""Organization scale: running an organization question's per-account tasks on worker processes
or on a Ray cluster (``iamsim.scale.ray_runner``, imported only when ``--ray`` is given)."""
