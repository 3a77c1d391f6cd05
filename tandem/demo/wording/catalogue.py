"""The demo's intervention catalogue: each entry, what it is, how it is run and measured, and what happened
with it (the cohorts and their planted effects); each programme's steps; and the short notes a session log
may carry.

Data only: tandem/demo/interventions.py writes the catalogue, groups, placements and logs from these.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.provision.models import EvidenceStrength, Layer, MeasureKind, StaffType
from tandem.register.models import BroadArea

EEF = "https://educationendowmentfoundation.org.uk/education-evidence/teaching-learning-toolkit/"

ENDED, RUNNING = "ended", "running"
# Planted effects, by the measure's own units: standardised points added to the real result at exit, a
# ratio gain for reading and spelling ages, points gained on an intervention's own scale. None: the exit
# measures were never recorded.
NO_EXIT = None


@dataclass(frozen=True)
class Cohort:
    when: str  # ENDED or RUNNING
    groups: int
    effect: float | None = NO_EXIT  # mean planted effect (ended cohorts)
    spread: float = 0.0  # its SD across pupils


@dataclass(frozen=True)
class Spec:
    """One catalogue entry and what happened with it."""

    name: str
    short: str  # for group names
    area: str
    description: str
    evidence: int
    source: str
    sessions_per_week: int
    minutes: int
    weeks: int
    size: int
    staff: str
    layer: str
    measure: str
    subject: str  # the assessment subject for standardised measures; else ""
    primary_years: tuple[int, int]
    secondary_years: tuple[int, int]
    cohorts: tuple[Cohort, ...]
    covered: tuple[str, ...]
    links: tuple[str, ...]
    points: tuple[int, int, int] = (0, 0, 0)  # points measures: entry from, entry to, top of the scale
    teacher_led: bool = False
    taught_in: str = ""  # where there are sets, whose teacher answers for it: "english", "maths" or any


CATALOGUE: tuple[Spec, ...] = (
    Spec(
        name="Small-group phonics catch-up",
        short="Phonics catch-up",
        area=BroadArea.COGNITION,
        description="A fast-paced daily revisit of the sounds the pupils have not yet secured, with blending "
        "and segmenting practice and reading of decodable sentences. Progress is measured with a "
        "standardised reading age test at the start and the end.",
        evidence=EvidenceStrength.VERY_EXTENSIVE,
        source=EEF + "phonics",
        sessions_per_week=4,
        minutes=20,
        weeks=10,
        size=4,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.READING_AGE,
        subject="",
        primary_years=(1, 3),
        secondary_years=(7, 8),
        cohorts=(Cohort(ENDED, 2, 2.9, 0.6), Cohort(RUNNING, 1)),
        taught_in="english",
        covered=(
            "Revisited ai, ee and igh; blended CVCC words with sound buttons.",
            "Segmenting for spelling: oa and oo words on whiteboards.",
            "Read a decodable passage together, then in pairs; tricky words said, was, you.",
            "Split digraphs a-e and i-e: sorting real and nonsense words.",
            "Speed sounds review, then reading captions and matching to pictures.",
            "Alternative spellings of the ai sound: ay and a-e, word hunt in the reading book.",
            "Blending two-syllable words, then a dictated sentence.",
            "Assessment check of all Phase 3 sounds; gaps noted for next week.",
        ),
        links=(
            "Class teacher pre-teaches the week's new sounds on Monday and points to the sound mat during "
            "shared writing.",
            "Reading book matched to the sounds taught in the group, heard by the class teacher twice a "
            "week.",
            "Sound mat on the desk in every writing lesson; the teacher prompts 'sound it out' before "
            "giving the spelling.",
            "Teacher asks the pupil to read one sentence aloud in guided reading using this week's sounds.",
            "Spelling of the week's tricky words checked in class books every Friday by the class teacher.",
        ),
    ),
    Spec(
        name="Reading fluency: paired reading",
        short="Paired reading",
        area=BroadArea.COGNITION,
        description="Pupils read aloud with a trained adult, echo reading then reading together then alone, "
        "with prompting for expression and self-correction. Progress is measured with the school's "
        "standardised reading test.",
        evidence=EvidenceStrength.MODERATE,
        source=EEF + "teaching-assistant-interventions",
        sessions_per_week=3,
        minutes=20,
        weeks=10,
        size=6,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.STANDARDISED,
        subject="reading",
        primary_years=(3, 6),
        secondary_years=(7, 9),
        cohorts=(Cohort(ENDED, 2, 0.0, 2.5),),
        taught_in="english",
        covered=(
            "Echo reading of a poem, focusing on pausing at punctuation.",
            "Paired reading of a chapter; pupils signalled when ready to read alone.",
            "Repeated reading of one page, timed and charted.",
            "Reading dialogue with expression: who is speaking and how do they feel?",
            "Shared reading of a non-fiction text; new vocabulary noted in reading records.",
            "Pupils chose a passage to perform to the group.",
        ),
        links=(
            "Teacher gives the pupil a short passage to rehearse before reading aloud in class this week.",
            "In guided reading the teacher models phrasing, then the pupil rereads the same sentence aloud.",
            "Class teacher hears the pupil read their group book for five minutes on Thursday.",
            "Teacher pre-reads the lesson's key text with the pupil at the start of English lessons.",
        ),
    ),
    Spec(
        name="Maths catch-up: small-group tuition",
        short="Maths catch-up",
        area=BroadArea.COGNITION,
        description="Small-group teaching that pre-teaches and revisits the week's class maths with concrete "
        "resources and worked examples, planned with the class teacher. Progress is measured with the "
        "school's standardised maths test.",
        evidence=EvidenceStrength.MODERATE,
        source=EEF + "small-group-tuition",
        sessions_per_week=3,
        minutes=30,
        weeks=10,
        size=6,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.STANDARDISED,
        subject="maths",
        primary_years=(3, 6),
        secondary_years=(7, 9),
        cohorts=(Cohort(ENDED, 4, 11.0, 2.5), Cohort(RUNNING, 1)),
        taught_in="maths",
        covered=(
            "Place value to 10,000 with Dienes and place value counters.",
            "Pre-taught column addition with exchanging before Wednesday's lesson.",
            "Fractions of amounts using bar models; three worked examples, then independent practice.",
            "Times tables 6, 7 and 8: patterns and quick recall games.",
            "Revisited column subtraction errors from the class books.",
            "Word problems: drawing the bar model before choosing the operation.",
            "Equivalent fractions with fraction walls, then matching cards.",
            "Measurement: reading scales with different intervals.",
        ),
        links=(
            "Class teacher uses the same bar-model layout on the board in this week's fractions lessons.",
            "Teacher checks the first two questions of independent work with the pupil before moving on.",
            "Place value counters left on the pupil's table for every maths lesson this half term.",
            "Teacher asks the pupil to explain one worked example to a partner in Thursday's lesson.",
            "Pre-taught vocabulary (exchange, digit, column) displayed and used by the teacher in lessons.",
        ),
    ),
    Spec(
        name="Precision teaching: number facts",
        short="Precision teaching",
        area=BroadArea.COGNITION,
        description="Short daily one-minute timed probes on a small set of number facts, charted so the "
        "pupil sees progress, with new facts added once these are fluent. Progress is the number of facts "
        "recalled correctly in one minute.",
        evidence=EvidenceStrength.LIMITED,
        source=EEF + "individualised-instruction",
        sessions_per_week=5,
        minutes=10,
        weeks=8,
        size=3,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.POINTS,
        subject="",
        primary_years=(2, 5),
        secondary_years=(7, 8),
        cohorts=(Cohort(RUNNING, 2),),
        taught_in="maths",
        covered=(
            "Number bonds to 10: one-minute probe, charted, errors practised.",
            "Doubles to 20: probe and chart; two new facts added.",
            "Three times table facts: probe, chart, see-cover-say practice.",
            "Mixed bonds and doubles: probe and chart.",
            "Number bonds to 20: practised with the counting stick, then probe.",
        ),
        links=(
            "Teacher starts each maths lesson with two minutes of the same facts the pupil is practising.",
            "The pupil's fact card is kept in their maths book and used during the lesson's mental starter.",
            "Class teacher praises the chart each Friday and sets two facts to practise at home.",
        ),
        points=(6, 18, 40),
    ),
    Spec(
        name="Spelling: multisensory catch-up",
        short="Spelling catch-up",
        area=BroadArea.COGNITION,
        description="Spelling patterns taught through look, say, cover, write, check, with tracing, letter "
        "tiles and spoken rules. Progress is measured with a standardised spelling age test.",
        evidence=EvidenceStrength.VERY_LIMITED,
        source="",
        sessions_per_week=2,
        minutes=30,
        weeks=10,
        size=5,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.SPELLING_AGE,
        subject="",
        primary_years=(3, 6),
        secondary_years=(7, 8),
        cohorts=(Cohort(ENDED, 2, 0.7, 0.25),),
        taught_in="english",
        covered=(
            "Adding -ing and -ed: doubling the consonant; letter tiles then dictation.",
            "Common exception words: look, say, cover, write, check.",
            "Words ending -tion: sorting and tracing.",
            "Prefixes un- and dis-: building words with tiles.",
            "Homophones there, their and they're in sentences.",
            "Review test of the half term's spelling patterns.",
        ),
        links=(
            "Teacher marks the week's spelling pattern in the pupil's writing and asks for one correction.",
            "Personal spelling list taped inside the English book and checked by the teacher on Fridays.",
            "Class teacher gives the pupil the lesson's key words on a card before independent writing.",
        ),
    ),
    Spec(
        name="Speech and language: narrative group",
        short="Narrative group",
        area=BroadArea.COMMUNICATION,
        description="Builds the language to tell and retell stories: who, where, when, what happened and how "
        "it ended, with visual prompts, modelled retelling and new vocabulary. Progress is scored on the "
        "group's narrative assessment (out of 30). Run by a teacher trained by the speech and language "
        "therapy service.",
        evidence=EvidenceStrength.EXTENSIVE,
        source=EEF + "oral-language-interventions",
        sessions_per_week=2,
        minutes=30,
        weeks=10,
        size=5,
        staff=StaffType.TEACHER,
        layer=Layer.SPECIALIST,
        measure=MeasureKind.POINTS,
        subject="",
        primary_years=(0, 3),
        secondary_years=(7, 8),
        cohorts=(Cohort(RUNNING, 1),),
        taught_in="english",
        covered=(
            "Story planner symbols: who and where; retold a familiar story with picture prompts.",
            "Sequencing four pictures and telling the story with 'first', 'next', 'then', 'finally'.",
            "Describing a character: what they look like and how they feel.",
            "Problem and solution: what went wrong in the story and how it was fixed.",
            "Pupils told their own weekend news using the story planner.",
        ),
        links=(
            "Teacher uses the story planner symbols when modelling writing in English this week.",
            "Before writing, the teacher asks the pupil to tell a partner who, where and what happened.",
            "Key vocabulary from the group is displayed and used by the teacher in the class story session.",
        ),
        points=(6, 15, 30),
        teacher_led=True,
    ),
    Spec(
        name="Social skills group",
        short="Social skills",
        area=BroadArea.SEMH,
        description="Structured games and role play to practise turn-taking, joining in, reading others' "
        "feelings and sorting out disagreements. Progress is scored on a social skills checklist (out of "
        "40) completed by the class teacher.",
        evidence=EvidenceStrength.MODERATE,
        source=EEF + "social-and-emotional-learning",
        sessions_per_week=1,
        minutes=45,
        weeks=8,
        size=6,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.POINTS,
        subject="",
        primary_years=(2, 6),
        secondary_years=(7, 9),
        cohorts=(Cohort(ENDED, 1, NO_EXIT),),
        covered=(
            "Turn-taking games; talked about how it feels to wait.",
            "Joining in: role-played asking to join a game at break.",
            "Reading faces: matching feelings to photographs.",
            "Disagreements: what to say when you want different things.",
            "Planned and played a cooperative game as a team.",
        ),
        links=(
            "Teacher sets up one paired task this week where the pupil practises taking turns to speak.",
            "At the start of group work the teacher reminds the pupil of the joining-in phrase they "
            "practised.",
            "Class teacher praises specific turn-taking in lessons and notes it in the behaviour log.",
        ),
        points=(12, 22, 40),
    ),
    Spec(
        name="Fine motor skills group",
        short="Fine motor",
        area=BroadArea.SENSORY_PHYSICAL,
        description="Activities to build hand strength and control: threading, tweezers, dough, scissor "
        "skills and pencil grip, building to letter formation. Progress is scored on a fine motor "
        "checklist (out of 24).",
        evidence=EvidenceStrength.VERY_LIMITED,
        source="",
        sessions_per_week=3,
        minutes=15,
        weeks=8,
        size=6,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.POINTS,
        subject="",
        primary_years=(0, 3),
        secondary_years=(7, 7),
        cohorts=(Cohort(RUNNING, 1),),
        covered=(
            "Dough gym to music, then threading beads onto laces.",
            "Tweezers and pegs: moving pompoms into egg boxes against the clock.",
            "Scissor skills: cutting along straight and curved lines.",
            "Pencil grip practice with tracing paths, then letter formation of c, a, d.",
        ),
        links=(
            "Pencil grip and a sloping board used in every writing lesson, checked by the class teacher.",
            "Teacher accepts shorter written answers this half term and praises neat letter formation.",
            "Class teacher gives the pupil wide-lined paper and models letter formation of c, a, d, g.",
        ),
        points=(8, 14, 24),
    ),
    Spec(
        name="Sensory circuits",
        short="Sensory circuits",
        area=BroadArea.SENSORY_PHYSICAL,
        description="A short circuit of alerting, organising and calming movement activities before the "
        "school day, to help pupils settle to learn. Progress is a 'ready to learn' rating (out of 10) "
        "from the class teacher.",
        evidence=EvidenceStrength.NONE,
        source="",
        sessions_per_week=5,
        minutes=15,
        weeks=10,
        size=8,
        staff=StaffType.TEACHING_ASSISTANT,
        layer=Layer.TARGETED,
        measure=MeasureKind.POINTS,
        subject="",
        primary_years=(1, 6),
        secondary_years=(7, 8),
        cohorts=(Cohort(ENDED, 1, 1.5, 1.0), Cohort(RUNNING, 1)),
        covered=(
            "Alerting: star jumps and skipping; organising: balance beam; calming: deep pressure.",
            "Circuit with the trampette, crawling tunnel and wall push-ups.",
            "Circuit as usual; two pupils chose the calming activities first.",
            "Alerting: spotty dog; organising: throwing beanbags at targets; calming: slow breathing.",
        ),
        links=(
            "Class teacher greets the pupil at the door and starts them on a settling task straight away.",
            "Teacher offers a two-minute movement break before the first independent task of the morning.",
            "Class teacher uses the ready-to-learn scale with the pupil at registration each day.",
        ),
        points=(3, 6, 10),
    ),
    Spec(
        name="Emotional literacy support (ELSA)",
        short="ELSA",
        area=BroadArea.SEMH,
        description="One-to-one sessions with a trained emotional literacy support assistant on recognising "
        "and managing feelings, friendships and self-esteem. Progress is scored on a wellbeing scale (out "
        "of 40).",
        evidence=EvidenceStrength.LIMITED,
        source=EEF + "social-and-emotional-learning",
        sessions_per_week=1,
        minutes=45,
        weeks=8,
        size=1,
        staff=StaffType.HLTA,
        layer=Layer.TARGETED,
        measure=MeasureKind.POINTS,
        subject="",
        primary_years=(3, 6),
        secondary_years=(7, 11),
        cohorts=(Cohort(RUNNING, 2),),
        covered=(
            "Naming feelings: the feelings thermometer and when each one shows up.",
            "Friendships: what makes a good friend; drew a friendship map.",
            "Worry box: sorting worries into ones we can and cannot change.",
            "Self-esteem: three things I did well this week.",
        ),
        links=(
            "Teacher checks in with the pupil using the feelings thermometer at the start of each afternoon.",
            "Class teacher gives the pupil a named job this week and praises it in front of the class.",
            "Teacher agrees a quiet signal the pupil can use to ask for a minute out when worried.",
        ),
        points=(14, 24, 40),
    ),
)

# Each intervention's own programme: the steps a session log offers to tick (quick picks on a phone).
PROGRAMMES: dict[str, tuple[str, ...]] = {
    "Small-group phonics catch-up": (
        "Phase 3: ai, ee, igh, oa, oo",
        "Phase 3: ar, or, ur, ow, oi",
        "Phase 3: ear, air, er",
        "Phase 4: adjacent consonants (CVCC, CCVC)",
        "Phase 5: split digraphs a-e, i-e, o-e, u-e",
        "Phase 5: alternative spellings of ai (ay, a-e)",
        "Blending for reading",
        "Segmenting for spelling",
        "Tricky words",
        "Reading a decodable book",
        "Dictated sentence",
        "Check of sounds taught",
    ),
    "Reading fluency: paired reading": (
        "Echo reading",
        "Reading together",
        "Reading alone with prompts",
        "Repeated reading, timed and charted",
        "Reading with expression",
        "Pausing at punctuation",
        "New vocabulary",
        "Talking about the text",
        "Performing a passage",
    ),
    "Maths catch-up: small-group tuition": (
        "Pre-teaching the week's class maths",
        "Place value with Dienes and counters",
        "Column addition with exchanging",
        "Column subtraction with exchanging",
        "Times tables recall",
        "Fractions with bar models",
        "Equivalent fractions",
        "Word problems: bar model first",
        "Measurement: reading scales",
    ),
    "Precision teaching: number facts": (
        "Number bonds to 10",
        "Number bonds to 20",
        "Doubles to 20",
        "2, 5 and 10 times tables",
        "3 times table",
        "One-minute probe, charted",
        "New facts added",
    ),
    "Spelling: multisensory catch-up": (
        "Look, say, cover, write, check",
        "Common exception words",
        "Adding -ing and -ed (doubling)",
        "Words ending -tion",
        "Prefixes un- and dis-",
        "Homophones",
        "Letter tiles and tracing",
        "Dictation",
        "Review test",
    ),
    "Speech and language: narrative group": (
        "Story planner: who and where",
        "Sequencing pictures",
        "Time words: first, next, then, finally",
        "Describing a character",
        "Problem and solution",
        "Retelling a familiar story",
        "Telling own news with the planner",
        "New vocabulary",
    ),
    "Social skills group": (
        "Turn-taking games",
        "Joining in",
        "Reading faces and feelings",
        "Sorting out disagreements",
        "Cooperative team game",
        "Role play: asking for help",
    ),
    "Fine motor skills group": (
        "Dough gym",
        "Threading",
        "Tweezers and pegs",
        "Scissor skills: straight and curved lines",
        "Pencil grip",
        "Letter formation: c, a, d, g",
    ),
    "Sensory circuits": (
        "Alerting: jumping, skipping, trampette",
        "Organising: balance beam, crawling tunnel",
        "Organising: throwing at targets",
        "Calming: deep pressure",
        "Calming: slow breathing",
    ),
    "Emotional literacy support (ELSA)": (
        "Naming feelings: the feelings thermometer",
        "Managing anger",
        "Worries: the worry box",
        "Friendships",
        "Self-esteem",
        "Problem solving",
    ),
}

SESSION_NOTES = (
    "Two pupils were late back from assembly, so the session was shortened.",
    "Worked well with the visual prompts today.",
    "One pupil was upset after break but settled by the end.",
    "Moved to the library because the usual room was in use.",
    "Good focus throughout; ready to move on next week.",
    "Noisy start; the timer helped everyone settle.",
)

TIMES = ("8:40 (before registration)", "9:10", "10:50 (after break)", "13:15", "14:20")
