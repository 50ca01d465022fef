"""DynamoDB adapters: the event store, the views and the command log, on the low-level client."""
