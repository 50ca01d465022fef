"""botocore's data loader for our clients: one per process, shared by every session, and told
which services there are.

Imported when the first client is made (it imports botocore).
"""

from __future__ import annotations

import threading

from botocore.loaders import Loader

# Every service infra/aws/clients.py makes a client for.
SERVICES = ("apigatewaymanagementapi", "dynamodb", "dynamodbstreams", "kms", "lambda", "sqs")


class KnownServicesLoader(Loader):  # type: ignore[misc]
    """Before it loads the first model of a kind (the service model, the endpoint rules),
    botocore's loader lists the services it has data for, to check the name: about 400
    directories and a stat of each one's model files, 12 ms of a cold start for each kind.
    We only ever ask for these, so the list is given."""

    def list_available_services(self, type_name: str) -> list[str]:
        return list(SERVICES)


_shared: list[KnownServicesLoader] = []
_lock = threading.Lock()


def shared_loader() -> KnownServicesLoader:
    """The one loader: service models parsed once per process and shared by every session,
    since parsing them is most of what making a client costs (a pollers' process, or the tests,
    make many)."""
    with _lock:
        if not _shared:
            _shared.append(KnownServicesLoader())
        return _shared[0]
