"""The GraphQL Lambda function's cold start, without the cyclic garbage collector.

A cold start makes about 130,000 objects that live as long as the container (modules, the
schema, botocore's service models), and the collector would scan them again and again while
they are made: about 40 ms of a 470 ms cold start, measured. Importing this module turns the
collector off, so it must be the function's first import; `started()`, at the end of the
container's first request, freezes what is alive (out of the collector's sight for good, which
also spares later requests' full collections) and turns it back on. The start's own cyclic
garbage, about 2,000 objects, stays for the container's life.
"""

from __future__ import annotations

import gc

gc.disable()


def started() -> None:
    """The end of the cold start: freeze what it made, collect from now on. Idempotent."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
