"""Slip printers over ESC/POS: a slip's lines to the printer's bytes (``render``), the
bytes to a network, USB or file printer (``devices``), and back (``decode``: what a printer
would print, for tests and the README's picture of a slip)."""
