"""Request limits, each at its boundary: at the limit passes, one over fails
with an error that says which limit and what to do."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import schema as hub_schema
from engine.limits import Limits
from tests.conftest import GraphQLClient


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    found: dict[str, Any] = error
    return found


def _nested(depth: int) -> str:
    """A query `depth` objects deep: regions > members > region > members ..."""
    inner = "name"
    for level in range(depth, 0, -1):
        if level == 1:
            inner = f"regions(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
        elif level % 2 == 0:
            inner = f"members(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
        else:
            inner = f"region {{ {inner} }}"
    return "{ " + inner + " }"


async def test_depth(graphql: GraphQLClient) -> None:
    assert "errors" not in await graphql.post(_nested(8))
    error = _error(await graphql.post(_nested(9)))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "9 objects deep; at most 8" in error["message"]


def _tokens(extra: str = "") -> str:
    """A document of 997 tokens (+ one per word in `extra`): 16 around nine
    conditions of 109 tokens each, `{name: {in: [...99 values]}}`."""
    values = " ".join('"a"' for _ in range(99))
    parts = " ".join(f"{{name: {{in: [{values}]}}}}" for _ in range(9))
    return f"{{ members(where: {{and: [{parts}]}}) {{ totalCount {extra}}} }}"


async def test_tokens(graphql: GraphQLClient) -> None:
    exactly_1000 = _tokens("__typename " * 3)
    assert "errors" not in await graphql.post(exactly_1000)
    error = _error(await graphql.post(_tokens("__typename " * 4)))
    assert "more than 1000 tokens" in error["message"]


# A fragment of 99 fields, spread `times` times: 100 selections a spread.
SPREAD = "query Spread {{ {spreads} {extra}}} fragment Hundred on Query {{ {fields} }}"


def _spread(times: int, extra: str = "") -> str:
    fields = " ".join(["__typename"] * 99)
    return SPREAD.format(spreads=" ".join(["...Hundred"] * times), extra=extra, fields=fields)


async def test_selections_counted_with_fragments_spread(graphql: GraphQLClient) -> None:
    # Given 50 spreads of a 99-field fragment: 5,000 selections, the limit
    assert "errors" not in await graphql.post(_spread(50))
    # When one more field is asked for beside them
    error = _error(await graphql.post(_spread(50, "__typename ")))
    # Then the document is refused, saying by how much
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert "5,001 selections once its fragments are spread; at most 5,000" in error["message"]


# Sixty fragments, each spreading the next twice: 2^60 leaves in 70 lines.
DOUBLING = "query Doubling { ...F0 }\n" + "\n".join(
    [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(60)]
    + ["fragment F60 on Query { __typename }"]
)


async def test_fragments_that_double_are_counted_not_walked(graphql: GraphQLClient) -> None:
    # Given a document of 660 tokens that spreads out to 2^61 + 2^60 - 1 selections
    # When it is sent (walking it, as validation and the depth and cost checks
    # do, would never end)
    error = _error(await graphql.post(DOUBLING))
    # Then it is refused at once with the count
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert f"{2**61 + 2**60 - 1:,} selections" in error["message"]


REPEATED = "query Repeated {{ {fields}}}"


def _repeated(times: int) -> str:
    return REPEATED.format(fields="__typename " * times)


async def test_fields_of_one_name_are_checked_within_a_budget(graphql: GraphQLClient) -> None:
    # Given a field asked for 300 times: 300 x 299 = 89,700 of the 100,000 units
    # graphql-core's check that they merge may spend, so it runs
    assert "errors" not in await graphql.post(_repeated(300))
    # When it is asked for 400 times (159,600 units)
    error = _error(await graphql.post(_repeated(400)))
    # Then validation stops at the budget and says what to change
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert "too costly to validate" in error["message"]
    assert "Ask for each field once" in error["message"]


async def test_aliases_counted_through_fragments(graphql: GraphQLClient) -> None:
    def document(count: int) -> str:
        aliases = " ".join(f"a{i}: __typename" for i in range(count - 5))
        fragment = " ".join(f"f{i}: __typename" for i in range(5))
        return f"query {{ {aliases} ...F }} fragment F on Query {{ {fragment} }}"

    assert "errors" not in await graphql.post(document(15))
    error = _error(await graphql.post(document(16)))
    assert "16 aliases found. Allowed: 15" in error["message"]


async def test_directives(graphql: GraphQLClient) -> None:
    # The same field repeated (aliases are limited to 15).
    def document(count: int) -> str:
        return "{ " + "__typename @include(if: true) " * count + "}"

    assert "errors" not in await graphql.post(document(50))
    error = _error(await graphql.post(document(51)))
    assert error["extensions"]["code"] == "TOO_MANY_DIRECTIVES"


COSTLY = """
query Costly($regions: Int!) {
  members(first: 99) { edges { node { initiatives(first: 8) { edges { node { title } } } } } }
  regions(first: $regions) { edges { node { name } } }
}
"""


async def test_cost(graphql: GraphQLClient) -> None:
    # 1 + 99 x (member 1 + its initiatives list 1 + 8 initiatives) + 1 + regions.
    body = await graphql.post(COSTLY, {"regions": 8})
    assert "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1000
    assert body["extensions"]["cost"]["maximumAvailable"] == 1000
    assert 0 < body["extensions"]["cost"]["actualQueryCost"] <= 1000
    error = _error(await graphql.post(COSTLY, {"regions": 9}))
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "costs 1001 points; a request may cost at most 1000" in error["message"]
    # and it says what a list without `first` counts, the usual surprise
    assert "(or 20 without it) and nested lists multiply" in error["message"]


SIZED = """
query Sized($inner: Int!) {
  members(first: 100) { edges { node { initiatives(first: $inner) { totalCount } } } }
}
"""


async def test_node_estimate(graphql: GraphQLClient) -> None:
    # 100 members + 100 x 99 initiatives = 10,000 nodes: allowed; 100 x 100 is not.
    body = await graphql.post(SIZED, {"inner": 99})
    assert "errors" not in body
    assert body["extensions"]["cost"]["estimatedNodes"] == 10_000
    error = _error(await graphql.post(SIZED, {"inner": 100}))
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"


ONE_OF_TYPES = """
query OneOf($id: ID!) {
  node(id: $id) {
    id
    ... on Member { initiatives(first: 40) { edges { node { title } } } }
    ... on Partner { initiatives(first: 30) { edges { node { title } } } }
    ... on Initiative { members(first: 40) { edges { node { name } } } }
    ...Interface
  }
}
fragment Interface on Node { ... on Region { members(first: 10) { totalCount } } }
"""


async def test_fragments_on_different_types_cost_the_dearest_one(graphql: GraphQLClient) -> None:
    # Given fragments on three object types under `node`, of which an answer holds one
    body = await graphql.post(ONE_OF_TYPES, {"id": "TWVtYmVyOjIw"})

    # then the request costs the dearest fragment's share, not their sum:
    # node 1 + the member's initiatives 1 + 40 initiatives + the fragment on
    # Node, counted as always there (Region's members 1), not 1 + 82 + 31 + 1.
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 1 + 40 + 1


async def test_mutations_cost_ten(graphql: GraphQLClient) -> None:
    body = await graphql.post(
        'mutation { memberArchive(input: {id: "x", expectedVersion: 1}) { userErrors { code } } }'
    )
    # The payload (1), its unpaged userErrors list (counted as 5), and 10 for a mutation.
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 5 + 10


async def test_execution_time_budget(
    graphql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_schema, "LIMITS", Limits(time_seconds=0.000_001))
    error = _error(await graphql.post("{ members(first: 100) { totalCount } }"))
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "longer than" in error["message"]
    monkeypatch.undo()
    assert (await graphql.post("{ regions { totalCount } }"))["data"]["regions"]["totalCount"] == 4


HOSTILE = """
query Hostile($where: PartnerWhere) { partners(first: 20, where: $where) { totalCount } }
"""
# Partners in an initiative with a partner that works with a member named ...: three steps.
THREE_STEPS = {
    "initiatives": {
        "some": {"partners": {"some": {"members": {"some": {"name": {"contains": "x"}}}}}}
    }
}
FOUR_STEPS: dict[str, Any] = {
    "initiatives": {
        "some": {"partners": {"some": {"initiatives": {"some": {"members": {"some": {}}}}}}}
    }
}


async def test_a_filter_of_600_branches_is_refused_before_it_runs(graphql: GraphQLClient) -> None:
    # Given an `or` of 600 branches of three relation steps and a condition each
    body = await graphql.post(HOSTILE, {"where": {"or": [THREE_STEPS] * 600}})

    # then the request is refused, saying which limit it is over
    error = _error(body)
    assert error["extensions"]["code"] == "FILTER_TOO_LARGE"
    assert "has 2400 conditions" in error["message"]
    assert "at most 50 are allowed" in error["message"]


async def test_filter_conditions_at_the_limit(graphql: GraphQLClient) -> None:
    def where(count: int) -> dict[str, Any]:
        return {"and": [{"name": {"ne": f"n{i}"}} for i in range(count)]}

    body = await graphql.post(HOSTILE, {"where": where(50)})
    assert body["data"]["partners"]["totalCount"] == 46, body
    # The list 1, and 1 a condition.
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 50
    error = _error(await graphql.post(HOSTILE, {"where": where(51)}))
    assert error["extensions"]["code"] == "FILTER_TOO_LARGE"


async def test_a_deep_but_allowed_filter_runs_priced_by_its_steps(graphql: GraphQLClient) -> None:
    # Given three relation steps inside each other (the most allowed)
    body = await graphql.post(HOSTILE, {"where": THREE_STEPS})

    # then it runs, and costs 20, 40 and 60 points for its steps and 1 for its condition
    assert body["data"]["partners"]["totalCount"] == 0, body
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 20 + 40 + 60 + 1

    # and a fourth step is refused
    error = _error(await graphql.post(HOSTILE, {"where": FOUR_STEPS}))
    assert error["extensions"]["code"] == "FILTER_TOO_DEEP"
    assert "4 relations inside each other" in error["message"]


def _nested_in_document(levels: int) -> str:
    """A partner list filtered by `not` inside `and` inside `not` ... `levels` deep."""
    where = '{name: {eq: "nobody"}}'
    for level in range(levels):
        where = f"{{not: {where}}}" if level % 2 == 0 else f"{{and: [{where}]}}"
    return f"{{ partners(where: {where}) {{ totalCount }} }}"


async def test_and_or_not_nesting_is_limited_in_documents(graphql: GraphQLClient) -> None:
    body = await graphql.post(_nested_in_document(10))
    assert "errors" not in body, body
    error = _error(await graphql.post(_nested_in_document(11)))
    assert error["extensions"]["code"] == "FILTER_TOO_DEEP"
    assert "11 levels deep; at most 10" in error["message"]


PAGES = """
query Pages($n: Int = 100) {
  initiatives(first: $n) { edges { node { partners(first: $n) { edges { node { name } } } } } }
}
"""
NESTED_VARIABLES = """
query Nested(
  $step: PartnerWhere = {initiatives: {some: {title: {contains: "a"}}}}
  $name: TextFilter
) {
  partners(first: 5, where: {or: [$step, {name: $name}]}) { totalCount }
}
"""


async def test_variable_defaults_are_priced_as_the_same_values_sent(
    graphql: GraphQLClient,
) -> None:
    # Given a page size in a variable's default, sent, and sent as 100.0 (an Int to GraphQL)
    errors = [_error(await graphql.post(PAGES, variables)) for variables in (None, {"n": 100})]
    errors.append(_error(await graphql.post(PAGES, {"n": 100.0})))

    # then each is priced alike: the list 1, 100 initiatives, their 100 partner
    # lists and 100 x 100 partners
    for error in errors:
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert "costs 10201 points" in error["message"]


async def test_variables_inside_filters_are_priced(graphql: GraphQLClient) -> None:
    # Given a filter made of a variable's default and a variable inside an input object
    name = {"name": {"eq": "UN-Habitat"}}
    by_default = await graphql.post(NESTED_VARIABLES, {"name": name["name"]})
    sent = await graphql.post(
        NESTED_VARIABLES,
        {"step": {"initiatives": {"some": {"title": {"contains": "a"}}}}, "name": name["name"]},
    )

    # then both cost the list 1, the relation step 20, and a condition on each side 1
    for body in (by_default, sent):
        assert "errors" not in body, body
        assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 20 + 1 + 1


ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Member { name region { name } } }
}
"""


async def test_federation_representations_are_priced_by_records_and_positions(
    graphql: GraphQLClient,
) -> None:
    # Given 50 references to one member, each asking for the member's region,
    representations = [{"__typename": "Member", "id": "TWVtYmVyOjIw"}] * 50
    body = await graphql.post(ENTITIES, {"representations": representations})
    assert "errors" not in body, body
    # the member is read once (1 point), but every position runs its selection
    # (a region each), and every position is a node of the answer.
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 50
    assert body["extensions"]["cost"]["estimatedNodes"] == 50


def _nested_list(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def _nested_and(levels: int) -> dict[str, Any]:
    where: dict[str, Any] = {"name": {"eq": "a"}}
    for _ in range(levels):
        where = {"and": [where]}
    return where


IDS = "query Ids($ids: [ID!]!) { nodes(ids: $ids) { id } }"
REGIONS = "{ regions { totalCount } }"


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"query": IDS, "variables": {"ids": _nested_list(300)}}, id="list-300"),
        pytest.param({"query": HOSTILE, "variables": {"where": _nested_and(150)}}, id="and-150"),
        pytest.param({"query": REGIONS, "extensions": {"x": _nested_list(300)}}, id="extensions"),
    ],
)
async def test_deeply_nested_json_is_refused_before_it_is_walked(
    client: httpx.AsyncClient, accept: str, body: dict[str, Any]
) -> None:
    # Given `variables` or `extensions` nested hundreds of levels deep
    response = await client.post("/graphql", json=body, headers={"accept": accept})

    # then the request is refused with 400 and the limit, in either media type
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "more than 64 levels deep" in error["message"]


async def test_json_nesting_at_the_limit(client: httpx.AsyncClient) -> None:
    # `extensions` is the first level, so a list in it may nest 63 levels.
    for levels, status in ((63, 200), (64, 400)):
        body = {"query": REGIONS, "extensions": {"x": _nested_list(levels)}}
        response = await client.post("/graphql", json=body)
        assert response.status_code == status, response.text
