"""Every refusal the API promises, against the real server: bad tokens, user tokens on admin
fields, and the document defences."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from schema.cost import MAX_COST
from tests.support.api_server import Server

ME = "{ me { id } }"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claims(server: Server, **overrides: Any) -> dict[str, Any]:
    authority = server.authority
    now = int(time.time())
    base = {
        "iss": authority.issuer,
        "aud": authority.audience,
        "sub": "auth0|mallory",
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(server: Server, body: dict[str, Any], kid: str | None = None) -> str:
    key = (server.authority.directory / "private_key.pem").read_bytes()
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid or server.authority.kid})


def unsigned(header: dict[str, Any], body: dict[str, Any], sign: bytes | None = None) -> str:
    head = b64(json.dumps(header).encode()) + "." + b64(json.dumps(body).encode())
    signature = hmac.new(sign, head.encode(), hashlib.sha256).digest() if sign else b""
    return head + "." + b64(signature)


def assert_unauthenticated(server: Server, token: str | None) -> None:
    reply = server.post(ME, None, token)
    assert reply.status_code == 401
    assert reply.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_no_token_or_a_malformed_header_is_refused(server: Server) -> None:
    assert_unauthenticated(server, None)
    assert_unauthenticated(server, "not-a-jwt")
    reply = server.http.post("/graphql", json={"query": ME}, headers={"authorization": "Basic x"})
    assert reply.status_code == 401


def test_forged_and_foreign_tokens_are_refused(server: Server) -> None:
    authority = server.authority
    jwks_key = server.authority.jwks()["keys"][0]
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwks_key))
    assert isinstance(public_key, RSAPublicKey)  # a JWKS holds public keys only
    public_pem = public_key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    cases = {
        "expired": signed(server, claims(server, exp=int(time.time()) - 3600, iat=0)),
        "ID token audience": signed(server, claims(server, aud="a-client-id")),
        "wrong issuer": signed(server, claims(server, iss="https://evil.example/")),
        "no subject": signed(server, claims(server, sub=None)),
        "no expiry": signed(server, claims(server, exp=None)),
        "not yet valid": signed(server, claims(server, nbf=int(time.time()) + 3600)),
        "unknown kid": signed(server, claims(server), kid="someone-elses-key"),
        "alg none": unsigned({"alg": "none", "typ": "JWT", "kid": authority.kid}, claims(server)),
        "HS256 with the public key": unsigned(
            {"alg": "HS256", "typ": "JWT", "kid": authority.kid}, claims(server), public_pem
        ),
        "tampered payload": _tampered(signed(server, claims(server)), claims(server, sub="root")),
    }
    for case, token in cases.items():
        reply = server.post(ME, None, token)
        assert reply.status_code == 401, case


def _tampered(token: str, body: dict[str, Any]) -> str:
    head, _, signature = token.split(".")
    return f"{head}.{b64(json.dumps(body).encode())}.{signature}"


def test_an_admin_right_claimed_in_user_metadata_gives_nothing(server: Server) -> None:
    right = {"permissions": ["usermgmt:admin"], "roles": ["admin"]}
    token = signed(server, claims(server, user_metadata=right, app_metadata=right))
    assert server.errors("{ users { edges { cursor } } }", token).codes == ["FORBIDDEN"]


ADMIN_QUERIES = [
    '{ user(id: "auth0|1") { id } }',
    '{ user(id: "bad id") { id } }',
    "{ users { edges { cursor } } }",
    "{ users(first: 1000) { edges { cursor } } }",
    f'{{ role(id: "{uuid.uuid4()}") {{ id }} }}',
    '{ role(id: "not-a-uuid") { id } }',
    "{ roles { edges { cursor } } }",
    f'{{ authorization(id: "{uuid.uuid4()}") {{ id }} }}',
    "{ authorizations { edges { cursor } } }",
    f'{{ group(id: "{uuid.uuid4()}") {{ id }} }}',
    "{ groups { edges { cursor } } }",
    '{ history(aggregateId: "auth0|1") { edges { cursor } } }',
]
ADMIN_MUTATIONS = [
    'createUser(input: {id: "auth0|x", email: "x@y.io", firstName: "a", lastName: "b"})',
    'createUser(input: {id: "", email: "bad", firstName: "", lastName: ""})',
    'updateUser(input: {id: "auth0|x", firstName: "a"})',
    'deleteUser(id: "auth0|x")',
    'createRole(input: {name: "r", description: "d"})',
    f'updateRole(input: {{id: "{uuid.uuid4()}", name: "r"}})',
    f'deleteRole(id: "{uuid.uuid4()}")',
    'createAuthorization(input: {name: "a", description: "d"})',
    f'updateAuthorization(input: {{id: "{uuid.uuid4()}", name: "a"}})',
    f'deleteAuthorization(id: "{uuid.uuid4()}")',
    'createGroup(input: {name: "g", description: "d"})',
    f'updateGroup(input: {{id: "{uuid.uuid4()}", name: "g"}})',
    f'deleteGroup(id: "{uuid.uuid4()}")',
    'replayFrom(timestamp: "2020-01-01T00:00:00Z")',
]


@pytest.mark.parametrize("query", ADMIN_QUERIES)
def test_a_user_token_is_forbidden_on_every_admin_query(server: Server, query: str) -> None:
    token = server.user_token(f"auth0|{uuid.uuid4().hex}")
    assert server.errors(query, token).codes == ["FORBIDDEN"]


@pytest.mark.parametrize("mutation", ADMIN_MUTATIONS)
def test_a_user_token_is_forbidden_on_every_admin_mutation(server: Server, mutation: str) -> None:
    token = server.user_token(f"auth0|{uuid.uuid4().hex}")
    errors = server.errors(f"mutation {{ {mutation} {{ commandId }} }}", token)
    assert errors.codes == ["FORBIDDEN"]


def nested(depth: int) -> str:
    """A query `depth` deep as graphql-depth-limit counts it (a top-level field is at depth 0,
    so `{ me { id } }` is 1 deep), going round groups and their members."""
    cycle = ["members(first: 2)", "edges", "node", "groups"]  # pages of 2: within the cost limit
    fields = ["groups(first: 2)", "edges", "node"]
    while len(fields) < depth:
        fields.append(cycle[(len(fields) - 3) % len(cycle)])
    leaf = "cursor" if fields[-1] == "edges" else "id"
    return "{ " + " { ".join(fields) + " { " + leaf + " }" * len(fields) + " }"


def test_queries_deeper_than_10_are_refused(server: Server, admin: str) -> None:
    assert "groups" in server.gql(nested(10), admin)
    errors = server.errors(nested(11), admin)
    assert "exceeds maximum operation depth" in errors.errors[0]["message"]


def test_more_than_20_aliases_are_refused(server: Server, admin: str) -> None:
    def aliases(n: int) -> str:
        return "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(n)) + " }"

    assert len(server.gql(aliases(20), admin)) == 20
    errors = server.errors(aliases(21), admin)
    assert "21 aliases found" in errors.errors[0]["message"]


NESTED_MEMBERS = """members(first: $n) { edges { node { id groups {
  members(first: $n) { edges { node { id } } } } } } }"""


def test_a_query_that_may_return_too_many_nodes_is_refused_with_its_cost(
    server: Server, admin: str
) -> None:
    """Twenty aliases of a group's members' groups' members: within the depth, alias and token
    limits, and 4,000,000 users (each member in up to 20 groups). Refused before it runs, with
    the cost and the maximum."""
    aliased = " ".join(f"g{i}: group(id: $id) {{ {NESTED_MEMBERS} }}" for i in range(20))
    query = f"query($id: ID!, $n: Int) {{ {aliased} }}"
    group = str(uuid.uuid4())
    errors = server.errors(query, admin, id=group, n=100)
    assert errors.errors == [
        {
            "message": errors.errors[0]["message"],
            "extensions": {"code": "QUERY_TOO_COSTLY", "cost": 4_004_020, "maxCost": MAX_COST},
        }
    ]
    assert "4004020" in errors.errors[0]["message"]
    # The same document with small pages (its variables decide) runs.
    assert server.gql(query, admin, id=group, n=1) == {f"g{i}": None for i in range(20)}


def test_documents_over_2000_tokens_are_refused(server: Server, admin: str) -> None:
    def tokens(n: int) -> str:
        # 23 tokens around the list, one per string in it; the ids are refused as input, which
        # shows the document itself was parsed and validated.
        ids = " ".join(['"x"'] * (n - 23))
        return (
            'mutation { createRole(input: {name: "n", description: "d", '
            f"authorizationIds: [{ids}]}}) {{ commandId }} }}"
        )

    assert server.errors(tokens(2000), admin).codes == ["BAD_USER_INPUT"]
    errors = server.errors(tokens(2001), admin)
    assert "more than 2000 tokens" in errors.errors[0]["message"]


def test_batched_operations_are_refused(server: Server, admin: str) -> None:
    batch = [{"query": ME}, {"query": ME}]
    reply = server.http.post("/graphql", json=batch, headers={"authorization": f"Bearer {admin}"})
    assert reply.status_code == 400
    assert "data" not in reply.text


def test_graphql_validation_errors_reach_the_client(server: Server, admin: str) -> None:
    errors = server.errors("{ me { idd } }", admin)
    message = errors.errors[0]["message"]
    assert "idd" in message and "Did you mean" in message  # suggestions are on in local dev


def test_local_dev_has_introspection_and_graphiql(server: Server, admin: str) -> None:
    assert server.gql("{ __schema { queryType { name } } }", admin)["__schema"]["queryType"]
    page = server.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


@pytest.mark.parametrize(
    "params",
    ["query={__typename}", "%71uery={__typename}", "qu%65ry={__typename}", "x=1&query={me{id}}"],
)
def test_a_get_that_runs_a_query_needs_a_token_whatever_its_encoding(
    server: Server, params: str
) -> None:
    """The GraphiQL page is open; a GET that carries a query is not, however the key is
    spelled in the URL."""
    for accept in ("text/html", "*/*", "application/json"):
        reply = server.http.get(f"/graphql?{params}", headers={"accept": accept})
        assert reply.status_code == 401, (accept, reply.text)
        assert "data" not in reply.json()
