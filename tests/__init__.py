"""The test suite. Imported before anything else of it (the conftest files included)."""

import os
import sys

# each module is compiled once for the whole run (both workers, and every server, command
# and process the tests start), even where the environment asks Python not to keep bytecode
# (PYTHONDONTWRITEBYTECODE): compiling afresh in each of them costs a minute of CPU a run
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
