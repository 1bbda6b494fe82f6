"""Generated demo data for trials and scale tests, flagged `origin=demo`.

Deterministic (Faker with a fixed seed, indexed by record number) and
idempotent: `ensure_demo(database, n)` tops the demo set up to `n` partners
(and n/10 initiatives, each with member and partner links) without touching
what exists, so running it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker
from sqlalchemy import insert, select

from db.engine import IMMEDIATE, Database
from db.models import (
    Confidence,
    FocusArea,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Member,
    MemberInitiative,
    MemberRole,
    Origin,
    Partner,
    PartnerFocusArea,
    PartnerInitiative,
    PartnerKind,
    PartnerRole,
)

__all__ = ["DemoReport", "ensure_demo"]

SEED = 1985  # the year Metropolis was founded
PARTNERS_PER_INITIATIVE = 10
INITIATIVES_PER_PARTNER = 2
DEMO: dict[str, object] = {
    "origin": Origin.DEMO,
    "confidence": Confidence.MEDIUM,
    "source_urls": [],
}


@dataclass(frozen=True, slots=True)
class DemoReport:
    partners: int
    initiatives: int
    member_links: int
    partner_links: int

    def lines(self) -> list[str]:
        return [
            f"demo partners added: {self.partners}",
            f"demo initiatives added: {self.initiatives}",
            f"demo member-initiative links added: {self.member_links}",
            f"demo partner-initiative links added: {self.partner_links}",
        ]


# One instance, reseeded per record: reseeding gives exactly what a fresh
# instance seeded the same would, and creating a Faker costs ~1.7 ms (most
# of the time of a 100,000-partner run).
_FAKE = Faker()


def _faker(index: int) -> Faker:
    _FAKE.seed_instance(SEED * 1_000_003 + index)
    return _FAKE


def _partner(index: int, focus_areas: list[int]) -> tuple[dict[str, object], list[int]]:
    fake = _faker(index)
    rng = random.Random(SEED + index)
    # A real place (Faker's gazetteer) for the office, so maps and `near` work.
    latitude, longitude, _place, country, _zone = fake.location_on_land()
    row: dict[str, object] = {
        "name": f"{fake.company()} (demo {index + 1})",
        "kind": rng.choice(list(PartnerKind)),
        "sector": fake.bs(),
        "country_code": country,
        "latitude": float(latitude),
        "longitude": float(longitude),
        "website": fake.url(),
        "description": fake.catch_phrase(),
        "period": str(rng.randint(2000, 2025)),
        "contact_name": fake.name(),
        "contact_email": fake.company_email(),
        "contact_phone": fake.phone_number()[:64],
        **DEMO,
    }
    areas = rng.sample(focus_areas, k=min(len(focus_areas), rng.randint(1, 2)))
    return row, areas


def _initiative(index: int) -> dict[str, object]:
    fake = _faker(-index - 1)
    rng = random.Random(-SEED - index)
    start = rng.randint(2012, 2024)
    end = start + rng.randint(1, 3)
    return {
        "title": f"{fake.catch_phrase()} (demo {index + 1})",
        "kind": InitiativeKind.PILOT_PROJECT,
        "period": f"{start}-{end}",
        "start_year": start,
        "end_year": end,
        "status": InitiativeStatus.COMPLETED if end < 2026 else InitiativeStatus.ONGOING,
        "summary": fake.sentence(nb_words=10),
        **DEMO,
    }


async def ensure_demo(database: Database, partners: int) -> DemoReport:
    """Make sure `partners` demo partners (and partners/10 demo initiatives) exist."""
    initiatives = max(1, partners // PARTNERS_PER_INITIATIVE) if partners else 0
    async with database.engine.connect() as connection:
        connection = await connection.execution_options(**IMMEDIATE)
        async with connection.begin():

            async def demo_ids(model: type[Partner] | type[Initiative]) -> list[int]:
                query = select(model.id).where(model.origin == Origin.DEMO).order_by(model.id)
                return list((await connection.execute(query)).scalars())

            members = list((await connection.execute(select(Member.id))).scalars())
            focus_areas = list((await connection.execute(select(FocusArea.id))).scalars())
            if not members:
                raise RuntimeError("seed the reference data before adding demo data")

            have_initiatives = await demo_ids(Initiative)
            new_initiatives = [_initiative(i) for i in range(len(have_initiatives), initiatives)]
            member_links = []
            if new_initiatives:
                await connection.execute(insert(Initiative), new_initiatives)
                all_initiatives = await demo_ids(Initiative)
                for index, initiative_id in enumerate(
                    all_initiatives[len(have_initiatives) :], start=len(have_initiatives)
                ):
                    rng = random.Random(SEED * 7 + index)
                    chosen = rng.sample(members, k=min(len(members), rng.randint(3, 10)))
                    member_links += [
                        {
                            "member_id": member_id,
                            "initiative_id": initiative_id,
                            "role": MemberRole.LEAD if n == 0 else MemberRole.PARTICIPANT,
                            **DEMO,
                        }
                        for n, member_id in enumerate(chosen)
                    ]
                await connection.execute(insert(MemberInitiative), member_links)
            all_initiatives = await demo_ids(Initiative)

            have_partners = await demo_ids(Partner)
            new = [_partner(i, focus_areas) for i in range(len(have_partners), partners)]
            partner_links: list[dict[str, object]] = []
            if new:
                await connection.execute(insert(Partner), [row for row, _ in new])
                ids = (await demo_ids(Partner))[len(have_partners) :]
                area_links = []
                for offset, (partner_id, (_, areas)) in enumerate(zip(ids, new, strict=True)):
                    rng = random.Random(SEED * 13 + len(have_partners) + offset)
                    chosen = rng.sample(
                        all_initiatives, k=min(len(all_initiatives), INITIATIVES_PER_PARTNER)
                    )
                    partner_links += [
                        {
                            "partner_id": partner_id,
                            "initiative_id": initiative_id,
                            "role": rng.choice(list(PartnerRole)),
                            **DEMO,
                        }
                        for initiative_id in chosen
                    ]
                    area_links += [
                        {"partner_id": partner_id, "focus_area_id": area, **DEMO} for area in areas
                    ]
                if partner_links:
                    await connection.execute(insert(PartnerInitiative), partner_links)
                if area_links:
                    await connection.execute(insert(PartnerFocusArea), area_links)
    return DemoReport(len(new), len(new_initiatives), len(member_links), len(partner_links))
