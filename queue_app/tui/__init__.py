"""The terminal UI: front desk, window clerk, manager and hall display. Every screen talks
to the hall server through ``queue_app.client`` and follows its live events."""
