"""What the Lambda functions run, behind the thin entry points in handlers/: the composition root
(bootstrap.py) that builds each function's handler, the logger and its per-invocation keys
(log.py), the generic SQS stage, the mediator, the replay runner, the GraphQL app behind Mangum,
the authorizer, the notifier and the WebSocket API's machinery."""
