"""``python -m queue_app``."""

from queue_app.cli import main

main()
