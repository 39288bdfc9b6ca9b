"""Read models: what only reads (the line, the windows, the board, the day's figures)."""
