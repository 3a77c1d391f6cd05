"""What the demo's EHC plans, annual reviews, specialist advice and inclusion base records say: banks of
plain-English sentences by type or area of need, and by profession.

Data only: tandem/demo/statutory.py picks from these banks with each school's random stream. No sentence
names a pupil, and no name here is one the generator gives a pupil or a member of staff (a test checks).
"""

from __future__ import annotations

from tandem.advice.models import Profession
from tandem.inclusion.models import Purpose
from tandem.register.models import BroadArea

# Made-up local authorities: a school's pupils mostly live in one, a few in its neighbours.
LOCAL_AUTHORITIES: tuple[str, ...] = (
    "Westmoor County Council",
    "Kingsford City Council",
    "Ashbury Borough Council",
    "Riverside Metropolitan Borough Council",
    "Thornfield County Council",
    "Eastvale District Council",
)

# ---------------------------------------------------------------- section B: needs, by census type of need
EHC_NEEDS: dict[str, tuple[str, ...]] = {
    "SLCN": (
        "Has a significant language disorder: understands short, familiar instructions but loses the meaning "
        "of longer sentences and new vocabulary, and finds it hard to explain ideas in order.",
        "Speech sounds are delayed, so unfamiliar adults often cannot understand; this makes joining in with "
        "talk in class and at play very hard.",
    ),
    "ASD": (
        "Has a diagnosis of autism. Finds unexpected change, noise and busy spaces overwhelming, and needs "
        "help to understand what others think and feel.",
        "Communicates well about favourite topics but finds back-and-forth conversation and group work hard; "
        "becomes anxious when routines change.",
    ),
    "SPLD": (
        "Has dyslexia: reading is slow and effortful and spelling is well below that of peers, although "
        "understanding of spoken language is good.",
        "Has a specific difficulty with number: finds it hard to hold number facts in memory and to follow "
        "the steps of written methods.",
    ),
    "MLD": (
        "Learns at a slower pace than peers across the curriculum and needs new learning broken into small "
        "steps with a lot of repetition.",
        "Working memory is well below the expected range, so multi-step tasks and instructions are quickly "
        "lost.",
    ),
    "SLD": (
        "Has severe learning difficulties: needs a personalised curriculum, taught in very small steps, with "
        "adult support for most of the day.",
    ),
    "PMLD": (
        "Has profound and multiple learning difficulties with complex health needs; communicates through "
        "facial expression, sound and movement.",
    ),
    "SEMH": (
        "Experiences high levels of anxiety which affect attendance, friendships and readiness to learn; "
        "finds it hard to name feelings and to calm down once upset.",
        "Has difficulty managing strong feelings: when frustrated, leaves the room or refuses work, and "
        "needs a trusted adult to help recover.",
    ),
    "HI": (
        "Has a moderate hearing loss in both ears and wears hearing aids; misses speech in noisy rooms and "
        "from a distance, which affects vocabulary and attention.",
    ),
    "VI": (
        "Has a vision impairment: needs enlarged print, good lighting and extra time, and cannot reliably "
        "read from the board.",
    ),
    "MSI": (
        "Has a combined hearing and vision impairment and needs information given through touch and objects "
        "of reference as well as speech.",
    ),
    "PD": (
        "Has a physical disability affecting fine and gross motor skills: handwriting is slow and tiring and "
        "moving around the school takes extra time.",
        "Has cerebral palsy affecting balance and coordination; needs adapted equipment and help with "
        "personal care.",
    ),
    "OTH": (
        "Has a medical condition that causes fatigue and frequent absence; needs planned rest and help to "
        "catch up on missed learning.",
    ),
    "NSA": ("Needs across learning and communication are being assessed; current needs are set out below.",),
}

# ---------------------------------------------------------------- section E: outcomes, by broad area
EHC_OUTCOMES: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "By the end of the key stage, will read age-appropriate texts with enough fluency to understand "
        "them and enjoy reading for pleasure.",
        "Will use number facts and written methods confidently enough to solve everyday problems, such as "
        "handling money.",
        "Will write a short piece independently, planning it first and checking it with a prompt card.",
        "Will use strategies to remember and organise work, so that they can complete tasks with less adult "
        "help.",
    ),
    BroadArea.COMMUNICATION: (
        "Will understand and follow instructions in class without needing them repeated by an adult.",
        "Will take part in conversations with peers, taking turns and staying on topic, at break and in "
        "lessons.",
        "Will cope with changes to routine, using a visual timetable and agreed strategies, without becoming "
        "distressed.",
        "Will explain their ideas and ask for help in class, in full sentences.",
    ),
    BroadArea.SEMH: (
        "Will recognise when they are becoming anxious or angry and use an agreed strategy to stay in the "
        "lesson.",
        "Will attend school every day and come into class calmly at the start of the day.",
        "Will build and keep friendships, sorting out disagreements with help from a trusted adult.",
        "Will be able to talk about their feelings with a trusted adult and ask for help when needed.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Will record work independently using a laptop and assistive software, at a pace that keeps up with "
        "the class.",
        "Will move around the school safely and independently, including at busy times.",
        "Will manage their hearing equipment and let adults know when it is not working.",
        "Will take part fully in PE and school trips with the adaptations agreed in the plan.",
    ),
}

# ---------------------------------------------------------------- section F: provision, by broad area
EHC_PROVISION: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Daily structured literacy teaching in a small group (30 minutes), delivered by a trained teaching "
        "assistant and overseen by the SENCo.",
        "Precision teaching of number facts three times a week (10 minutes), with progress checked half "
        "termly.",
        "Access to a reader and extra time in tests; key vocabulary pre-taught before each topic.",
    ),
    BroadArea.COMMUNICATION: (
        "Speech and language therapy programme set by the therapist each term and delivered three times a "
        "week (20 minutes) by a trained teaching assistant.",
        "A visual timetable and warning of any change, with a named adult to explain changes in advance.",
        "A weekly social communication group (45 minutes) to practise conversation and turn-taking.",
    ),
    BroadArea.SEMH: (
        "A daily check-in with a key adult at the start and end of the school day (10 minutes each).",
        "Weekly emotional literacy sessions (30 minutes) with a trained adult, following a programme agreed "
        "with the educational psychologist.",
        "Access to a calm space with an agreed exit card, and a plan for returning to the lesson.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Daily access to a laptop with touch-typing software; a touch-typing programme three times a week.",
        "Occupational therapy programme for fine motor skills delivered twice a week (15 minutes) by a "
        "teaching assistant.",
        "Radio aid used in all lessons; a daily check of hearing equipment by a named adult.",
        "Enlarged print materials and a seat near the front with good lighting.",
    ),
}

# ---------------------------------------------------------------- annual reviews
REVIEW_WHO_ATTENDED: tuple[str, ...] = (
    "Parents, SENCo, class teacher, local authority SEN officer",
    "Parent, SENCo, form tutor, speech and language therapist, local authority SEN officer",
    "Parents, SENCo, teaching assistant, educational psychologist (report sent)",
    "Parent, SENCo, head of year, school nurse",
)
REVIEW_PARENT_VIEWS: tuple[str, ...] = (
    "Parents are pleased with progress this year and want the current support to continue.",
    "Parents feel things are better in school but worry about the move to the next key stage.",
    "Parents would like more help with friendships and more regular updates from school.",
)
REVIEW_PUPIL_VIEWS: tuple[str, ...] = (
    "Likes working with the teaching assistant and says the small group helps.",
    "Says lessons are easier now but lunchtimes are still hard.",
    "Wants to do more on their own and to use the laptop more.",
)
REVIEW_WORKING: tuple[str, ...] = (
    "Small-group teaching is working well: two of the outcomes' steps for this year have been met.",
    "The daily check-in has made the start of the day calmer and attendance has improved.",
    "Therapy programme delivered as planned; progress seen in understanding instructions.",
)
REVIEW_NOT_WORKING: tuple[str, ...] = (
    "Unstructured times remain difficult; more support is needed at lunchtime.",
    "Writing outcomes not yet met: the laptop has only been used in some lessons.",
    "Homework remains a source of stress at home.",
)
REVIEW_AMENDMENTS: tuple[str, ...] = (
    "Update section B with the latest speech and language assessment and add a lunchtime support line to "
    "section F.",
    "Replace two section E outcomes that have been met with new ones for the next key stage.",
)
REVIEW_DIFFERENCES: tuple[str, ...] = (
    "",
    "",
    "The educational psychologist recommends a further assessment before any outcomes are changed.",
)

# ---------------------------------------------------------------- specialist advice
ORGANISATIONS: dict[str, tuple[str, ...]] = {
    Profession.SPEECH_LANGUAGE: ("Children's Speech and Language Therapy Service", "Community Therapy Team"),
    Profession.EDUCATIONAL_PSYCHOLOGY: ("Educational Psychology Service", "Traded Psychology Service"),
    Profession.OCCUPATIONAL_THERAPY: ("Children's Occupational Therapy Service",),
    Profession.PHYSIOTHERAPY: ("Children's Physiotherapy Service",),
    Profession.CAMHS: ("Child and Adolescent Mental Health Service", "Mental Health Support Team"),
    Profession.SENSORY_HEARING: ("Sensory Support Service: Hearing",),
    Profession.SENSORY_VISION: ("Sensory Support Service: Vision",),
}
PROFESSIONAL_NAMES: tuple[str, ...] = (
    "Dr Ashcombe",
    "Dr Fenwick-Lowe",
    "Ms Haverstock",
    "Mr Pendleford",
    "Mrs Quayle",
    "Ms Rowntree",
    "Mr Tregarthen",
    "Dr Wilberforce",
)
ADVICE_SUMMARY: dict[str, tuple[str, ...]] = {
    Profession.SPEECH_LANGUAGE: (
        "Assessment shows receptive language well below the expected range and expressive language a little "
        "below. Understanding improves with visual support and short instructions. A termly programme is "
        "set for school to deliver.",
        "Speech sound errors are consistent and respond to practice. Recommends a daily ten-minute programme "
        "and a review in one term.",
    ),
    Profession.EDUCATIONAL_PSYCHOLOGY: (
        "Cognitive assessment shows a relative strength in reasoning with pictures and a weakness in working "
        "memory and processing speed. Learning should be broken into small steps with frequent recap.",
        "Observation in class and a consultation with parents and staff. Anxiety about getting things wrong "
        "is the main barrier; recommends a predictable routine and praise for effort.",
    ),
    Profession.OCCUPATIONAL_THERAPY: (
        "Fine motor skills and hand strength are below the expected range, which makes handwriting slow and "
        "tiring. Recommends a daily programme and a laptop for longer pieces.",
        "Sensory profile shows sensitivity to noise and touch. Recommends ear defenders for assemblies and "
        "movement breaks twice a morning.",
    ),
    Profession.PHYSIOTHERAPY: (
        "Balance and core strength are reduced. Recommends adapted PE and a short daily exercise programme.",
    ),
    Profession.CAMHS: (
        "Assessment completed; the pupil has been offered six sessions of support for anxiety. School should "
        "keep the daily check-in and share any changes with the family.",
        "Seen for low mood and worries at bedtime. Advice for school: a named adult, a calm space and a plan "
        "for difficult moments.",
    ),
    Profession.SENSORY_HEARING: (
        "Hearing aids checked and working. The pupil misses speech in noise: a radio aid is recommended in "
        "all lessons, with seating away from the door.",
    ),
    Profession.SENSORY_VISION: (
        "Functional vision assessment: needs size 18 print and high contrast. Recommends a tablet to enlarge "
        "the board and extra time to find things on the page.",
    ),
}
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    Profession.SPEECH_LANGUAGE: (
        "Give instructions one step at a time, with a visual prompt.",
        "Deliver the therapy programme three times a week in a quiet room.",
        "Pre-teach topic vocabulary at the start of each unit.",
    ),
    Profession.EDUCATIONAL_PSYCHOLOGY: (
        "Break tasks into small steps with a checklist on the desk.",
        "Use precision teaching for number facts, little and often.",
        "Give a predictable routine and warn of changes in advance.",
    ),
    Profession.OCCUPATIONAL_THERAPY: (
        "Provide a writing slope and a chunky pencil grip.",
        "Daily fine motor programme of ten minutes.",
        "Movement breaks twice a morning.",
    ),
    Profession.PHYSIOTHERAPY: (
        "Adapt PE activities to reduce running on hard surfaces.",
        "Short daily exercise programme for core strength.",
    ),
    Profession.CAMHS: (
        "A daily check-in with a named adult.",
        "Agree a calm space and an exit card with the pupil.",
        "Teach names for feelings in a small group.",
    ),
    Profession.SENSORY_HEARING: (
        "Use the radio aid in every lesson.",
        "Seat the pupil near the front, away from noise.",
    ),
    Profession.SENSORY_VISION: (
        "Provide enlarged, high-contrast materials.",
        "Allow extra time to read and copy.",
    ),
}
NOT_TAKEN_UP_REASONS: tuple[str, ...] = (
    "Tried for three weeks; the pupil found it singled them out, so a quieter alternative is used instead.",
    "Already covered by the small-group sessions the pupil attends.",
)

# ---------------------------------------------------------------- the inclusion base
INCLUSION_PURPOSES: tuple[str, ...] = (
    Purpose.REGULATION,
    Purpose.SOCIAL_COMMUNICATION,
    Purpose.RETURN_TO_LESSONS,
    Purpose.SMALL_GROUP_TEACHING,
    Purpose.OTHER,
)
INCLUSION_OTHER_PURPOSES: tuple[str, ...] = (
    "Building confidence to speak in a group before returning to discussion-based lessons.",
    "Learning calming strategies with a trusted adult, then practising them in class.",
)
RETURN_LESSONS: tuple[str, ...] = (
    "All English and maths lessons, with the teaching assistant in class for the first two weeks.",
    "Morning lessons first, then the whole day from the following half term.",
    "Science and humanities first, then every lesson once the pupil feels ready.",
    "Back in class full time, keeping one check-in a day in the base.",
)
