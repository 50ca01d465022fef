"""Speed-ups that lean on Strawberry's, graphql-core's and Starlette's internals, in one place.

Each module here uses something its library does not promise to keep: a private method, an
attribute set on a library's object, the shape of a class's constructor. An upgrade that changes
one must fail a test (tests/unit/test_internals.py asserts each reliance) rather than a request.
This package imports only third-party libraries; schema/, api/ and handlers/ import from it.
This file imports nothing, so that `import internals.coldstart` runs before any library loads.

What each module relies on:

- `coldstart`: nothing private; `gc.disable()` in its body must run before the heavy imports
  of the GraphQL Lambda function, so it is that module's first import, and `started()` ends
  the cold start (freezes what it made, turns the collector back on).
- `masking.MaskUnexpected` (a `strawberry.extensions.MaskErrors`): its constructor's
  `should_mask_error` and `error_message`; `anonymise_error(error)`, overridden to add the
  error's code; and `_process_result(result)`, private, which `on_operation` calls with the
  operation's result and which is replaced because Strawberry's own spends 7 µs on a
  runtime-checkable Protocol `isinstance`; it calls the private `_process_errors(errors)`.
- `documents`: the parse and validation caches of the API's one extension. They call
  `strawberry.schema.schema.validate_document(schema, document, rules)` (a module function,
  not exported) on the graphql-core schema behind `strawberry.Schema._schema`, and rely on
  Strawberry skipping its own parse and validation when an extension has set the execution
  context's `graphql_document` and `pre_execution_errors`.
- `inputs.install_flat`: assigns `from_input` on an input class's `StrawberryObjectDefinition`
  (Strawberry calls it as `from_input(cls, value, context)` with graphql-core's parsed value
  keyed by GraphQL names), and reads `InputContext.config.name_converter.from_field`,
  `StrawberryField.python_name` and `StrawberryContainer.of_type`.
- `execution_context.Execution`: subclasses `StrawberryGraphQLCoreExecutionContext` (graphql-core's
  `ExecutionContext`) and replaces its `async_helpers`, a `GraphQLResolveInfoHelpers` of
  bound methods `gather_async_work` and `track_async_work`, with ones holding a weak reference.
- `asgi.GraphQLFirst`: sends HTTP requests for /graphql straight to Strawberry's view,
  bypassing Starlette's router and error middleware; relies on the view answering its own
  errors and on the ASGI scope's `type`, `path` and `root_path`.
"""
