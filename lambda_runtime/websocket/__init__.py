"""commandStatus subscriptions on AWS: API Gateway's WebSocket API speaking graphql-transport-ws.

- routes: the websocket function ($connect, $disconnect, $default), one message per invocation.
- protocol: the messages of graphql-transport-ws, and the refusals that close a connection.
- session, subscribe: what each message does, with the connections table as the only memory.
- execution: documents run by the same Strawberry schema as over HTTP.
- push: sending a status to a subscription, shared with the notifier (lambda_runtime/notifier.py).
- the parts (connections table, Management API, verifier, schema) come from the Lambda root,
  lambda_runtime/bootstrap.py.
"""
