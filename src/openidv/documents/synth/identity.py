"""Random but plausible identities and document data, seeded."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

SURNAMES = (
    "Eriksson", "Müller", "Núñez", "García", "Østergaard", "Kowalczyk", "Nowak", "Çelik", "Yılmaz",
    "Papadopoulos", "Rossi", "Bianchi", "Dubois", "Lefèvre", "Van der Berg", "De Vries", "Smith",
    "O'Connor", "MacDonald", "Novák", "Dvořák", "Horváth", "Kovačević", "Popescu", "Ivanov", "Petrova",
    "Nguyen", "Tran", "Kim", "Park", "Wang", "Li", "Chen", "Tanaka", "Suzuki", "Singh", "Patel",
    "Okafor", "Mensah", "Haddad", "Al-Sayed", "Cohen", "Levi", "Johansson", "Virtanen", "Jørgensen",
    "Gonçalves", "Ferreira", "Sánchez-López", "Schäfer", "Weiß", "Žukauskas", "Bērziņš", "Tamm",
    "Fernández de Córdoba", "Abubakar", "Mwangi", "Santos", "Hernández", "Anderson", "Thompson",
)
GIVEN = (
    "Anna", "María José", "Jean-Luc", "Zoë", "Łukasz", "Søren", "Ångström", "Björn", "Chloé", "José",
    "Ahmet", "Ayşe", "Giorgos", "Eleni", "Marco", "Giulia", "Pierre", "Amélie", "Hans", "Jürgen",
    "Ingrid", "Sean", "Siobhán", "Tomáš", "Zsófia", "Ioana", "Dmitri", "Olga", "Minh Anh", "Ji-woo",
    "Wei", "Yuki", "Arjun", "Priya", "Chinedu", "Kwame", "Fatima", "Omar", "Noa", "Eitan", "Aino",
    "Mikkel", "João", "Inês", "Lucía", "Anna Maria", "Matthias", "Ruta", "Jānis", "Kristjan",
    "Mary Ann", "John Paul", "Amina", "Wanjiru", "Gabriel", "Camila", "Michael", "Emily",
)
COUNTRIES = (
    "UTO", "D<<", "FRA", "ESP", "ITA", "NLD", "BEL", "POL", "CZE", "SVK", "HUN", "ROU", "BGR", "GRC",
    "PRT", "SWE", "NOR", "DNK", "FIN", "EST", "LVA", "LTU", "IRL", "GBR", "AUT", "CHE", "TUR", "CAN",
    "USA", "MEX", "BRA", "ARG", "CHL", "AUS", "NZL", "JPN", "KOR", "IND", "NGA", "KEN", "GHA", "ZAF",
)
US_STATES = (("CA", "636014"), ("NY", "636001"), ("TX", "636015"), ("FL", "636010"), ("WA", "636045"),
             ("IL", "636035"), ("PA", "636025"), ("OH", "636023"), ("GA", "636055"), ("MI", "636032"))
CITIES = ("SPRINGFIELD", "RIVERSIDE", "FAIRVIEW", "MADISON", "GEORGETOWN", "FRANKLIN", "CLINTON", "SALEM")
STREETS = ("MAIN ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "ELM ST", "LAKE VIEW BLVD", "HILL RD")


@dataclass
class Identity:
    surname: str
    given_names: str
    sex: str
    date_of_birth: date
    nationality: str
    document_number: str
    date_of_issue: date
    date_of_expiry: date
    place_of_birth: str
    personal_number: str = ""
    address: dict[str, str] = field(default_factory=dict)
    physical: dict[str, str] = field(default_factory=dict)


def _pattern(rng: np.random.Generator, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "L":
            out.append(string.ascii_uppercase[rng.integers(26)])
        elif ch == "D":
            out.append(string.digits[rng.integers(10)])
        elif ch == "A":
            out.append((string.ascii_uppercase + string.digits)[rng.integers(36)])
        else:
            out.append(ch)
    return "".join(out)


def random_identity(rng: np.random.Generator, number_pattern: str = "LLDDDDDDD", country: str = "UTO",
                    today: date | None = None) -> Identity:
    """A random identity; dates are chosen so the document is valid on `today` unless changed."""
    today = today or date.today()
    sex = str(rng.choice(["F", "M", "F", "M", "X"], p=[0.45, 0.45, 0.04, 0.04, 0.02]))
    given = str(rng.choice(GIVEN))
    if rng.random() < 0.25:
        given += " " + str(rng.choice(GIVEN)).split()[0]
    dob = today - timedelta(days=int(rng.integers(18 * 365 + 5, 85 * 365)))
    issue = today - timedelta(days=int(rng.integers(30, 9 * 365)))
    expiry = issue + timedelta(days=int(rng.choice([5, 10]) * 365 + rng.integers(-3, 3)))
    if expiry <= today:
        expiry = today + timedelta(days=int(rng.integers(60, 3000)))
    state, _ = US_STATES[int(rng.integers(len(US_STATES)))]
    return Identity(
        surname=str(rng.choice(SURNAMES)),
        given_names=given,
        sex=sex,
        date_of_birth=dob,
        nationality=country,
        document_number=_pattern(rng, number_pattern),
        date_of_issue=issue,
        date_of_expiry=expiry,
        place_of_birth=str(rng.choice(CITIES)).title(),
        personal_number=_pattern(rng, "DDDDDDDDD") if rng.random() < 0.5 else "",
        address={"street": f"{int(rng.integers(1, 9999))} {rng.choice(STREETS)}", "city": str(rng.choice(CITIES)),
                 "state": state, "postal": _pattern(rng, "DDDDD")},
        physical={"height": f"{int(rng.integers(150, 200))} cm", "eyes": str(rng.choice(["BLU", "BRO", "GRN", "HAZ"]))},
    )
