"""Adapters that implement the pipeline's ports, settings, auth, and the wiring that picks them."""
