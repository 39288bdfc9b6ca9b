"""History: past days of a hall played by the simulator through the real store, for the
reports, the demo and the benchmarks."""

from queue_app.history.seed import MAX_DAYS, Seeded, SetClock, past_days, seed_history

__all__ = ["MAX_DAYS", "Seeded", "SetClock", "past_days", "seed_history"]
