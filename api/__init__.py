"""The HTTP surface both runtimes serve: the Starlette app (GraphQL, /healthz, the local JWKS)
and where a request's caller comes from. Uvicorn serves it locally, Mangum on Lambda."""
