"""Collaborators: the members that share initiatives with a member."""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.graph.model import NodeKey, NodeType
from resolvers.graph.network import NetworkGraph
from resolvers.pagination import Page, PageArgs, page_of

__all__ = ["Collaborator", "collaborators"]


@dataclass(slots=True)
class Collaborator:
    """A member that shares initiatives with another."""

    cursor: str
    member_id: int
    initiative_ids: list[int]

    @property
    def shared_count(self) -> int:
        return len(self.initiative_ids)


def collaborators(network: NetworkGraph, member_id: int, args: PageArgs) -> Page[Collaborator]:
    """The members that share initiatives with a member, most shared first,
    then by name; each with the shared initiatives by title."""
    start: NodeKey = (NodeType.MEMBER, member_id)
    if start not in network:
        return Page.empty(after=args.after is not None)
    adjacent = network.graph.adj
    shared: dict[NodeKey, list[NodeKey]] = {}
    for initiative in adjacent[start]:
        if initiative[0] is NodeType.INITIATIVE:
            for other in adjacent[initiative]:
                if other[0] is NodeType.MEMBER and other != start:
                    shared.setdefault(other, []).append(initiative)
    found = [
        Collaborator("", other[1], [key[1] for key in sorted(keys, key=network.sort_key)])
        for other, keys in shared.items()
    ]
    return page_of(
        found,
        lambda item: (
            -item.shared_count,
            network.labels[(NodeType.MEMBER, item.member_id)],
            item.member_id,
        ),
        args,
        lambda item, cursor: Collaborator(cursor, item.member_id, item.initiative_ids),
    )
