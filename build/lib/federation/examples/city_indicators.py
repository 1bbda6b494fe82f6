"""City indicators: an example partner subgraph for Metropolis Hub.

A partner copies this file to start its own subgraph. It shows the three
things a partner subgraph does with the hub's entities:

- extends an entity by its key (`Member`, `Initiative`: `@key(fields: "id")`,
  the hub's global ID) with fields of its own;
- computes a field from hub data it asks the gateway for (`@external` +
  `@requires`): daylight needs a member's coordinates, which the hub owns;
- owns a type (`Daylight`) that points back at a hub entity (`member`).

It holds no data of its own: every figure is computed (sunrise and sunset
with the `astral` library), so nothing here is made up.

Run: `uvicorn federation.examples.city_indicators:app --port 8001`
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from astral import Observer
from astral.sun import daylight
from strawberry.asgi import GraphQL


@strawberry.type(description="Daylight at a member city on one day (times in UTC).")
class Daylight:
    date: dt.date = strawberry.field(description="The day.")
    sunrise: dt.datetime | None = strawberry.field(
        description="Sunrise (UTC); null on a day the sun does not rise or set."
    )
    sunset: dt.datetime | None = strawberry.field(
        description="Sunset (UTC); null on a day the sun does not rise or set."
    )
    hours: float = strawberry.field(description="Hours of daylight, rounded to minutes.")
    member: Member = strawberry.field(description="The member city (resolved by the hub).")


@strawberry.federation.type(keys=["id"], description="A member government of Metropolis.")
class Member:
    id: strawberry.ID = strawberry.field(description="The member's global ID in the hub.")
    latitude: float | None = strawberry.federation.field(
        external=True, description="Latitude in degrees (owned by the hub)."
    )
    longitude: float | None = strawberry.federation.field(
        external=True, description="Longitude in degrees (owned by the hub)."
    )

    @strawberry.federation.field(
        requires=["latitude longitude"],
        description="Daylight at the member's city on `date`; null without coordinates.",
    )
    def daylight(
        self,
        date: Annotated[
            dt.date | None, strawberry.argument(description="The day; today when omitted.")
        ] = None,
    ) -> Daylight | None:
        if self.latitude is None or self.longitude is None:
            return None
        return _daylight(self, date or dt.date.today())

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Member:
        return cls(
            id=representation["id"],
            latitude=representation.get("latitude"),
            longitude=representation.get("longitude"),
        )


@strawberry.federation.type(keys=["id"], description="A partnership project of the network.")
class Initiative:
    id: strawberry.ID = strawberry.field(description="The initiative's global ID in the hub.")
    start_year: int | None = strawberry.federation.field(
        external=True, description="First year of its period (owned by the hub)."
    )
    end_year: int | None = strawberry.federation.field(
        external=True, description="Last year of its period (owned by the hub)."
    )

    @strawberry.federation.field(
        requires=["startYear endYear"],
        description="How many calendar years its period spans; null when open-ended.",
    )
    def duration_years(self) -> int | None:
        if self.start_year is None or self.end_year is None:
            return None
        return self.end_year - self.start_year + 1

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Initiative:
        return cls(
            id=representation["id"],
            start_year=representation.get("startYear"),
            end_year=representation.get("endYear"),
        )


def _daylight(member: Member, day: dt.date) -> Daylight:
    assert member.latitude is not None
    assert member.longitude is not None
    observer = Observer(latitude=member.latitude, longitude=member.longitude)
    try:
        sunrise, sunset = daylight(observer, date=day)
    except ValueError:
        # Polar day or night: the sun never crosses the horizon.
        hours = 24.0 if (member.latitude > 0) == (4 <= day.month <= 9) else 0.0
        return Daylight(date=day, sunrise=None, sunset=None, hours=hours, member=member)
    hours = round((sunset - sunrise).total_seconds() / 60) / 60
    return Daylight(date=day, sunrise=sunrise, sunset=sunset, hours=round(hours, 2), member=member)


# No root fields of its own: the gateway reaches this subgraph through the
# entities it extends.
schema = strawberry.federation.Schema(
    types=[Member, Initiative, Daylight], federation_version="2.9"
)
app = GraphQL(schema, graphql_ide=None)
