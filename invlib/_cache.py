"""Where numba keeps the compiled kernels.

Numba's own cache notices when a function's file changes, but not when a compiled
function it calls, defined in another file, does; after an update of invlib it
could then run stale machine code. So invlib keeps its cache in a folder named
after a hash of all its source files: any change to any module means a fresh
folder and a fresh compilation. ``NUMBA_CACHE_DIR``, if set, wins.
"""
import hashlib
import os
from pathlib import Path

import numba


def use_source_keyed_cache() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for source in sorted(here.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    numba.config.CACHE_DIR = str(base / "invlib" / f"numba-{digest.hexdigest()[:16]}")
