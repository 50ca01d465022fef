"""Development and test tooling. Never deployed: no function's package includes it."""
