"""The baseline of `cold.graphql_api`: what any GraphQL Lambda on this stack pays at a cold
start. It imports strawberry, starlette, mangum, jwt and boto3, creates the DynamoDB and SQS
clients, and answers `user(id)` from a dict behind Mangum."""

from __future__ import annotations

import boto3
import jwt  # noqa: F401 - a token verifier's import is part of the stack's cost
import strawberry
from mangum import Mangum
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

DYNAMODB = boto3.client("dynamodb")
SQS = boto3.client("sqs")


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    version: int


USERS = {
    "auth0|bench": User(
        id=strawberry.ID("auth0|bench"),
        email="b@example.com",
        first_name="Ben",
        last_name="Ch",
        version=1,
    )
}


@strawberry.type
class Query:
    @strawberry.field
    def user(self, id: strawberry.ID) -> User | None:
        return USERS.get(id)


app = Starlette(routes=[Route("/graphql", GraphQL(strawberry.Schema(query=Query)))])
handler = Mangum(app, lifespan="off")
