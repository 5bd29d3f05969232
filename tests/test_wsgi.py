"""The production entry point (wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def test_the_apps_start_up_objects_are_out_of_the_garbage_collectors_sight(tmp_path):
    """A full collection would otherwise walk every object the app built at start and
    pause each request in flight for it (about 170 ms under the HTTP burst)."""
    env = {**os.environ, "ASNBELAJAR_SECRET_KEY": "test-secret",
           "ASNBELAJAR_DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.db'}"}
    script = ("import gc, time, wsgi; t = time.perf_counter(); gc.collect(); "
              "print(gc.get_freeze_count(), len(gc.get_objects()), "
              "time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    frozen, tracked = int(out[0]), int(out[1])
    assert frozen > 50_000  # the app's own objects
    assert tracked < frozen / 5  # what a full collection still walks
