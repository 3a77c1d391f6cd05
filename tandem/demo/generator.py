"""The demo trust, built as columnar tables from a seed: pure Python and numpy, no Django.

`generate(seed=..., as_of=..., schools=..., pupils_per_school=...)` always returns the same tables, byte for
byte, for the same four arguments, so a demo database can be rebuilt and the progress engine can be scored
against the ground truth (`DemoData.truth`) without storing anything.

Every school draws from its own random stream, so school 3 is the same whether the trust has 3 schools or 40.
Indices in the tables are positions in other tables (a pupil column holds row numbers of `DemoData.pupils`);
the loader turns them into database ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.lib.upn import check_letter

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
DateArray = NDArray[np.datetime64]
StrArray = NDArray[np.str_]

# Reserved for documentation (RFC 2606), so demo addresses can never reach a real mailbox.
DEMO_EMAIL_DOMAIN = "demo.tandem.example"

SUBJECTS = ("reading", "writing", "maths")
SCALES = ("standardised", "primary-ta", "gcse-working-at")
TERMS = ("autumn", "spring", "summer")
WINDOWS_PER_SCHOOL = 9
# Code 6.17 patterns the progress engine should flag, then the one it should not.
FLAG_PATTERNS = ("stall", "slowed", "falls_behind", "not_closing")
# The ones criteria (a), (b) and (d) are for: a slowdown or a widening gap. not_closing is (c)'s.
ABD_PATTERNS = ("stall", "slowed", "falls_behind")
PATTERNS = (*FLAG_PATTERNS, "improving")

DEFAULT_PRIMARY_ROLL = 420
DEFAULT_SECONDARY_ROLL = 1000
MAX_SCHOOLS = 100
# A UPN serial has three digits, so one allocating school can number at most 999 pupils a year.
MAX_PUPILS_PER_SCHOOL = 5000
MIN_PUPILS_PER_SCHOOL = 14

_STD = 0  # scale index of "standardised"
_PRIMARY_TA = 1
_GCSE = 2
_READING, _WRITING, _MATHS = 0, 1, 2
# Subjects with a standardised test each term; patterns are planted only where the engine can see them.
_TESTED = (_READING, _MATHS)

# Standardised scores: mean 100, SD 15, reliability 0.9 => error SD sqrt(0.1) * 15 ~ 4.7 (as the scale says).
_NOISE_SD = 4.7
_STD_MIN, _STD_MAX = 69, 141
# A planted decline keeps the true score at or above this, so the test's floor (69) does not hide its size.
_PATTERN_FLOOR = 72.0
# Below this latent score a pupil does not sit the standardised test (the test has no floor for them).
_DISAPPLIED_Z = -2.4

# Trust-wide assessment calendar: (month, day) opens and closes; autumn in the first calendar year.
_WINDOW_DATES = {
    "autumn": ((11, 1), (12, 12)),
    "spring": ((3, 2), (3, 27)),
    "summer": ((6, 8), (7, 10)),
}

PRIMARY_TA_CODES = ("PK1", "PK2", "PK3", "PK4", "PK5", "PK6", "WTS", "EXS", "GDS")
GCSE_CODES = ("U", "1", "2", "3", "4", "5", "6", "7", "8", "9")
# Latent z cut-offs for PK2..GDS (PK1 below the first); writing has fewer at greater depth, as nationally.
_PRIMARY_TA_CUTS = {
    _READING: (-3.2, -2.9, -2.6, -2.3, -2.0, -1.7, -0.6, 0.75),
    _WRITING: (-3.2, -2.9, -2.6, -2.3, -2.0, -1.7, -0.55, 1.1),
    _MATHS: (-3.2, -2.9, -2.6, -2.3, -2.0, -1.7, -0.6, 0.8),
}

# ---------------------------------------------------------------------------------------------------- names
# Names are made-up combinations reflecting England's school population. All are at least four letters and
# none is an everyday word (no "Grace", "Hope", "Summer", "Ward", "White"...), so scanning logs for them is
# meaningful.
_ORIGINS = (
    "british",
    "south_asian",
    "black_african",
    "caribbean",
    "eastern_european",
    "arab_somali_turkish",
    "east_asian",
    "southern_european",
)
_ORIGIN_WEIGHTS = (0.63, 0.11, 0.05, 0.03, 0.07, 0.05, 0.02, 0.04)
# Share with English as an additional language, by naming tradition.
_EAL_RATE = (0.015, 0.55, 0.45, 0.03, 0.8, 0.75, 0.6, 0.6)

# fmt: off
_CHILD_FORENAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # origin: ((female...), (male...))
    "british": (
        (
            "Olivia", "Amelia", "Isla", "Freya", "Lily", "Florence", "Rosie", "Sophia", "Isabella", "Evie",
            "Sienna", "Elsie", "Phoebe", "Harper", "Emily", "Ella", "Daisy", "Poppy", "Matilda", "Isabelle",
            "Charlotte", "Millie", "Alice", "Evelyn", "Maisie", "Eliza", "Esme", "Aurora", "Violet",
            "Arabella", "Bonnie", "Emilia", "Nancy", "Thea", "Lucy", "Hannah", "Jessica", "Chloe", "Megan",
            "Lauren", "Bethany", "Abigail", "Georgia", "Katie", "Eleanor", "Scarlett", "Imogen", "Harriet",
            "Erin", "Niamh", "Aoife", "Caitlin", "Orla", "Cerys", "Ffion", "Eilidh", "Lottie", "Darcie",
            "Edith", "Mabel", "Penelope", "Beatrice", "Ellie", "Maddison", "Chloë",
        ),
        (
            "Oliver", "George", "Noah", "Arthur", "Harry", "Oscar", "Archie", "Henry", "Theodore", "Freddie",
            "Jack", "Charlie", "Thomas", "Jacob", "Alfie", "Finley", "Teddy", "Joshua", "Edward", "Ethan",
            "Isaac", "Tommy", "Albie", "Reggie", "Ronnie", "Jude", "Arlo", "Rory", "Louie", "Frankie", "Hugo",
            "Elliot", "Harrison", "Dylan", "Samuel", "Benjamin", "Daniel", "Joseph", "Alexander", "Lucas",
            "Logan", "Riley", "Tyler", "Callum", "Connor", "Cian", "Oisin", "Fionn", "Rhys", "Owen", "Euan",
            "Angus", "Ruairi", "Jamie", "Stanley", "Albert", "Frederick", "Sebastian", "Toby", "Jasper",
            "Ralph", "Bobby", "Elijah", "Jenson", "Adam",
        ),
    ),
    "south_asian": (
        (
            "Aisha", "Fatima", "Maryam", "Zainab", "Hafsa", "Khadija", "Amira", "Ayesha", "Inaya", "Anaya",
            "Sana", "Priya", "Anika", "Kavya", "Simran", "Harleen", "Jaspreet", "Navneet", "Riya", "Nadia",
            "Shreya", "Sumaiya", "Nusrat", "Tahmina", "Ishani", "Aarohi", "Myra", "Zoya", "Mehreen", "Iqra",
            "Alisha", "Sadia", "Gurleen", "Manpreet",
        ),
        (
            "Muhammad", "Mohammed", "Ibrahim", "Yusuf", "Zayan", "Ayaan", "Arjun", "Aarav", "Rohan", "Vihaan",
            "Krish", "Ishaan", "Harjot", "Gurveer", "Jaskaran", "Harvir", "Zain", "Hamza", "Bilal", "Usman",
            "Rayyan", "Zakariya", "Abdullah", "Imran", "Tanvir", "Rahim", "Arham", "Shayan", "Aryan", "Kabir",
            "Nikhil", "Sahil", "Rehan", "Faisal",
        ),
    ),
    "black_african": (
        (
            "Adaeze", "Chioma", "Ngozi", "Amara", "Abena", "Akua", "Folake", "Temitope", "Oluwaseun", "Zuri",
            "Kemi", "Ifeoma", "Chiamaka", "Tolani", "Eniola", "Ayomide", "Adwoa", "Efua", "Nkechi",
            "Fatoumata", "Aminata", "Mariama",
        ),
        (
            "Chidi", "Emeka", "Tobiloba", "Ayodele", "Kwame", "Kofi", "Kwabena", "Olumide", "Obinna",
            "Chukwuemeka", "Ifeanyi", "Tunde", "Babajide", "Femi", "Kelechi", "Somto", "Mamadou", "Ousmane",
        ),
    ),
    "caribbean": (
        (
            "Shanice", "Keisha", "Tiana", "Jada", "Kiara", "Imani", "Jayda", "Shantelle", "Chantelle",
            "Aaliyah",
        ),
        (
            "Jayden", "Tyrese", "Kyrie", "Jaylen", "Malachi", "Isaiah", "Marcus", "Andre", "Jermaine",
            "Kareem",
        ),
    ),
    "eastern_european": (
        (
            "Zofia", "Zuzanna", "Julia", "Natalia", "Wiktoria", "Oliwia", "Lena", "Hanna", "Gabriela",
            "Alexandra", "Ioana", "Andreea", "Bianca", "Elena", "Daria", "Ieva", "Gabija", "Emilija", "Ugne",
            "Antonina", "Milena", "Kornelia", "Aleksandra", "Anastasia", "Karolina",
        ),
        (
            "Jakub", "Szymon", "Filip", "Kacper", "Mateusz", "Antoni", "Franciszek", "Wiktor", "Michał",
            "Bartosz", "Dawid", "Oskar", "Andrei", "Stefan", "Matei", "Darius", "Tudor", "Mihai", "Lukas",
            "Dominykas", "Matas", "Nojus", "Aleksander", "Patryk", "Marcel",
        ),
    ),
    "arab_somali_turkish": (
        (
            "Amina", "Hodan", "Ifrah", "Sagal", "Layan", "Rania", "Mariam", "Huda", "Yasmin", "Salma", "Nour",
            "Hibaq", "Sahra", "Ikram", "Deka", "Elif", "Zeynep", "Defne", "Azra", "Ecrin", "Lina", "Malak",
        ),
        (
            "Omar", "Abdi", "Abdirahman", "Mohamed", "Mahad", "Liban", "Khalid", "Tariq", "Karim", "Mustafa",
            "Yahya", "Emir", "Mert", "Kerem", "Baran", "Eymen", "Ayaz", "Yusuf",
        ),
    ),
    "east_asian": (
        (
            "Xinyi", "Yuxin", "Meiling", "Jiayi", "Yuki", "Linh", "Thao", "Minji", "Sakura", "Huong",
        ),
        (
            "Haoran", "Zihao", "Yichen", "Junjie", "Minh", "Hiroshi", "Kenji", "Haruto", "Minjun", "Quang",
        ),
    ),
    "southern_european": (
        (
            "Beatriz", "Inês", "Mariana", "Carolina", "Giulia", "Chiara", "Lucia", "Francesca", "Sofia",
            "Martina", "Leonor", "Eleni",
        ),
        (
            "Tiago", "Rafael", "Duarte", "Gonçalo", "Matteo", "Lorenzo", "Alessandro", "Santiago", "Diego",
            "João", "Nikolaos", "Dimitris",
        ),
    ),
}

# Staff are adults: names of their generation, by naming tradition: (female...), (male...).
_ADULT_FORENAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "british": (
        (
            "Sarah", "Claire", "Helen", "Rachel", "Emma", "Laura", "Rebecca", "Nicola", "Joanne", "Louise",
            "Victoria", "Gemma", "Hayley", "Kirsty", "Leanne", "Natalie", "Samantha", "Catherine",
            "Elizabeth", "Suzanne", "Deborah", "Alison", "Fiona", "Lisa", "Amanda", "Julie", "Karen",
            "Angela", "Jennifer", "Siobhan", "Bronwen", "Sian", "Charlotte", "Hannah", "Jessica",
        ),
        (
            "David", "Andrew", "Paul", "James", "Richard", "Michael", "Christopher", "Matthew", "Stephen",
            "Simon", "Neil", "Gareth", "Darren", "Craig", "Stuart", "Jonathan", "Nicholas", "Peter", "Robert",
            "Graham", "Adrian", "Kevin", "Iain", "Anthony", "Philip", "Declan", "Ciaran", "Dafydd", "Hamish",
            "Thomas", "Daniel",
        ),
    ),
    "south_asian": (
        ("Shabana", "Nasreen", "Rukhsana", "Priya", "Sunita", "Farzana", "Harpreet", "Anjali"),
        ("Imran", "Tariq", "Rajesh", "Sanjay", "Sunil", "Asif", "Kamran", "Jaswinder"),
    ),
    "black_african": (
        ("Funmilayo", "Yetunde", "Abimbola", "Folasade", "Gifty", "Adjoa"),
        ("Olusegun", "Chinedu", "Kwaku", "Oluwafemi", "Emmanuel", "Tendai"),
    ),
    "eastern_european": (
        ("Agnieszka", "Magdalena", "Joanna", "Katarzyna", "Monika", "Simona"),
        ("Tomasz", "Piotr", "Marek", "Krzysztof", "Andrius", "Bogdan"),
    ),
}
# Who teaches in English schools, roughly: mostly White British, fewer from other backgrounds than pupils.
_STAFF_ORIGINS = ("british", "south_asian", "black_african", "eastern_european")
_STAFF_ORIGIN_WEIGHTS = (0.84, 0.09, 0.04, 0.03)

_SURNAMES_BY_ORIGIN: dict[str, tuple[str, ...]] = {
    "british": (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "Roberts", "Jackson", "Clarke", "Lewis", "Harris", "Edwards", "Hughes",
        "Turner", "Morris", "Moore", "Harrison", "Cooper", "Parker", "Morgan", "Allen", "Mitchell", "Baker",
        "Carter", "Phillips", "Richardson", "Campbell", "Anderson", "Stewart", "Murray", "Mason", "Shaw",
        "Holmes", "Lloyd", "Rogers", "Marshall", "Simpson", "Chapman", "Gibson", "Ellis", "Fletcher",
        "Barker", "Dawson", "Atkinson", "Pearson", "Webb", "Griffiths", "Owen", "Jenkins", "Rees", "Powell",
        "Matthews", "Bennett", "Collins", "Watson", "Russell", "Kennedy", "Fraser", "Henderson", "Patterson",
        "Hamilton", "Robertson", "Thomson", "McDonald", "MacLeod", "McKenzie", "O'Brien", "O'Connor",
        "O'Neill", "Murphy", "Kelly", "Byrne", "Ryan", "Walsh", "McCarthy", "Doyle", "Quinn", "Gallagher",
        "Brennan", "Fitzgerald", "Barnes", "Knight", "Palmer", "Holland", "Howard", "Spencer", "Sutton",
        "Butler", "Foster", "Barrett", "Harvey", "Reynolds", "Saunders", "Hartley", "Whitehead", "Sykes",
        "Lockwood", "Ashworth", "Haigh", "Newton", "Pritchard", "Bowen", "Vaughan", "Dixon", "Burton",
        "Chambers", "Nolan", "Stevenson", "Hudson", "Bailey", "Jenkinson", "Hargreaves", "Thornton",
    ),
    "caribbean": (
        "Campbell", "Clarke", "Francis", "Samuels", "Bailey", "Reid", "Gordon", "McKenzie", "Forbes",
        "Morrison", "Beckford", "Wynter", "Gayle", "Lindo", "Bramwell",
    ),
    "south_asian": (
        "Patel", "Khan", "Ahmed", "Hussain", "Begum", "Iqbal", "Rahman", "Uddin", "Akhtar", "Kaur", "Singh",
        "Sharma", "Gupta", "Chowdhury", "Miah", "Mahmood", "Shah", "Malik", "Bibi", "Hossain", "Mistry",
        "Parmar", "Chauhan", "Gill", "Sandhu", "Sidhu", "Dhillon", "Bains", "Kumar", "Nair", "Pillai",
        "Desai", "Mehta", "Joshi", "Qureshi", "Siddiqui", "Rashid", "Aslam", "Javed", "Riaz", "Anwar",
        "Saleem",
    ),
    "black_african": (
        "Okafor", "Adeyemi", "Mensah", "Owusu", "Boateng", "Asante", "Okonkwo", "Adebayo", "Balogun", "Nwosu",
        "Osei", "Appiah", "Danso", "Mwangi", "Kamara", "Sesay", "Bangura", "Oyelaran", "Adekunle", "Ogunleye",
        "Okoro", "Ndlovu", "Mutasa", "Abubakar", "Diallo", "Traore",
    ),
    "eastern_european": (
        "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
        "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Mazur", "Popescu", "Ionescu", "Popa", "Dumitru",
        "Constantin", "Kazlauskas", "Jankauskas", "Petrauskas", "Horváth", "Nagy", "Petrov",
    ),
    "arab_somali_turkish": (
        "Mohamed", "Abdi", "Hassan", "Ibrahim", "Osman", "Farah", "Warsame", "Jama", "Haddad", "Khalil",
        "Saleh", "Mansour", "Yilmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk", "Aydin", "Arslan",
    ),
    "east_asian": (
        "Chen", "Wang", "Zhang", "Huang", "Nguyen", "Tran", "Pham", "Tanaka", "Sato", "Zhao", "Yang", "Wong",
        "Cheung", "Leung",
    ),
    "southern_european": (
        "Silva", "Santos", "Ferreira", "Pereira", "Costa", "Oliveira", "Rodrigues", "Rossi", "Russo",
        "Esposito", "Romano", "Garcia", "Martinez", "Fernandez", "Lopez", "Gonzalez", "Papadopoulos",
        "Georgiou",
    ),
}
# fmt: on


def _feminine_surname(surname: str) -> str:
    # Polish surnames agree with the bearer: Kowalski -> Kowalska.
    if surname.endswith(("ski", "cki", "dzki")):
        return surname[:-1] + "a"
    return surname


SURNAMES: tuple[str, ...] = tuple(
    sorted(
        {name for names in _SURNAMES_BY_ORIGIN.values() for name in names}
        | {_feminine_surname(name) for names in _SURNAMES_BY_ORIGIN.values() for name in names}
    )
)
FORENAMES: tuple[str, ...] = tuple(
    sorted(
        {name for pair in _CHILD_FORENAMES.values() for names in pair for name in names}
        | {name for pair in _ADULT_FORENAMES.values() for names in pair for name in names}
    )
)

# --------------------------------------------------------------------------------------------- places
# fmt: off
_PLACE_STARTS = (
    "Ash", "Oak", "Elm", "Birch", "Thorn", "Mill", "Brook", "Bramble", "Heath", "Lark", "Fern", "Kings",
    "Queens", "North", "South", "West", "East", "Church", "Castle", "Stone", "Red", "Lea", "Fox", "Swan",
    "Badger", "Kestrel", "Orchard", "Primrose",
)
_PLACE_ENDS = (
    "field", "wood", "bridge", "gate", "ley", "mead", "ford", "dale", "bury", "combe", "hurst", "well",
    "moor", "vale", "croft", "holme", "thorpe", "wick", "stead", "side",
)
# fmt: on
_PRIMARY_FORMS = (
    "{} Primary School",
    "{} Primary Academy",
    "{} Church of England Primary School",
    "{} Community Primary School",
)
_SECONDARY_FORMS = ("{} Academy", "{} High School", "{} School", "{} Community College")
_TRUSTS = (
    ("Meridian Learning Trust", "meridian"),
    ("Riverside Education Trust", "riverside"),
    ("Kestrel Academies Trust", "kestrel"),
    ("Lantern Schools Partnership", "lantern"),
    ("Harbour Learning Trust", "harbour"),
    ("Beacon Multi-Academy Trust", "beacon"),
)
# Local authority numbers used for UPNs; the first is the trust's home authority.
_LA_NUMBERS = (938, 936, 886, 850, 845, 825, 873, 931)
# Class names by position within a year group ("4 Oak", "4 Ash"); none is a forename in the lists above.
# fmt: off
_CLASS_NAMES = (
    "Oak", "Ash", "Birch", "Elm", "Cedar", "Maple", "Beech", "Larch", "Pine", "Alder", "Sycamore", "Chestnut",
    "Hawthorn", "Juniper", "Linden", "Poplar", "Spruce", "Cherry", "Hornbeam", "Walnut", "Cypress",
    "Magnolia", "Acacia", "Redwood", "Mulberry",
)
# fmt: on
_SET_SUBJECTS = (("english", "En"), ("maths", "Ma"), ("science", "Sc"))

# ----------------------------------------------------------------------------------------- SEN register
# Shares of primary need by phase and provision, close to the England census (SEN in England, 2024/25).
# fmt: off
_NEED_WEIGHTS: dict[tuple[str, str], dict[str, float]] = {
    ("primary", "K"): {
        "SLCN": 34, "SEMH": 18, "MLD": 13, "ASD": 10, "SPLD": 8, "NSA": 4, "OTH": 3, "PD": 2.5, "HI": 1.3,
        "VI": 0.7, "SLD": 0.6, "MSI": 0.1, "PMLD": 0.1,
    },
    ("primary", "E"): {
        "ASD": 36, "SLCN": 24, "SEMH": 12, "SLD": 8, "PD": 6, "MLD": 5, "PMLD": 2.5, "HI": 2, "OTH": 2, "VI":
        1, "SPLD": 1, "MSI": 0.5,
    },
    ("secondary", "K"): {
        "SEMH": 26, "SPLD": 19, "MLD": 13, "ASD": 13, "SLCN": 12, "NSA": 4, "OTH": 4, "HI": 2.5, "PD": 2.5,
        "VI": 1.3, "SLD": 0.6, "MSI": 0.1, "PMLD": 0.05,
    },
    ("secondary", "E"): {
        "ASD": 38, "SEMH": 17, "SLCN": 13, "MLD": 10, "SLD": 6, "PD": 5, "SPLD": 4, "HI": 2.5, "OTH": 2, "VI":
        1.3, "PMLD": 1, "MSI": 0.3,
    },
}
# fmt: on
# Boys are about four times as likely to have autism recorded, and more likely to have SEMH and SLCN.
_SEX_NEED_FACTOR = {"ASD": (1.6, 0.45), "SEMH": (1.3, 0.7), "SLCN": (1.25, 0.75)}  # (male, female)
# How a need moves attainment in (reading, writing, maths), in SD, on top of selection by low attainment.
_NEED_SHIFT: dict[str, tuple[float, float, float]] = {
    "SLCN": (-0.25, -0.25, 0.1),
    "ASD": (0.3, 0.1, 0.35),
    "SPLD": (-0.35, -0.45, 0.35),
    "MLD": (-0.45, -0.45, -0.5),
    "SLD": (-1.3, -1.3, -1.3),
    "PMLD": (-2.2, -2.2, -2.2),
    "SEMH": (0.25, 0.2, 0.2),
    "HI": (0.2, 0.2, 0.5),
    "VI": (0.5, 0.4, 0.5),
    "MSI": (-0.5, -0.5, -0.5),
    "PD": (0.6, 0.5, 0.6),
    "OTH": (0.4, 0.4, 0.4),
    "NSA": (0.2, 0.2, 0.2),
}
_SUBJECT_CORRELATION = np.array([[1.0, 0.75, 0.65], [0.75, 1.0, 0.68], [0.65, 0.68, 1.0]])


# ---------------------------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Config:
    seed: int
    as_of: dt.date
    schools: int
    pupils_per_school: int | None


@dataclass(frozen=True)
class Schools:
    name: list[str]
    slug: list[str]
    urn: list[str]
    phase: list[str]
    lowest_year: IntArray
    highest_year: IntArray
    la_number: IntArray
    establishment: IntArray


@dataclass(frozen=True)
class Windows:
    """One row per school and window; a school's rows are consecutive and in date order."""

    school: IntArray
    position: IntArray  # 0 = the oldest of the school's nine windows, 8 = the latest
    start_year: IntArray
    term: list[str]
    opens_on: DateArray
    closes_on: DateArray


@dataclass(frozen=True)
class Staff:
    full_name: list[str]
    email: list[str]
    school: IntArray  # -1 for trust staff


@dataclass(frozen=True)
class Memberships:
    staff: IntArray
    role: list[str]
    school: IntArray  # -1: the membership is at the trust


@dataclass(frozen=True)
class Pupils:
    id: list[uuid.UUID]
    school: IntArray
    upn: list[str]
    mis_id: list[str]
    legal_forename: list[str]
    legal_surname: list[str]
    preferred_forename: list[str]
    date_of_birth: DateArray
    year_group: IntArray
    sex: list[str]
    pupil_premium: BoolArray
    eal: BoolArray
    looked_after: BoolArray


@dataclass(frozen=True)
class Groups:
    """Classes and sets for the current academic year."""

    id: list[uuid.UUID]
    school: IntArray
    name: list[str]
    kind: list[str]
    subject: list[str | None]
    year_group: IntArray


@dataclass(frozen=True)
class GroupStaff:
    group: IntArray
    staff: IntArray
    role: list[str]  # "teacher" or "support"


@dataclass(frozen=True)
class Enrolments:
    group: IntArray
    pupil: IntArray
    starts_on: DateArray


@dataclass(frozen=True)
class SenPeriods:
    pupil: IntArray
    provision: StrArray
    starts_on: DateArray
    ends_on: DateArray  # NaT while open


@dataclass(frozen=True)
class SenNeeds:
    pupil: IntArray
    need_type: StrArray
    rank: IntArray
    starts_on: DateArray
    ends_on: DateArray  # NaT while current


@dataclass(frozen=True)
class Assessments:
    pupil: IntArray
    subject: IntArray  # index into SUBJECTS
    window: IntArray  # row of DemoData.windows
    scale: IntArray  # index into SCALES
    assessed_on: DateArray
    year_group: IntArray
    result: StrArray
    points: FloatArray
    entered_by: IntArray  # row of DemoData.staff, -1 for nobody recorded
    # The noise-free standardised-score equivalent behind the result: ground truth, never loaded.
    true_score: FloatArray


@dataclass(frozen=True)
class Truth:
    """The progress patterns planted in the data, one row per pupil and subject that has one.

    `starts_window_index` is the window position (0-8, see `Windows.position`) of the first result that
    shows the pattern; `rate` is its size in standardised points per term (negative = falling). The patterns
    (a), (b) and (d) are for (`ABD_PATTERNS`) have issue 12's sizes, are still going on at the latest window
    (8) and began at least one window before it, so a teacher can already see them in two or more results:
    - `stall`: keeping pace with peers, then 8-21 points lost evenly over the last 2 or 3 terms (starts at 7
      or 6; `rate` is the points lost a term);
    - `slowed`: the same slowdown after gaining 0-3 points a term over the three terms before it;
    - `falls_behind`: the gap to peers widens by 2-4 points every term over the last 6-8 terms (starts at
      1-3), ending below peers (the pupil's latent score is where they are now).
    Each needs two of the pupil's results before it (one for `falls_behind`) and keeps the true score at 72
    or above, so the test's floor of 69 does not hide it. `not_closing` ((c)'s pattern) pupils were closing
    their gap until the start window (one of the last five) and then stayed flat below 85; `improving`
    (not to be flagged) gain 2.5-4.5 points a term from one of the last five windows.
    Pupils who are simply, steadily behind have no row here, even though Code 6.17(c) may describe them.
    """

    pupil: IntArray
    pupil_id: list[uuid.UUID]
    subject: list[str]
    pattern: list[str]
    starts_window_index: IntArray
    rate: FloatArray


@dataclass(frozen=True)
class DemoData:
    config: Config
    trust_name: str
    trust_slug: str
    current_start_year: int
    academic_years: list[int]
    schools: Schools
    windows: Windows
    staff: Staff
    memberships: Memberships
    pupils: Pupils
    groups: Groups
    group_staff: GroupStaff
    enrolments: Enrolments
    sen_periods: SenPeriods
    sen_needs: SenNeeds
    assessments: Assessments
    truth: Truth

    def counts(self) -> dict[str, int]:
        """Rows per table, in the order the loader writes them."""
        return {
            "schools": len(self.schools.name),
            "assessment windows": len(self.windows.term),
            "staff": len(self.staff.email),
            "memberships": len(self.memberships.role),
            "pupils": len(self.pupils.id),
            "teaching groups": len(self.groups.id),
            "group staff": len(self.group_staff.role),
            "enrolments": len(self.enrolments.pupil),
            "SEN periods": len(self.sen_periods.pupil),
            "SEN needs": len(self.sen_needs.pupil),
            "assessments": len(self.assessments.pupil),
        }

    def summary(self) -> dict[str, float]:
        """Headline shares (per cent of pupils) to check the demo looks like a real trust."""
        n = max(len(self.pupils.id), 1)
        periods = self.sen_periods
        open_rows = np.isnat(periods.ends_on)
        current = periods.provision[open_rows]
        ever_k = np.unique(periods.pupil[(periods.provision == "K") & ~open_rows])
        formerly = np.setdiff1d(ever_k, periods.pupil[open_rows & (periods.provision != "N")])
        tested = len(_TESTED) * n
        return {
            "SEN support (K) %": 100 * float(np.count_nonzero(current == "K")) / n,
            "EHC plan (E) %": 100 * float(np.count_nonzero(current == "E")) / n,
            "formerly on SEN support %": 100 * len(formerly) / n,
            "pupil premium %": 100 * float(self.pupils.pupil_premium.mean()) if n else 0.0,
            "EAL %": 100 * float(self.pupils.eal.mean()) if n else 0.0,
            "looked after %": 100 * float(self.pupils.looked_after.mean()) if n else 0.0,
            "pupil-subjects with a planted 6.17 pattern %": 100
            * sum(p in FLAG_PATTERNS for p in self.truth.pattern)
            / tested,
        }

    def fingerprint(self) -> str:
        """SHA-256 over every table, for "same seed, same data" checks."""
        digest = hashlib.sha256()
        digest.update(repr(self.config).encode())
        digest.update(f"{self.trust_name}|{self.current_start_year}|{self.academic_years}".encode())
        for table in (
            self.schools,
            self.windows,
            self.staff,
            self.memberships,
            self.pupils,
            self.groups,
            self.group_staff,
            self.enrolments,
            self.sen_periods,
            self.sen_needs,
            self.assessments,
            self.truth,
        ):
            for column in fields(table):
                value = getattr(table, column.name)
                digest.update(column.name.encode())
                if isinstance(value, np.ndarray):
                    digest.update(str(value.dtype).encode())
                    digest.update(np.ascontiguousarray(value).tobytes())
                else:
                    digest.update("\x1f".join("\x00" if v is None else str(v) for v in value).encode())
        return digest.hexdigest()


# ---------------------------------------------------------------------------------------------- helpers
def academic_start_year(day: dt.date) -> int:
    """Same rule as AcademicYear.start_year_for: the year starts on 1 September."""
    return day.year if day.month >= 9 else day.year - 1


def window_calendar(as_of: dt.date) -> list[tuple[int, str, dt.date, dt.date]]:
    """(start year, term, opens_on, closes_on) of the nine latest windows opened by as_of, oldest first."""
    found: list[tuple[int, str, dt.date, dt.date]] = []
    year = academic_start_year(as_of)
    while len(found) < WINDOWS_PER_SCHOOL:
        for term in reversed(TERMS):
            (om, od), (cm, cd) = _WINDOW_DATES[term]
            calendar_year = year if term == "autumn" else year + 1
            opens, closes = dt.date(calendar_year, om, od), dt.date(calendar_year, cm, cd)
            if opens <= as_of and len(found) < WINDOWS_PER_SCHOOL:
                found.append((year, term, opens, closes))
        year -= 1
    return found[::-1]


def _d64(day: dt.date) -> np.datetime64:
    return np.datetime64(day, "D")


def _days(n: IntArray | int) -> NDArray[np.timedelta64]:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[D]")


def _random_dates(rng: np.random.Generator, lo: DateArray, hi: DateArray) -> DateArray:
    """A uniform day in [lo, hi] per row; hi is raised to lo where the range is empty."""
    span = np.maximum((hi - lo).astype(np.int64), 0) + 1
    return lo + _days(np.floor(rng.random(len(lo)) * span).astype(np.int64))


def _first_of_september(years: IntArray) -> DateArray:
    uniq, inverse = np.unique(years, return_inverse=True)
    return np.asarray([_d64(dt.date(int(y), 9, 1)) for y in uniq], dtype="datetime64[D]")[inverse]


def _uuids(rng: np.random.Generator, n: int) -> list[uuid.UUID]:
    raw = rng.bytes(16 * n)
    return [uuid.UUID(bytes=raw[16 * i : 16 * i + 16], version=4) for i in range(n)]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _email_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", ascii_text)


def _split_evenly(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _proportional(total: int, weights: Sequence[float]) -> list[int]:
    """Split total in proportion to weights, by largest remainder, so the parts add up exactly."""
    w = np.asarray(weights, dtype=np.float64)
    exact = total * w / w.sum()
    sizes = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[: total - int(sizes.sum())]] += 1
    return [int(s) for s in sizes]


# ------------------------------------------------------------------------------------------- one school
@dataclass
class _Context:
    config: Config
    as_of: np.datetime64
    current_year: int
    la_number: int
    window_start_years: IntArray  # per window position
    window_terms: list[str]
    window_opens: DateArray
    window_last_day: DateArray  # min(closes_on, as_of): no result is dated in the future
    feeder_estabs: IntArray  # a pool of primary establishment numbers, for secondary pupils' UPNs


@dataclass
class _StaffBuilder:
    full_name: list[str]
    email: list[str]
    roles: list[list[str]]
    taken: set[str]
    domain: str

    def add(self, rng: np.random.Generator, *, female: bool, roles: list[str]) -> int:
        origin = _STAFF_ORIGINS[int(rng.choice(len(_STAFF_ORIGINS), p=_STAFF_ORIGIN_WEIGHTS))]
        forenames = _ADULT_FORENAMES[origin][0 if female else 1]
        forename = forenames[int(rng.integers(len(forenames)))]
        # Married names and mixed families: some staff carry a surname from another tradition.
        surname_origin = origin if rng.random() < 0.85 else "british"
        surname_pool = _SURNAMES_BY_ORIGIN[surname_origin]
        surname = surname_pool[int(rng.integers(len(surname_pool)))]
        if female and surname_origin == origin:
            surname = _feminine_surname(surname)
        local = f"{_email_part(forename)}.{_email_part(surname)}"
        candidate, n = local, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{local}{n}"
        self.taken.add(candidate)
        self.full_name.append(f"{forename} {surname}")
        self.email.append(f"{candidate}@{self.domain}")
        self.roles.append(list(roles))
        return len(self.email) - 1


@dataclass
class _SchoolPart:
    name: str
    slug: str
    urn: str
    phase: str
    lowest: int
    highest: int
    establishment: int
    staff: _StaffBuilder
    pupils: Pupils
    groups: Groups
    group_staff: GroupStaff
    enrolments: Enrolments
    sen_periods: SenPeriods
    sen_needs: SenNeeds
    assessments: Assessments
    truth: Truth


def _school_identity(trust_rng_draws: dict[str, Any], k: int) -> tuple[str, str, str, str, int, int, int]:
    primary = k % 2 == 0
    place = trust_rng_draws["places"][k]
    forms = _PRIMARY_FORMS if primary else _SECONDARY_FORMS
    name = forms[int(trust_rng_draws["forms"][k]) % len(forms)].format(place)
    slug = f"{_slug(place)}-{'primary' if primary else 'secondary'}"
    urn = str(900000 + int(trust_rng_draws["urns"][k]))
    ordinal = k // 2
    estab = (
        int(trust_rng_draws["primary_estabs"][ordinal])
        if primary
        else 4000 + int(trust_rng_draws["secondary_estabs"][ordinal])
    )
    lowest, highest = (0, 6) if primary else (7, 11)
    return name, slug, urn, "primary" if primary else "secondary", lowest, highest, estab


def _pupil_names(
    rng: np.random.Generator, origin: IntArray, female: BoolArray
) -> tuple[list[str], list[str], list[str]]:
    n = len(origin)
    forename = [""] * n
    surname = [""] * n
    preferred = [""] * n
    cross_forename = rng.random(n) < 0.2  # many families choose a name from outside their tradition
    mixed_surname = rng.random(n) < 0.08
    forename_pick = rng.random(n)
    surname_pick = rng.random(n)
    other_origin = rng.integers(0, len(_ORIGINS), size=n)
    wants_preferred = rng.random(n) < 0.04
    preferred_pick = rng.random(n)
    for i in range(n):
        own = _ORIGINS[int(origin[i])]
        first_pool = _CHILD_FORENAMES["british" if cross_forename[i] else own][0 if female[i] else 1]
        forename[i] = first_pool[int(forename_pick[i] * len(first_pool))]
        surname_origin = _ORIGINS[int(other_origin[i])] if mixed_surname[i] else own
        if surname_origin == "caribbean" and surname_pick[i] < 0.6:
            surname_origin = "british"  # most Caribbean-heritage families have British surnames
        last_pool = _SURNAMES_BY_ORIGIN[surname_origin]
        last = last_pool[int(surname_pick[i] * len(last_pool))]
        surname[i] = _feminine_surname(last) if female[i] else last
        if wants_preferred[i]:
            # Known by a middle name or an anglicised name; never the same as the legal forename.
            pool = _CHILD_FORENAMES["british"][0 if female[i] else 1]
            choice = pool[int(preferred_pick[i] * len(pool))]
            preferred[i] = choice if choice != forename[i] else ""
    return forename, surname, preferred


def _upns(
    rng: np.random.Generator,
    *,
    la: IntArray,
    estab: IntArray,
    year_allocated: IntArray,
) -> list[str]:
    """Valid permanent UPNs, distinct for every (LA, establishment, year) group."""
    n = len(la)
    serial = np.zeros(n, dtype=np.int64)
    keys = la * 1_000_000 + estab * 100 + year_allocated % 100
    uniq, inverse = np.unique(keys, return_inverse=True)
    for g in range(len(uniq)):
        rows = np.flatnonzero(inverse == g)
        if len(rows) > 999:
            raise ValueError(
                "More than 999 pupils share one allocating school and year; UPN serials run out."
            )
        serial[rows] = rng.choice(999, size=len(rows), replace=False) + 1
    out = []
    for i in range(n):
        body = f"{int(la[i]):03d}{int(estab[i]):04d}{int(year_allocated[i]) % 100:02d}{int(serial[i]):03d}"
        out.append(check_letter(body) + body)
    return out


def _build_school(k: int, ctx: _Context, identity: tuple[str, str, str, str, int, int, int]) -> _SchoolPart:
    config = ctx.config
    rng = np.random.default_rng([config.seed, 1, k])
    name, slug, urn, phase, lowest, highest, estab = identity
    primary = phase == "primary"
    years = np.arange(lowest, highest + 1)
    roll = config.pupils_per_school or (DEFAULT_PRIMARY_ROLL if primary else DEFAULT_SECONDARY_ROLL)
    per_year = _split_evenly(roll, len(years))
    year_group = np.repeat(years, per_year).astype(np.int64)
    n = len(year_group)
    cy = ctx.current_year

    # ---- who the pupils are
    ids = _uuids(rng, n)
    female = rng.random(n) < 0.49
    origin_weights = rng.dirichlet(np.asarray(_ORIGIN_WEIGHTS) * 60)
    origin = rng.choice(len(_ORIGINS), size=n, p=origin_weights).astype(np.int64)
    forename, surname, preferred = _pupil_names(rng, origin, female)
    eal = rng.random(n) < np.asarray(_EAL_RATE)[origin]
    pp_rate = float(np.clip(rng.normal(0.25, 0.06), 0.08, 0.55))
    looked_after = rng.random(n) < 0.005
    # Looked-after children attract pupil premium plus.
    pupil_premium = (rng.random(n) < pp_rate) | looked_after
    born_from = np.array([_d64(dt.date(cy - int(y) - 5, 9, 1)) for y in years])[year_group - lowest]
    born_to = np.array([_d64(dt.date(cy - int(y) - 4, 8, 31)) for y in years])[year_group - lowest]
    date_of_birth = _random_dates(rng, born_from, born_to)
    # Everyone joined at the start of the school's first year: the demo has no mid-year admissions.
    entry_year = cy - (year_group - lowest)
    entry_date = _first_of_september(entry_year)

    # UPNs come from the school that first admitted the pupil: this primary, or a feeder for a secondary.
    reception_year = cy - year_group
    if primary:
        upn_estab = np.full(n, estab, dtype=np.int64)
        upn_la = np.full(n, ctx.la_number, dtype=np.int64)
    else:
        feeders = ctx.feeder_estabs[k // 2 * 8 : k // 2 * 8 + 8]
        upn_estab = feeders[rng.integers(0, len(feeders), size=n)]
        moved_in = rng.random(n) < 0.08
        upn_la = np.where(
            moved_in,
            np.asarray(_LA_NUMBERS[1:])[rng.integers(0, len(_LA_NUMBERS) - 1, size=n)],
            ctx.la_number,
        ).astype(np.int64)
        # Numbered by a school in another authority; 3xxx (voluntary-aided primaries) ranges are kept
        # apart per secondary so no two pupils in the trust can share a UPN.
        upn_estab = np.where(moved_in, 3000 + k // 2 * 8 + rng.integers(0, 8, size=n), upn_estab)
    upn = _upns(rng, la=upn_la, estab=upn_estab, year_allocated=reception_year)
    admission_order = np.lexsort((rng.random(n), year_group * -1))
    admission = np.empty(n, dtype=np.int64)
    admission[admission_order] = int(rng.integers(1000, 3000)) + np.cumsum(rng.integers(1, 4, size=n))
    mis_id = [f"{int(a):06d}" for a in admission]

    # ---- attainment before SEN: correlated subjects, school, disadvantage, language and sex effects
    chol = np.linalg.cholesky(_SUBJECT_CORRELATION)
    z = rng.standard_normal((n, 3)) @ chol.T
    z -= 0.3 * pupil_premium[:, None]
    z[:, (_READING, _WRITING)] -= 0.2 * eal[:, None]
    z[:, _MATHS] -= 0.05 * eal
    z[:, (_READING, _WRITING)] += np.where(female, 0.12, -0.05)[:, None]
    z[:, _MATHS] += np.where(female, -0.02, 0.03)

    # ---- SEN register: chosen by a propensity tied to attainment, sex and age, never perfectly
    general = z.mean(axis=1)
    general = (general - general.mean()) / (general.std() or 1.0)
    age_adjust = np.select([year_group == 0, year_group == 1], [-0.5, -0.25], 0.0)
    propensity = -0.75 * general + 0.66 * rng.standard_normal(n) + 0.3 * (~female) + age_adjust
    k_rate = float(np.clip(rng.normal(0.13, 0.015), 0.09, 0.18))
    e_rate = float(
        np.clip(rng.normal(0.025, 0.005), 0.012, 0.04)
        if primary
        else np.clip(rng.normal(0.032, 0.006), 0.015, 0.05)
    )
    n_e, n_k = round(e_rate * n), round(k_rate * n)
    by_need = np.argsort(-propensity, kind="stable")
    provision = np.full(n, "N", dtype="<U1")
    provision[by_need[:n_e]] = "E"
    provision[by_need[n_e : n_e + n_k]] = "K"
    as_of = ctx.as_of
    at_school_days = (as_of - entry_date).astype(np.int64)
    # The next band down were on SEN support once and came off it.
    former_candidates = by_need[n_e + n_k : n_e + n_k + round(0.09 * n)]
    former_candidates = former_candidates[at_school_days[former_candidates] >= 400]
    formerly = np.zeros(n, dtype=bool)
    formerly[former_candidates[rng.random(len(former_candidates)) < 0.55]] = True

    need1 = np.full(n, "", dtype="<U4")
    need2 = np.full(n, "", dtype="<U4")
    former_need = np.full(n, "", dtype="<U4")
    for code, mask in (("K", provision == "K"), ("E", provision == "E"), ("F", formerly)):
        weights = _NEED_WEIGHTS[(phase, "K" if code == "F" else code)]
        for is_female in (False, True):
            rows = np.flatnonzero(mask & (female == is_female))
            if not len(rows):
                continue
            codes = [c for c in weights if not (code == "F" and c == "NSA")]
            w = np.array([weights[c] * _SEX_NEED_FACTOR.get(c, (1.0, 1.0))[int(is_female)] for c in codes])
            picked = np.asarray(codes)[rng.choice(len(codes), size=len(rows), p=w / w.sum())]
            (former_need if code == "F" else need1)[rows] = picked
    second_share = np.where(provision == "E", 0.4, 0.3)
    for i in np.flatnonzero((provision != "N") & (need1 != "NSA") & (rng.random(n) < second_share)):
        weights = _NEED_WEIGHTS[(phase, str(provision[i]))]
        codes = [c for c in weights if c not in (need1[i], "NSA")]
        w = np.array([weights[c] for c in codes])
        need2[i] = codes[int(rng.choice(len(codes), p=w / w.sum()))]
    for code, shift in _NEED_SHIFT.items():
        z[need1 == code] += np.asarray(shift)
        z[need2 == code] += 0.5 * np.asarray(shift)
    z[provision == "E"] -= 0.3
    # Standardised scores are normed nationally: centre the pupils, then let the school sit above or below.
    z -= z.mean(axis=0)
    z += rng.normal(0, 0.12)

    periods, needs = _sen_history(
        rng,
        ctx,
        provision=provision,
        formerly=formerly,
        need1=need1,
        need2=need2,
        former_need=former_need,
        entry_date=entry_date,
    )

    # ---- staff, groups and enrolments for the current year
    staff = _StaffBuilder([], [], [], set(), f"{slug}.{DEMO_EMAIL_DOMAIN}")
    female_share = 0.85 if primary else 0.62
    staff.add(rng, female=rng.random() < female_share, roles=["head"])
    senco = staff.add(rng, female=rng.random() < female_share, roles=["senco"])
    staff.add(rng, female=rng.random() < female_share, roles=["school_admin"])
    if primary:
        groups, group_staff, enrolments, pupil_groups = _primary_groups(
            rng,
            ctx,
            staff,
            year_group=year_group,
            provision=provision,
            years=years,
            female_share=female_share,
        )
    else:
        groups, group_staff, enrolments, pupil_groups = _secondary_groups(
            rng,
            ctx,
            staff,
            year_group=year_group,
            z=z,
            years=years,
            senco=senco,
            female_share=female_share,
        )

    # ---- progress patterns and assessments
    sen_now = (provision != "N") | formerly
    assessments, truth = _assessments(
        rng,
        ctx,
        phase=phase,
        lowest=lowest,
        year_group=year_group,
        z=z,
        sen=sen_now,
        pupil_groups=pupil_groups,
        groups=groups,
        group_staff=group_staff,
        ids=ids,
    )

    pupils = Pupils(
        id=ids,
        school=np.full(n, k, dtype=np.int64),
        upn=upn,
        mis_id=mis_id,
        legal_forename=forename,
        legal_surname=surname,
        preferred_forename=preferred,
        date_of_birth=date_of_birth,
        year_group=year_group,
        sex=["F" if f else "M" for f in female],
        pupil_premium=pupil_premium,
        eal=eal,
        looked_after=looked_after,
    )
    return _SchoolPart(
        name=name,
        slug=slug,
        urn=urn,
        phase=phase,
        lowest=lowest,
        highest=highest,
        establishment=estab,
        staff=staff,
        pupils=pupils,
        groups=groups,
        group_staff=group_staff,
        enrolments=enrolments,
        sen_periods=periods,
        sen_needs=needs,
        assessments=assessments,
        truth=truth,
    )


def _sen_history(
    rng: np.random.Generator,
    ctx: _Context,
    *,
    provision: StrArray,
    formerly: BoolArray,
    need1: StrArray,
    need2: StrArray,
    former_need: StrArray,
    entry_date: DateArray,
) -> tuple[SenPeriods, SenNeeds]:
    """Provision periods from each pupil's entry to today, one open at a time, and their needs."""
    n = len(provision)
    as_of = ctx.as_of
    never = np.datetime64("NaT", "D")
    last_start = np.full(n, as_of) - _days(14)
    last_start = np.maximum(last_start, entry_date)

    pupil_parts: list[IntArray] = []
    prov_parts: list[StrArray] = []
    start_parts: list[DateArray] = []
    end_parts: list[DateArray] = []

    # NDArray[Any]: numpy's stubs type date minus days as a timedelta array.
    def add(rows: IntArray, code: str, starts: NDArray[Any], ends: NDArray[Any] | None) -> None:
        pupil_parts.append(rows)
        prov_parts.append(np.full(len(rows), code, dtype="<U1"))
        start_parts.append(starts)
        end_parts.append(np.full(len(rows), never) if ends is None else ends)

    # EHC plans: about half were on SEN support first; the rest arrived with or were assessed for a plan.
    e_rows = np.flatnonzero(provision == "E")
    span = (last_start[e_rows] - entry_date[e_rows]).astype(np.int64)
    had_k = (rng.random(len(e_rows)) < 0.55) & (span > 300)
    arrived_with_plan = ~had_k & (rng.random(len(e_rows)) < 0.5)
    k_start = entry_date[e_rows] + _days(np.floor(rng.random(len(e_rows)) * np.maximum(span - 240, 1) * 0.6))
    e_start = np.where(
        had_k,
        _random_dates(rng, k_start + _days(180), last_start[e_rows]),
        np.where(
            arrived_with_plan, entry_date[e_rows], _random_dates(rng, entry_date[e_rows], last_start[e_rows])
        ),
    )
    first_start_e = np.where(had_k, k_start, e_start)
    before = first_start_e > entry_date[e_rows]
    add(e_rows[before], "N", entry_date[e_rows][before], first_start_e[before] - _days(1))
    add(e_rows[had_k], "K", k_start[had_k], e_start[had_k] - _days(1))
    add(e_rows, "E", e_start, None)

    # SEN support: a third from the day they joined, recent starts for those still awaiting assessment (NSA).
    k_rows = np.flatnonzero(provision == "K")
    from_entry = rng.random(len(k_rows)) < 0.3
    recent_from = np.maximum(last_start[k_rows] - _days(180), entry_date[k_rows])
    k_from = np.where(
        need1[k_rows] == "NSA",
        _random_dates(rng, recent_from, last_start[k_rows]),
        np.where(from_entry, entry_date[k_rows], _random_dates(rng, entry_date[k_rows], last_start[k_rows])),
    )
    before = k_from > entry_date[k_rows]
    add(k_rows[before], "N", entry_date[k_rows][before], k_from[before] - _days(1))
    add(k_rows, "K", k_from, None)

    # Formerly on SEN support: a closed K period of six months to two years, then N again.
    f_rows = np.flatnonzero(formerly)
    f_span = (as_of - _days(60) - entry_date[f_rows]).astype(np.int64)
    f_start = entry_date[f_rows] + _days(np.floor(rng.random(len(f_rows)) * np.maximum(f_span - 200, 1)))
    room = (as_of - _days(30) - f_start).astype(np.int64)
    f_len = np.minimum(180 + np.floor(rng.random(len(f_rows)) * 540).astype(np.int64), np.maximum(room, 1))
    f_end = f_start + _days(f_len)
    before = f_start > entry_date[f_rows]
    add(f_rows[before], "N", entry_date[f_rows][before], f_start[before] - _days(1))
    add(f_rows, "K", f_start, f_end)
    add(f_rows, "N", f_end + _days(1), None)

    n_rows = np.flatnonzero((provision == "N") & ~formerly)
    add(n_rows, "N", entry_date[n_rows], None)

    pupil = np.concatenate(pupil_parts).astype(np.int64)
    order = np.lexsort((np.concatenate(start_parts), pupil))
    periods = SenPeriods(
        pupil=pupil[order],
        provision=np.concatenate(prov_parts)[order],
        starts_on=np.concatenate(start_parts)[order],
        ends_on=np.concatenate(end_parts)[order],
    )

    # Needs: the primary need from the first K/E day; a second need for some, recorded at the same time.
    first_sen = np.full(n, never)
    first_sen[e_rows] = first_start_e
    first_sen[k_rows] = k_from
    current = np.flatnonzero(provision != "N")
    has2 = np.flatnonzero(need2 != "")
    need_pupil = np.concatenate([current, has2, f_rows]).astype(np.int64)
    needs = SenNeeds(
        pupil=need_pupil,
        need_type=np.concatenate([need1[current], need2[has2], former_need[f_rows]]),
        rank=np.concatenate(
            [np.ones(len(current), np.int64), np.full(len(has2), 2, np.int64), np.ones(len(f_rows), np.int64)]
        ),
        starts_on=np.concatenate([first_sen[current], first_sen[has2], f_start]),
        ends_on=np.concatenate([np.full(len(current) + len(has2), never), f_end]),
    )
    order = np.lexsort((needs.rank, needs.pupil))
    needs = SenNeeds(
        pupil=needs.pupil[order],
        need_type=needs.need_type[order],
        rank=needs.rank[order],
        starts_on=needs.starts_on[order],
        ends_on=needs.ends_on[order],
    )
    return periods, needs


def _primary_groups(
    rng: np.random.Generator,
    ctx: _Context,
    staff: _StaffBuilder,
    *,
    year_group: IntArray,
    provision: StrArray,
    years: IntArray,
    female_share: float,
) -> tuple[Groups, GroupStaff, Enrolments, IntArray]:
    """One class per 30 pupils in each year (infant classes are capped at 30 by law); TAs mostly in KS1."""
    n = len(year_group)
    pupil_class = np.zeros(n, dtype=np.int64)
    names: list[str] = []
    group_years: list[int] = []
    teacher_of: list[int] = []
    sen_count: list[int] = []
    for y in years:
        rows = np.flatnonzero(year_group == y)
        classes = max(1, math.ceil(len(rows) / 30))
        if classes > len(_CLASS_NAMES):
            raise ValueError("Too many classes in one year group for the demo's class names.")
        shuffled = rng.permutation(rows)
        first = len(names)
        pupil_class[shuffled] = first + np.arange(len(shuffled)) % classes
        for c in range(classes):
            label = "R" if y == 0 else str(int(y))
            names.append(f"{label} {_CLASS_NAMES[c]}")
            group_years.append(int(y))
            teacher_of.append(staff.add(rng, female=rng.random() < female_share, roles=["teacher"]))
            sen_count.append(
                int(np.count_nonzero((pupil_class[rows] == first + c) & (provision[rows] != "N")))
            )
    n_groups = len(names)
    n_ta = max(1, round(n_groups * rng.uniform(0.45, 0.6)))
    early = [g for g in range(n_groups) if group_years[g] <= 2]
    rest = sorted((g for g in range(n_groups) if group_years[g] > 2), key=lambda g: -sen_count[g])
    priority = early + rest
    gs_group = list(range(n_groups))
    gs_staff = list(teacher_of)
    gs_role = ["teacher"] * n_groups
    for i in range(n_ta):
        ta = staff.add(rng, female=rng.random() < 0.92, roles=["teaching_assistant"])
        gs_group.append(priority[i % len(priority)])
        gs_staff.append(ta)
        gs_role.append("support")
    groups = Groups(
        id=_uuids(rng, n_groups),
        school=np.zeros(n_groups, dtype=np.int64),
        name=names,
        kind=["class"] * n_groups,
        subject=[None] * n_groups,
        year_group=np.asarray(group_years, dtype=np.int64),
    )
    start = np.full(n, _d64(dt.date(ctx.current_year, 9, 1)))
    enrolments = Enrolments(group=pupil_class, pupil=np.arange(n, dtype=np.int64), starts_on=start)
    group_staff = GroupStaff(
        group=np.asarray(gs_group, dtype=np.int64), staff=np.asarray(gs_staff, dtype=np.int64), role=gs_role
    )
    # Reading and writing are taught by the class teacher, as is maths.
    pupil_groups = np.stack([pupil_class, pupil_class, pupil_class], axis=1)
    return groups, group_staff, enrolments, pupil_groups


def _secondary_groups(
    rng: np.random.Generator,
    ctx: _Context,
    staff: _StaffBuilder,
    *,
    year_group: IntArray,
    z: FloatArray,
    years: IntArray,
    senco: int,
    female_share: float,
) -> tuple[Groups, GroupStaff, Enrolments, IntArray]:
    """Sets by prior attainment in English, maths and science; smaller bottom sets; teachers share sets."""
    n = len(year_group)
    attainment = {
        "english": z[:, (_READING, _WRITING)].mean(axis=1),
        "maths": z[:, _MATHS],
        "science": z.mean(axis=1),
    }
    pupil_set = np.zeros((n, len(_SET_SUBJECTS)), dtype=np.int64)
    names: list[str] = []
    subjects: list[str] = []
    group_years: list[int] = []
    set_number: list[int] = []
    sets_in_year: list[int] = []
    for si, (subject, abbr) in enumerate(_SET_SUBJECTS):
        for y in years:
            rows = np.flatnonzero(year_group == y)
            n_sets = max(1, min(round(len(rows) / 27), len(rows)))
            weights = [1.0] * n_sets
            if n_sets >= 3:
                weights[-1], weights[-2] = 0.7, 0.85
            sizes = _proportional(len(rows), weights)
            # Setting uses prior attainment as the school saw it, which is noisy.
            seen = attainment[subject][rows] + rng.normal(0, 0.3, size=len(rows))
            ranked = rows[np.argsort(-seen, kind="stable")]
            first = len(names)
            bounds = np.cumsum([0, *sizes])
            for s in range(n_sets):
                pupil_set[ranked[bounds[s] : bounds[s + 1]], si] = first + s
                names.append(f"{int(y)}{abbr}{s + 1}")
                subjects.append(subject)
                group_years.append(int(y))
                set_number.append(s + 1)
                sets_in_year.append(n_sets)
    n_groups = len(names)
    teacher_of = np.zeros(n_groups, dtype=np.int64)
    for subject, _ in _SET_SUBJECTS:
        sets = [g for g in range(n_groups) if subjects[g] == subject]
        size = max(1, round(len(sets) / 2.6))
        teachers = [
            staff.add(rng, female=rng.random() < female_share, roles=["teacher"]) for _ in range(size)
        ]
        order = rng.permutation(size)
        # Round robin over (year, set), so each teacher has sets in several years.
        for i, g in enumerate(sets):
            teacher_of[g] = teachers[int(order[i % size])]
    # The SENCo also teaches the Year 7 bottom English set.
    y7_english = [g for g in range(n_groups) if subjects[g] == "english" and group_years[g] == min(years)]
    senco_set = y7_english[-1]
    teacher_of[senco_set] = senco
    staff.roles[senco].append("teacher")

    n_ta = max(1, round(n / 100))
    targets = [
        g
        for rank_from_bottom in (0, 1)
        for y in years
        for subject in ("english", "maths")
        for g in range(n_groups)
        if subjects[g] == subject
        and group_years[g] == y
        and set_number[g] == sets_in_year[g] - rank_from_bottom
        and set_number[g] > 1
    ] or list(range(n_groups))
    gs_group = list(range(n_groups))
    gs_staff = [int(t) for t in teacher_of]
    gs_role = ["teacher"] * n_groups
    for i in range(n_ta):
        ta = staff.add(rng, female=rng.random() < 0.85, roles=["teaching_assistant"])
        supported = {targets[i % len(targets)], targets[(i + n_ta) % len(targets)]}
        for g in sorted(supported):
            gs_group.append(g)
            gs_staff.append(ta)
            gs_role.append("support")
    groups = Groups(
        id=_uuids(rng, n_groups),
        school=np.zeros(n_groups, dtype=np.int64),
        name=names,
        kind=["set"] * n_groups,
        subject=list(subjects),
        year_group=np.asarray(group_years, dtype=np.int64),
    )
    start = _d64(dt.date(ctx.current_year, 9, 1))
    enrolments = Enrolments(
        group=pupil_set.T.reshape(-1),
        pupil=np.tile(np.arange(n, dtype=np.int64), len(_SET_SUBJECTS)),
        starts_on=np.full(n * len(_SET_SUBJECTS), start),
    )
    group_staff = GroupStaff(
        group=np.asarray(gs_group, dtype=np.int64), staff=np.asarray(gs_staff, dtype=np.int64), role=gs_role
    )
    # Reading and writing results are entered by the English teacher, maths by the maths teacher.
    pupil_groups = np.stack([pupil_set[:, 0], pupil_set[:, 0], pupil_set[:, 1]], axis=1)
    return groups, group_staff, enrolments, pupil_groups


def _assessments(
    rng: np.random.Generator,
    ctx: _Context,
    *,
    phase: str,
    lowest: int,
    year_group: IntArray,
    z: FloatArray,
    sen: BoolArray,
    pupil_groups: IntArray,
    groups: Groups,
    group_staff: GroupStaff,
    ids: list[uuid.UUID],
) -> tuple[Assessments, Truth]:
    """Three years of termly results for every pupil, vectorised over pupils x subjects x windows."""
    n = len(year_group)
    w_count = WINDOWS_PER_SCHOOL
    positions = np.arange(w_count)
    year_at = year_group[:, None] - (ctx.current_year - ctx.window_start_years)[None, :]  # (n, W)
    on_roll = year_at >= lowest
    # Standardised tests start in Year 1; pupils far below the test's floor are not entered.
    takes_test = on_roll & (year_at >= 1)
    disapplied = z < _DISAPPLIED_Z  # (n, 3)

    # ---- planted patterns (reading and maths). Stall, slowed and falls_behind have the sizes issue 12 judges
    # criteria (a), (b) and (d) on and have had time to show by the latest window (see `Truth`). Each is
    # anchored so the score just before it begins is the latent, except falls_behind: its latest score is the
    # latent, since that is where the pupil is now (what the SEN register above was drawn from).
    delta = np.zeros((n, 3, w_count))
    drift = rng.normal(0, 0.35, size=(n, 3))
    first_test = np.where(takes_test.any(axis=1), takes_test.argmax(axis=1), w_count)
    # not_closing and improving begin in one of the last five windows, after two results of the pupil's own.
    earliest_start = np.maximum(w_count - 5, first_test + 2)
    t_pupil: list[IntArray] = []
    t_subject: list[IntArray] = []
    t_pattern: list[IntArray] = []
    t_start: list[IntArray] = []
    t_rate: list[FloatArray] = []
    for subject in _TESTED:
        zs = z[:, subject]
        level = 100 + 15 * zs
        sits = (first_test < w_count) & ~disapplied[:, subject]
        u = rng.random(n)
        # Every size is drawn for every pupil, used or not, so that one pupil's pattern never moves another's.
        # stall, slowed: 8-21 points lost, evenly over the last 2 or 3 terms (ending at the latest window).
        drop, drop_terms = rng.uniform(8, 21, n), rng.integers(2, 4, n)
        # falls_behind: the gap widens by 2-4 points a term, every term over the last 6-8 terms.
        widen_rate, widen_terms = rng.uniform(2, 4, n), rng.integers(6, 9, n)
        # slowed: gaining 0-3 points a term over the three terms before; not_closing: 1.5-3, then flat.
        slowed_gain, closing_gain = rng.uniform(0, 3, n), rng.uniform(1.5, 3, n)
        improving_rate = rng.uniform(2.5, 4.5, n)
        start_draw = rng.random(n)
        slow_start = w_count - drop_terms
        widen_start = w_count - widen_terms
        # A pattern only where the pupil's own results can show it (two results before a slowdown, one
        # before a widening gap) and the true score stays above the test's floor; falls_behind only for
        # pupils now below peers, not_closing only below 85.
        can_slow = sits & (slow_start >= first_test + 2) & (level - drop >= _PATTERN_FLOOR)
        can_widen = sits & (widen_start >= first_test + 1) & (level >= _PATTERN_FLOOR) & (zs < -0.35)
        can_level = sits & (earliest_start < w_count) & (zs < -1.05)
        flagged = (can_slow | can_widen | can_level) & (u < np.where(sen, 0.21, 0.08))
        improving = sits & (earliest_start < w_count) & ~flagged & (u > 1 - 0.025)
        # falls_behind and not_closing are weighted up because fewer pupils can have them.
        weights = np.stack([0.3 * can_slow, 0.3 * can_slow, 0.45 * can_widen, 0.6 * can_level], axis=1)
        total = np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
        cumulative = np.cumsum(weights / total, axis=1)
        kind = (rng.random(n)[:, None] > cumulative).sum(axis=1)
        kind = np.where(improving, 4, np.minimum(kind, 3))
        chosen = flagged | improving
        span = np.maximum(w_count - earliest_start, 1)
        start = np.select(
            [kind <= 1, kind == 2],
            [slow_start, widen_start],
            earliest_start + np.floor(start_draw * span).astype(np.int64),
        )
        rate = np.select(
            [kind <= 1, kind == 2, kind == 3, kind == 4],
            [-drop / drop_terms, -widen_rate, np.zeros(n), improving_rate],
        )
        earlier_gain = np.select([kind == 1, kind == 3], [slowed_gain, closing_gain], 0.0)
        after = np.maximum(positions[None, :] - start[:, None] + 1, 0)  # terms since the pattern began
        before = np.clip(positions[None, :] - (start[:, None] - 1), -3, 0)  # terms before, up to three
        pattern_delta = rate[:, None] * after + earlier_gain[:, None] * before
        pattern_delta += np.where(kind == 2, widen_rate * widen_terms, 0.0)[:, None]
        pattern_delta = np.where(kind[:, None] == 4, np.minimum(pattern_delta, 20.0), pattern_delta)
        delta[chosen, subject, :] = pattern_delta[chosen]
        drift[chosen, subject] = 0.0
        rows = np.flatnonzero(chosen)
        t_pupil.append(rows)
        t_subject.append(np.full(len(rows), subject))
        t_pattern.append(kind[rows])
        t_start.append(start[rows])
        t_rate.append(rate[rows])

    true_score = 100 + 15 * z[:, :, None] + drift[:, :, None] * (positions - (w_count - 1)) + delta

    # ---- dates: one sitting per school, window, year group, subject and kind of assessment
    window_days = (ctx.window_last_day - ctx.window_opens).astype(np.int64) + 1
    offsets = np.floor(rng.random((w_count, 16, 3, 2)) * window_days[:, None, None, None]).astype(np.int64)

    def dates(w: IntArray, year: IntArray, subject: IntArray, kind_index: int) -> DateArray:
        return ctx.window_opens[w] + _days(offsets[w, year + 2, subject, kind_index])

    # ---- who entered it: this year's class or set teacher; in a primary, last year's teacher of the
    # same class strand (teachers stay with their year group); earlier secondary results have no name.
    teacher_of_group = np.full(len(groups.id), -1, dtype=np.int64)
    is_teacher = np.asarray(group_staff.role) == "teacher"
    teacher_of_group[group_staff.group[is_teacher]] = group_staff.staff[is_teacher]
    current = ctx.window_start_years == ctx.current_year

    def entered_by(p: IntArray, subject: IntArray, w: IntArray, year: IntArray) -> IntArray:
        own = teacher_of_group[pupil_groups[p, subject]]
        if phase == "secondary":
            return np.where(current[w], own, -1)
        # Same strand (class position) in the year group the pupil was in then.
        group_year = groups.year_group
        strand = pupil_groups[p, subject] - np.searchsorted(group_year, year_group[p])
        first_of_year = np.searchsorted(group_year, year)
        count_of_year = np.searchsorted(group_year, year, side="right") - first_of_year
        safe = count_of_year > 0
        past_group = first_of_year + np.where(safe, strand % np.maximum(count_of_year, 1), 0)
        past = np.where(safe, teacher_of_group[np.minimum(past_group, len(groups.id) - 1)], -1)
        return np.where(current[w], own, past)

    # ---- standardised scores in reading and maths
    tested = np.zeros((n, 3, w_count), dtype=bool)
    for subject in _TESTED:
        tested[:, subject, :] = takes_test & ~disapplied[:, subject][:, None]
    p_s, s_s, w_s = np.nonzero(tested)
    true_s = true_score[p_s, s_s, w_s]
    observed = np.clip(np.rint(true_s + rng.normal(0, _NOISE_SD, size=len(p_s))), _STD_MIN, _STD_MAX)
    year_s = year_at[p_s, w_s]
    std = Assessments(
        pupil=p_s.astype(np.int64),
        subject=s_s.astype(np.int64),
        window=w_s.astype(np.int64),
        scale=np.full(len(p_s), _STD, dtype=np.int64),
        assessed_on=dates(w_s, year_s, s_s, 0),
        year_group=year_s.astype(np.int64),
        result=observed.astype(np.int64).astype(str),
        points=observed.astype(np.float64),
        entered_by=entered_by(p_s, s_s, w_s, year_s),
        true_score=true_s,
    )

    # ---- teacher assessment in reading, writing and maths
    ta_mask = np.broadcast_to(on_roll[:, None, :], (n, 3, w_count))
    p_t, s_t, w_t = np.nonzero(ta_mask)
    true_t = true_score[p_t, s_t, w_t]
    # Teachers' grades move less than test scores: half the planted change shows in the judgement.
    judged = (true_t - 0.5 * delta[p_t, s_t, w_t] - 100) / 15 + rng.normal(0, 0.25, size=len(p_t))
    year_t = year_at[p_t, w_t]
    if phase == "primary":
        index = np.zeros(len(p_t), dtype=np.int64)
        for subject, cuts in _PRIMARY_TA_CUTS.items():
            rows = s_t == subject
            index[rows] = np.searchsorted(np.asarray(cuts), judged[rows], side="right")
        codes = np.asarray(PRIMARY_TA_CODES)[index]
        points = (index + 1).astype(np.float64)
        scale = _PRIMARY_TA
    else:
        term_index = np.asarray([TERMS.index(t) for t in ctx.window_terms])[w_t]
        # Working-at grades rise through the years: a typical pupil is at a 2 early in Year 7 and a 5 by
        # the summer of Year 11, where about three in four are at 4 or above, as in GCSE maths and English.
        base = 4.8 - 0.55 * (11 - year_t) - 0.1 * (2 - term_index)
        slope = 1.9 - 0.15 * (11 - year_t)
        grade = np.clip(np.rint(base + slope * judged), 0, 9).astype(np.int64)
        codes = np.asarray(GCSE_CODES)[grade]
        points = grade.astype(np.float64)
        scale = _GCSE
    ta = Assessments(
        pupil=p_t.astype(np.int64),
        subject=s_t.astype(np.int64),
        window=w_t.astype(np.int64),
        scale=np.full(len(p_t), scale, dtype=np.int64),
        assessed_on=dates(w_t, year_t, s_t, 1),
        year_group=year_t.astype(np.int64),
        result=codes.astype("<U3"),
        points=points,
        entered_by=entered_by(p_t, s_t, w_t, year_t),
        true_score=true_t,
    )
    assessments = _concat_assessments(
        [std, ta], pupil_offsets=[0, 0], window_offsets=[0, 0], staff_offsets=[0, 0]
    )

    t_rows = np.concatenate(t_pupil).astype(np.int64)
    t_subjects = np.concatenate(t_subject).astype(np.int64)
    order = np.lexsort((t_subjects, t_rows))
    truth = Truth(
        pupil=t_rows[order],
        pupil_id=[ids[int(i)] for i in t_rows[order]],
        subject=[SUBJECTS[int(s)] for s in t_subjects[order]],
        pattern=[PATTERNS[int(p)] for p in np.concatenate(t_pattern)[order]],
        starts_window_index=np.concatenate(t_start).astype(np.int64)[order],
        rate=np.concatenate(t_rate).astype(np.float64)[order],
    )
    return assessments, truth


def _concat_assessments(
    parts: Sequence[Assessments],
    *,
    pupil_offsets: Sequence[int],
    window_offsets: Sequence[int],
    staff_offsets: Sequence[int],
) -> Assessments:
    def staff(part: Assessments, offset: int) -> IntArray:
        return np.where(part.entered_by >= 0, part.entered_by + offset, -1)

    return Assessments(
        pupil=np.concatenate([p.pupil + o for p, o in zip(parts, pupil_offsets, strict=True)]),
        subject=np.concatenate([p.subject for p in parts]),
        window=np.concatenate([p.window + o for p, o in zip(parts, window_offsets, strict=True)]),
        scale=np.concatenate([p.scale for p in parts]),
        assessed_on=np.concatenate([p.assessed_on for p in parts]),
        year_group=np.concatenate([p.year_group for p in parts]),
        result=np.concatenate([p.result.astype("<U3") for p in parts]),
        points=np.concatenate([p.points for p in parts]),
        entered_by=np.concatenate([staff(p, o) for p, o in zip(parts, staff_offsets, strict=True)]),
        true_score=np.concatenate([p.true_score for p in parts]),
    )


# --------------------------------------------------------------------------------------------- generate
def generate(
    *, seed: int, as_of: dt.date, schools: int = 2, pupils_per_school: int | None = None
) -> DemoData:
    """Build the whole demo trust. Same arguments, same tables, byte for byte."""
    if not 1 <= schools <= MAX_SCHOOLS:
        raise ValueError(f"A demo trust has 1 to {MAX_SCHOOLS} schools.")
    if (
        pupils_per_school is not None
        and not MIN_PUPILS_PER_SCHOOL <= pupils_per_school <= MAX_PUPILS_PER_SCHOOL
    ):
        raise ValueError(
            f"Pupils per school must be between {MIN_PUPILS_PER_SCHOOL} and {MAX_PUPILS_PER_SCHOOL}."
        )
    if not 2005 <= as_of.year <= 2095:
        raise ValueError("The demo date must be between 2005 and 2095.")
    config = Config(seed=seed, as_of=as_of, schools=schools, pupils_per_school=pupils_per_school)
    trust_rng = np.random.default_rng([seed, 0])
    trust_name, trust_slug = _TRUSTS[int(trust_rng.integers(len(_TRUSTS)))]
    places = [s + e for s in _PLACE_STARTS for e in _PLACE_ENDS if s.lower() not in e]
    draws: dict[str, Any] = {
        "places": [places[int(i)] for i in trust_rng.permutation(len(places))],
        "forms": trust_rng.integers(0, 1000, size=MAX_SCHOOLS),
        "urns": trust_rng.permutation(100_000),
        # Primaries (ours and secondaries' feeders) are numbered 2xxx by their authority, secondaries 4xxx.
        "primary_estabs": trust_rng.permutation(1000)[: MAX_SCHOOLS // 2 + 1] + 2000,
        "secondary_estabs": trust_rng.permutation(1000)[: MAX_SCHOOLS // 2 + 1],
    }
    feeder_pool = np.setdiff1d(np.arange(2000, 3000), draws["primary_estabs"])
    feeder_estabs = trust_rng.permutation(feeder_pool)
    la_number = _LA_NUMBERS[0]

    calendar = window_calendar(as_of)
    as_of64 = _d64(as_of)
    ctx = _Context(
        config=config,
        as_of=as_of64,
        current_year=academic_start_year(as_of),
        la_number=la_number,
        window_start_years=np.asarray([c[0] for c in calendar], dtype=np.int64),
        window_terms=[c[1] for c in calendar],
        window_opens=np.asarray([_d64(c[2]) for c in calendar]),
        window_last_day=np.asarray([_d64(min(c[3], as_of)) for c in calendar]),
        feeder_estabs=feeder_estabs.astype(np.int64),
    )

    parts = [_build_school(k, ctx, _school_identity(draws, k)) for k in range(schools)]

    # Trust staff last, so adding a school never renumbers them... and schools never renumber each other.
    trust_staff = _StaffBuilder([], [], [], set(), f"{trust_slug}.{DEMO_EMAIL_DOMAIN}")
    trust_staff.add(trust_rng, female=trust_rng.random() < 0.7, roles=["trust_send_lead"])
    trust_staff.add(trust_rng, female=trust_rng.random() < 0.5, roles=["trust_admin"])
    # The trust's data protection officer serves every school, as in most trusts.
    trust_staff.add(trust_rng, female=trust_rng.random() < 0.5, roles=["trust_dpo"])

    return _assemble(config, ctx, trust_name, trust_slug, calendar, parts, trust_staff)


def _assemble(
    config: Config,
    ctx: _Context,
    trust_name: str,
    trust_slug: str,
    calendar: list[tuple[int, str, dt.date, dt.date]],
    parts: list[_SchoolPart],
    trust_staff: _StaffBuilder,
) -> DemoData:
    n_schools = len(parts)
    pupil_off = np.cumsum([0, *[len(p.pupils.id) for p in parts]])
    group_off = np.cumsum([0, *[len(p.groups.id) for p in parts]])
    staff_off = np.cumsum([0, *[len(p.staff.email) for p in parts]])
    window_off = [k * WINDOWS_PER_SCHOOL for k in range(n_schools)]

    schools = Schools(
        name=[p.name for p in parts],
        slug=[p.slug for p in parts],
        urn=[p.urn for p in parts],
        phase=[p.phase for p in parts],
        lowest_year=np.asarray([p.lowest for p in parts], dtype=np.int64),
        highest_year=np.asarray([p.highest for p in parts], dtype=np.int64),
        la_number=np.full(n_schools, ctx.la_number, dtype=np.int64),
        establishment=np.asarray([p.establishment for p in parts], dtype=np.int64),
    )
    windows = Windows(
        school=np.repeat(np.arange(n_schools, dtype=np.int64), WINDOWS_PER_SCHOOL),
        position=np.tile(np.arange(WINDOWS_PER_SCHOOL, dtype=np.int64), n_schools),
        start_year=np.tile(ctx.window_start_years, n_schools),
        term=[c[1] for c in calendar] * n_schools,
        opens_on=np.tile(np.asarray([_d64(c[2]) for c in calendar]), n_schools),
        closes_on=np.tile(np.asarray([_d64(c[3]) for c in calendar]), n_schools),
    )
    builders = [p.staff for p in parts] + [trust_staff]
    staff_school = np.concatenate(
        [np.full(len(p.staff.email), k, dtype=np.int64) for k, p in enumerate(parts)]
        + [np.full(len(trust_staff.email), -1, dtype=np.int64)]
    )
    staff = Staff(
        full_name=[name for b in builders for name in b.full_name],
        email=[email for b in builders for email in b.email],
        school=staff_school,
    )
    m_staff: list[int] = []
    m_role: list[str] = []
    m_school: list[int] = []
    for index, (roles, school) in enumerate(
        zip([r for b in builders for r in b.roles], staff_school, strict=True)
    ):
        for role in roles:
            m_staff.append(index)
            m_role.append(role)
            m_school.append(int(school))
    memberships = Memberships(
        staff=np.asarray(m_staff, dtype=np.int64), role=m_role, school=np.asarray(m_school, dtype=np.int64)
    )

    def cat_pupils() -> Pupils:
        ps = [p.pupils for p in parts]
        return Pupils(
            id=[i for p in ps for i in p.id],
            school=np.concatenate([p.school for p in ps]),
            upn=[u for p in ps for u in p.upn],
            mis_id=[m for p in ps for m in p.mis_id],
            legal_forename=[x for p in ps for x in p.legal_forename],
            legal_surname=[x for p in ps for x in p.legal_surname],
            preferred_forename=[x for p in ps for x in p.preferred_forename],
            date_of_birth=np.concatenate([p.date_of_birth for p in ps]),
            year_group=np.concatenate([p.year_group for p in ps]),
            sex=[x for p in ps for x in p.sex],
            pupil_premium=np.concatenate([p.pupil_premium for p in ps]),
            eal=np.concatenate([p.eal for p in ps]),
            looked_after=np.concatenate([p.looked_after for p in ps]),
        )

    groups = Groups(
        id=[i for p in parts for i in p.groups.id],
        school=np.concatenate([np.full(len(p.groups.id), k, dtype=np.int64) for k, p in enumerate(parts)]),
        name=[x for p in parts for x in p.groups.name],
        kind=[x for p in parts for x in p.groups.kind],
        subject=[x for p in parts for x in p.groups.subject],
        year_group=np.concatenate([p.groups.year_group for p in parts]),
    )
    group_staff = GroupStaff(
        group=np.concatenate([p.group_staff.group + group_off[k] for k, p in enumerate(parts)]),
        staff=np.concatenate([p.group_staff.staff + staff_off[k] for k, p in enumerate(parts)]),
        role=[x for p in parts for x in p.group_staff.role],
    )
    enrolments = Enrolments(
        group=np.concatenate([p.enrolments.group + group_off[k] for k, p in enumerate(parts)]),
        pupil=np.concatenate([p.enrolments.pupil + pupil_off[k] for k, p in enumerate(parts)]),
        starts_on=np.concatenate([p.enrolments.starts_on for p in parts]),
    )
    sen_periods = SenPeriods(
        pupil=np.concatenate([p.sen_periods.pupil + pupil_off[k] for k, p in enumerate(parts)]),
        provision=np.concatenate([p.sen_periods.provision for p in parts]),
        starts_on=np.concatenate([p.sen_periods.starts_on for p in parts]),
        ends_on=np.concatenate([p.sen_periods.ends_on for p in parts]),
    )
    sen_needs = SenNeeds(
        pupil=np.concatenate([p.sen_needs.pupil + pupil_off[k] for k, p in enumerate(parts)]),
        need_type=np.concatenate([p.sen_needs.need_type.astype("<U4") for p in parts]),
        rank=np.concatenate([p.sen_needs.rank for p in parts]),
        starts_on=np.concatenate([p.sen_needs.starts_on for p in parts]),
        ends_on=np.concatenate([p.sen_needs.ends_on for p in parts]),
    )
    assessments = _concat_assessments(
        [p.assessments for p in parts],
        pupil_offsets=[int(o) for o in pupil_off[:-1]],
        window_offsets=window_off,
        staff_offsets=[int(o) for o in staff_off[:-1]],
    )
    truth = Truth(
        pupil=np.concatenate([p.truth.pupil + pupil_off[k] for k, p in enumerate(parts)]),
        pupil_id=[i for p in parts for i in p.truth.pupil_id],
        subject=[x for p in parts for x in p.truth.subject],
        pattern=[x for p in parts for x in p.truth.pattern],
        starts_window_index=np.concatenate([p.truth.starts_window_index for p in parts]),
        rate=np.concatenate([p.truth.rate for p in parts]),
    )
    academic_years = sorted({c[0] for c in calendar} | {ctx.current_year})
    return DemoData(
        config=config,
        trust_name=trust_name,
        trust_slug=trust_slug,
        current_start_year=ctx.current_year,
        academic_years=academic_years,
        schools=schools,
        windows=windows,
        staff=staff,
        memberships=memberships,
        pupils=cat_pupils(),
        groups=groups,
        group_staff=group_staff,
        enrolments=enrolments,
        sen_periods=sen_periods,
        sen_needs=sen_needs,
        assessments=assessments,
        truth=truth,
    )
