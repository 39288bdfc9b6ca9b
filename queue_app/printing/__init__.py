"""Slip printers over ESC/POS: a slip's lines to the printer's bytes (``render``), the
bytes to a network, USB or file printer (``devices``), and back (``decode``: what a printer
would print, for tests and the README's picture of a slip)."""

from queue_app.printing.escpos_cache import import_capabilities

import_capabilities()  # before any printer class: python-escpos parses its database at import
