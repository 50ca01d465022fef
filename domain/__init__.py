"""The pure core: aggregates, commands, events and the rules they keep. Stdlib only."""
