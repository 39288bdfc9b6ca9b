"""Pure rules of the hall: catalog and hall models, tickets, dispatch. No I/O, no frameworks."""
