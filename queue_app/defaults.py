"""Defaults shared by the command line and the client, in a module that imports nothing, so
that ``queue-app --help`` need not import the client to show them."""

RETRY_FOR_S = 30.0  # a server restart takes seconds: keep trying this long
DEFAULT_PORT = 8600  # where `queue-app serve` listens, and the terminals look for it
