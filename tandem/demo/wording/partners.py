"""What the demo's parents, carers and pupils say: names for the made-up parents and carers, their answers
to the school's questions by area of need, their replies to meeting records and requests for a meeting, and
pupils' "about me" answers in a child's words.

Data only: tandem/demo/partners.py picks from these banks with each school's random stream. No name here is
one the generator gives a pupil or a member of staff (a test checks), and no sentence names a pupil.
"""

from __future__ import annotations

from tandem.register.models import BroadArea

# Forenames and surnames for parents and carers, none of them in the generator's lists of pupils and staff.
PARENT_FORENAMES_FEMALE: tuple[str, ...] = (
    "Annabel",
    "Bernadette",
    "Carys",
    "Delphine",
    "Esther",
    "Felicity",
    "Gwendolyn",
    "Henrietta",
    "Ingrid",
    "Jocelyn",
    "Kerry",
    "Lorraine",
    "Marianne",
    "Nerys",
    "Odette",
    "Paulette",
    "Rosalind",
    "Sabrina",
    "Tamsin",
    "Yvonne",
)
PARENT_FORENAMES_MALE: tuple[str, ...] = (
    "Alistair",
    "Barnaby",
    "Clive",
    "Desmond",
    "Everett",
    "Fergus",
    "Gideon",
    "Horace",
    "Ivor",
    "Julian",
    "Kelvin",
    "Lionel",
    "Mervyn",
    "Nigel",
    "Oswald",
    "Percy",
    "Rupert",
    "Sherwood",
    "Trevor",
    "Vernon",
)
PARENT_SURNAMES: tuple[str, ...] = (
    "Ashdown",
    "Blackwood",
    "Calloway",
    "Draycott",
    "Fairbairn",
    "Greenhalgh",
    "Hollingworth",
    "Inglewood",
    "Kirkbride",
    "Langridge",
    "Merriweather",
    "Northcote",
    "Oakridge",
    "Pennington",
    "Radcliffe",
    "Southwell",
    "Thistlewood",
    "Underhill",
    "Wainwright",
    "Yardley",
)

# A first parent's relationship to the child, with how often each comes up; a second parent's follows it.
RELATIONSHIPS: tuple[tuple[str, float], ...] = (
    ("Mother", 0.56),
    ("Father", 0.28),
    ("Carer", 0.09),
    ("Grandparent", 0.07),
)
SECOND_RELATIONSHIP: dict[str, tuple[str, ...]] = {
    "Mother": ("Father", "Father", "Carer"),
    "Father": ("Mother", "Mother", "Carer"),
    "Carer": ("Carer",),
    "Grandparent": ("Grandparent", "Mother"),
}
# Whose forename a relationship takes (a carer or grandparent may be either).
FEMALE_RELATIONSHIPS = frozenset({"Mother"})
MALE_RELATIONSHIPS = frozenset({"Father"})

VIEWS_PURPOSE: tuple[str, ...] = (
    "Your views before we review the support plan",
    "Before the support plan review: how are things going?",
    "Your views for the next plan review",
)
# When the demo's first parent has no plan review coming up, the school asks before the next meeting.
VIEWS_PURPOSE_MEETING = "Your views before our next meeting"

# Parents' answers to the four default questions (tandem/lib/family_words.py), in that order, by area.
PARENT_ANSWERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    BroadArea.COGNITION: (
        (
            "Reading at bedtime is much easier now and there are fewer tears over homework.",
            "More confident with numbers: counting change at the shop without help.",
            "Enjoys the small reading group and talks about the books at home.",
        ),
        (
            "Spellings still take a long time to learn and are forgotten by the following week.",
            "Gets upset when homework looks long and will not start it.",
            "Worried about falling further behind in maths as the work gets harder.",
        ),
        (
            "Writing a few sentences on their own without giving up.",
            "Times tables, little and often, as we are doing at home.",
            "Keeping up the reading group: it is working.",
        ),
        (
            "We have started reading together for ten minutes every evening.",
            "A grandparent has been unwell, so mornings have been unsettled.",
            "",
        ),
    ),
    BroadArea.COMMUNICATION: (
        (
            "Talking more at home about the school day, in longer sentences.",
            "Has made a friend in class and wants to invite them round.",
            "The visual timetable has really helped: mornings are calmer.",
        ),
        (
            "Still finds changes to the routine very hard, especially supply teachers.",
            "Comes home exhausted and needs a long time on their own after school.",
            "Does not always understand what other children mean and gets upset at break.",
        ),
        (
            "Help with joining in at lunchtime, when there are fewer adults around.",
            "Practising asking for help, so they do not sit stuck.",
            "Warning before any change, like a trip or a new teacher.",
        ),
        (
            "We use the same now-and-next card at home and it helps.",
            "The speech therapist's exercises are going well at home.",
            "",
        ),
    ),
    BroadArea.SEMH: (
        (
            "Much happier going into school in the mornings this term.",
            "Talks about the check-in with the key adult every day: it matters a lot.",
            "Fewer difficult evenings than before half term.",
        ),
        (
            "Worries a lot at night about falling out with friends.",
            "Still says their tummy hurts on Monday mornings.",
            "Gets very angry after school and we think they hold it in all day.",
        ),
        (
            "Keeping the morning check-in going: it sets up the day.",
            "Help with friendships at break and lunch.",
            "A plan for what to do when things feel too much in lessons.",
        ),
        (
            "Sleep has been poor lately; the doctor has given us some advice.",
            "We are happy to come in to talk about anything at any time.",
            "",
        ),
    ),
    BroadArea.SENSORY_PHYSICAL: (
        (
            "The new seat and writing slope have made a big difference.",
            "Much more willing to join in PE now the activities are adapted.",
            "Managing the stairs independently most days.",
        ),
        (
            "Gets very tired by the end of the day and homework is a struggle.",
            "Does not always hear instructions in the hall or the playground.",
            "Handwriting is still slow and it is upsetting to be the last to finish.",
        ),
        (
            "Typing practice, so writing is less tiring.",
            "Checking the hearing equipment is working every morning.",
            "Keeping rest breaks in the afternoon.",
        ),
        (
            "There is a hospital appointment next month; we will send the letter in.",
            "The new glasses are to be worn all day, including in PE.",
            "",
        ),
    ),
}

# A parent's reply to a shared meeting record: a thank-you with agreement, or what is not quite right.
MEETING_AGREE_COMMENTS: tuple[str, ...] = (
    "Thank you, this is a fair record of what we talked about.",
    "Agreed. Thank you for the time you gave us.",
)
MEETING_NOT_RIGHT_COMMENTS: tuple[str, ...] = (
    "We also agreed that we would be told how the reading sessions are going each half term.",
    "The next meeting was going to be before half term, not after.",
    "We said the morning check-in should carry on every day, not just some days.",
)

MEETING_REQUEST_ABOUT: tuple[str, ...] = (
    "We would like to talk about how the new support is going and what we can do at home.",
    "Things have been harder at home lately and we would like to talk it through with you.",
    "We have had a letter from the hospital and would like to go through it with the SENCo.",
    "We are worried about the move to the next year group and would like to plan for it.",
)
MEETING_REQUEST_TIMES: tuple[str, ...] = (
    "After school on Tuesdays or Thursdays",
    "Mornings before 9, any day",
    "Friday afternoons, or a phone call at lunchtime",
    "",
)

# "About me" in a pupil's own words, by area of need: (good at, what helps, what is hard, what I want).
ABOUT_ME_GOOD_AT: tuple[str, ...] = (
    "I am good at drawing and making things out of cardboard.",
    "I am good at football and I am kind to my friends.",
    "I like building things and I am good at puzzles.",
    "I am good at looking after animals. We have a dog at home.",
    "I am good at swimming and I like music.",
    "I am good at helping in class and I remember lots of facts about space.",
)
ABOUT_ME: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    BroadArea.COGNITION: (
        (
            "When someone reads the question to me.",
            "Having the sounds on my desk.",
            "Doing it with the cubes first.",
            "When I can say my sentence before I write it.",
        ),
        (
            "Spelling long words.",
            "Reading in front of the class.",
            "Remembering my times tables.",
            "When the writing is really long.",
        ),
        (
            "I want to read a whole chapter book by myself.",
            "I want to get faster at my number facts.",
            "I want to write a story that fills a page.",
        ),
    ),
    BroadArea.COMMUNICATION: (
        (
            "Knowing what is happening next on my timetable.",
            "When the teacher says my name first.",
            "Having my talk partner who I know.",
            "A quiet place to go when it is too noisy.",
        ),
        (
            "When the plan changes and nobody told me.",
            "Talking in front of lots of people.",
            "Lunchtime, because it is loud.",
            "Knowing what to say when people join a game.",
        ),
        (
            "I want to have more friends to play with.",
            "I want to put my hand up and answer a question.",
            "I want to know about changes before they happen.",
        ),
    ),
    BroadArea.SEMH: (
        (
            "Talking to my key adult in the morning.",
            "Having my calm box.",
            "When I can take a break card.",
            "When people notice when I am doing well.",
        ),
        (
            "When people fall out with me.",
            "Mornings, when I feel worried.",
            "Starting work when I think I will get it wrong.",
            "Sitting still for a long time.",
        ),
        (
            "I want to feel calmer in class.",
            "I want to stay in my lessons more.",
            "I want to sort things out with my friends on my own.",
        ),
    ),
    BroadArea.SENSORY_PHYSICAL: (
        (
            "Sitting near the front.",
            "My writing slope and my special pencil.",
            "When the teacher faces me when they talk.",
            "Having a rest in the afternoon.",
        ),
        (
            "Copying from the board.",
            "PE when it is running races.",
            "When the room is echoey and I cannot hear.",
            "Writing for a long time, my hand hurts.",
        ),
        (
            "I want to use the laptop for my writing.",
            "I want to join the after-school club.",
            "I want to do more things by myself.",
        ),
    ),
}
