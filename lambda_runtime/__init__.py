"""What the Lambda functions run, behind the thin entry points in handlers/: the container's
wiring, the SQS stage handler, the notifier and the WebSocket API's machinery."""
