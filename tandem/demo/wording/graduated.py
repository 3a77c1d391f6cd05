"""What the demo's graduated-approach records say: banks of plain-English sentences by area of need.

Data only: tandem/demo/graduated.py picks from these banks with each school's random stream. None of it names
a pupil; a sentence that needs the pupil's need uses a phrase from NEED_PHRASE.
"""

from __future__ import annotations

from tandem.plans.models import NextStep
from tandem.progress.models import ResponseOutcome
from tandem.register.models import BroadArea

CONCERN_OBSERVED: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Finds it hard to hold on to the sounds taught this term: knew most of them on Monday but only a "
        "few by Friday.",
        "Takes much longer than classmates to start written tasks and often has two or three lines after "
        "twenty minutes.",
        "Still counts on fingers for simple addition and loses track part-way through two-step problems.",
        "Reads slowly, guesses words from the first letter and does not notice when a sentence makes no "
        "sense.",
        "Copes well with practical work but struggles to record ideas in writing; spelling of common words "
        "changes from line to line.",
        "Forgets instructions and routines that the rest of the class now follow without reminders.",
    ),
    BroadArea.COMMUNICATION: (
        "Often answers a different question from the one asked and seems to miss parts of spoken "
        "instructions.",
        "Rarely speaks in whole-class discussion and uses short phrases rather than sentences with a "
        "partner.",
        "Finds group work difficult: talks over others and becomes upset when the plan changes.",
        "Struggles to explain their thinking aloud, even when the written answer is correct.",
        "Takes figurative language literally and was confused by the jokes in the class text.",
        "Speech is hard for unfamiliar adults to understand; some sounds are replaced every time.",
    ),
    BroadArea.SEMH: (
        "Has become withdrawn over the last half term: sits alone at break and has stopped putting a hand "
        "up.",
        "Leaves the classroom several times a week when work feels hard, usually in the first ten minutes.",
        "Tearful at the start of most days and reluctant to come into class.",
        "Quick to anger with others at lunchtime; three incidents logged in the last month.",
        "Finds it very hard to settle after break and takes a long time to start work.",
        "Often says 'I can't do it' and screws up work before finishing it.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Squints at the board and moves closer to read; copies words from the board with letters missing.",
        "Often asks for things to be repeated and seems not to hear instructions given from behind.",
        "Handwriting is very slow and hard to read; complains of an aching hand after short tasks.",
        "Trips and bumps into things more than classmates and avoids PE and playground games.",
        "Covers ears and becomes distressed in the hall and during noisy group work.",
        "Tires quickly in the afternoons and struggles to sit comfortably on the carpet or at the desk.",
    ),
}

CONCERN_EVIDENCE = (
    "Work in books over the last four weeks.",
    "Notes from two lessons watched by the class teacher.",
    "Spelling and phonics checks this half term.",
    "Behaviour log entries since the start of term.",
    "What parents said at the last consultation evening.",
    "Teaching assistant's notes from small-group sessions.",
    "Autumn and spring assessment results.",
    "",
)

NO_ACTION_NOTES: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Discussed with the SENCo: within the range expected for the class. Usual differentiation continues.",
        "Caught up after a fortnight of keep-up sessions that the whole group had; no further action.",
    ),
    BroadArea.COMMUNICATION: (
        "Spoke to parents: a shy start in a new class, now joining in with a regular partner. No further "
        "action.",
        "Hearing check at the GP was clear and instructions are followed well when given face to face. "
        "Keep an eye on it.",
    ),
    BroadArea.SEMH: (
        "Spoke to parents: a new baby at home and broken sleep explain the change. Keep an eye on it; no "
        "further action for now.",
        "A short-lived worry about a falling-out with friends, now resolved. No further action.",
        "Settled after a seating change and a clear routine; no further action needed.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Eye test arranged by parents and new glasses now worn; copying from the board is accurate again.",
        "Hearing check at the GP was clear after treatment for an ear infection; no further action.",
    ),
}

REFERRED_NOTES = (
    "Referred to the SENCo: the difficulty is seen in every subject and at home, and has lasted over a term.",
    "Referred to the SENCo for an observation and a standardised assessment before deciding next steps.",
    "Parents have asked to meet the SENCo; referred so that specialist advice can be considered.",
    "Referred to the SENCo: the previous school noted similar concerns.",
)

FIRST_RESPONSE_NOTES = (
    "First response in class: adjustments agreed with the class teacher for six weeks.",
    "Try targeted adjustments in class first, then review with the SENCo.",
    "",
)

# (weakness, adjustments) per area.
RESPONSES: dict[str, tuple[tuple[str, str], ...]] = {
    BroadArea.COGNITION: (
        (
            "Recalling number facts to 10 without counting on fingers.",
            "Five minutes of number fact practice with concrete resources at the start of each maths lesson; "
            "facts on a table mat; the next day's facts pre-taught.",
        ),
        (
            "Blending sounds to read unfamiliar words.",
            "Daily ten-minute phonics keep-up session; reading books matched to the sounds taught; a sound "
            "mat on the desk.",
        ),
        (
            "Getting ideas down in writing within the lesson.",
            "Sentence starters and a word bank on the desk; say the sentence aloud before writing it; a "
            "shorter written outcome with a clear checklist.",
        ),
        (
            "Remembering key vocabulary from one lesson to the next.",
            "Knowledge organiser with pictures; key words pre-taught at the start of the week and reviewed "
            "in every starter.",
        ),
        (
            "Following the steps of a written method in maths.",
            "Worked example left on the board; steps broken into a numbered checklist; first question "
            "done together.",
        ),
    ),
    BroadArea.COMMUNICATION: (
        (
            "Following instructions with more than one step.",
            "Instructions given one step at a time, after saying the pupil's name, with a visual checklist "
            "on the desk.",
        ),
        (
            "Joining in with paired talk.",
            "The same talk partner for six weeks; sentence stems on a card; thinking time before answering.",
        ),
        (
            "Understanding new topic vocabulary.",
            "A word mat with pictures; new words modelled in context and checked with a quick question.",
        ),
        (
            "Coping with changes to the routine.",
            "Visual timetable on the desk; a warning before changes; a now-and-next card for transitions.",
        ),
    ),
    BroadArea.SEMH: (
        (
            "Settling to work after break and lunch.",
            "Met at the door with a calm first task ready; a classroom job for the first five minutes; a "
            "clear start signal.",
        ),
        (
            "Staying in the classroom when work feels hard.",
            "An agreed time-out card with a set place to go for five minutes; work broken into short chunks "
            "with a check-in after each.",
        ),
        (
            "Joining in with others at unstructured times.",
            "Lunchtime club twice a week; a buddy for the first ten minutes of break; praise for joining in.",
        ),
        (
            "Managing frustration when a task goes wrong.",
            "A 'have a go' card to use before asking; an adult check-in after the first task; praise for "
            "effort as well as outcome.",
        ),
    ),
    BroadArea.SENSORY_PHYSICAL: (
        (
            "Seeing the board and copying accurately.",
            "Seated at the front facing the board; a printed copy of board work; key words enlarged.",
        ),
        (
            "Hearing instructions in a noisy room.",
            "Seated near the teacher and away from the door; instructions given face to face; a quieter "
            "space for group work.",
        ),
        (
            "Handwriting speed and comfort.",
            "Pencil grip and sloped board; printed questions so there is less copying; short hand "
            "warm-ups before writing.",
        ),
        (
            "Coping with noise in the hall and in group work.",
            "Ear defenders available; a quiet space to eat lunch; a warning before loud activities.",
        ),
    ),
}

MORE_ADJUSTMENTS = (
    " Added: a quick check-in with the teacher at the end of each lesson.",
    " Added: pre-teaching the next lesson's key points in a five-minute group.",
    " Added: a weekly note home so parents can practise the same thing.",
)

OUTCOME_NOTES: dict[str, tuple[str, ...]] = {
    ResponseOutcome.RESOLVED: (
        "Back in line with the class on the last two checks; the adjustments become part of everyday "
        "teaching.",
        "Clear progress over six weeks: now manages this without the extra support in most lessons.",
        "Parents see the same improvement at home. No further action beyond good classroom practice.",
    ),
    ResponseOutcome.CONTINUE: (
        "Some progress but not yet secure: keep the adjustments for another six weeks and review again.",
        "Better in small groups but not yet in whole-class lessons: continue, with one more adjustment.",
    ),
    ResponseOutcome.REFER: (
        "Little change after six weeks of adjustments: referred to the SENCo to consider SEN support.",
        "Still well behind others despite the adjustments; parents agree to a referral to the SENCo.",
        "Progress has stalled again: referred to the SENCo for an assessment.",
    ),
}

DECISION_EVIDENCE: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Two cycles of first response in class with little change; reading and spelling checks well below "
        "those of the class; SENCo observation in two lessons.",
        "Standardised scores in reading and maths below 80 in two windows running; progress slower than "
        "pupils who started from the same point.",
    ),
    BroadArea.COMMUNICATION: (
        "Class teacher's records of instructions missed; speech and language screening by the SENCo; "
        "advice from the speech and language therapy service.",
        "Observations in class and at break show difficulty with turn-taking and changes of routine; "
        "parents describe the same at home.",
    ),
    BroadArea.SEMH: (
        "Behaviour log and attendance over two terms; a first response in class with a time-out card "
        "helped only briefly; a strengths and difficulties questionnaire completed with parents.",
        "Frequent time out of lessons despite adjustments; the pastoral team's notes; advice from the "
        "mental health support team.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Report from the sensory support service; classroom adjustments in place for a term; the pupil "
        "still struggles to access board work and group tasks.",
        "Occupational therapy letter describing fine motor difficulties; handwriting samples; PE "
        "teacher's observations.",
    ),
}

PUPIL_VIEWS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Says reading is the hardest part of the day and likes working with a partner.",
        "Says maths is 'OK when I can use the cubes'.",
        "Wants to be able to finish work at the same time as friends.",
    ),
    BroadArea.COMMUNICATION: (
        "Likes having the steps written down and finds it hard when everyone talks at once.",
        "Would like to know what is happening next, especially when there is a supply teacher.",
    ),
    BroadArea.SEMH: (
        "Would like help to stay out of trouble at lunchtime. Likes drawing and football.",
        "Likes it when the teacher checks in quietly rather than in front of everyone.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Finds the hall too loud and likes the quiet reading corner.",
        "Would like to sit near the front and have a copy of what is on the board.",
    ),
}

PARENT_VIEWS = (
    "Parents have seen the same difficulty with homework and are keen to help.",
    "Mum is worried about the move to the next year group and would like regular updates.",
    "Parents agree with SEN support and asked for ideas to use at home.",
    "Dad says mornings are hard and would like the school to share what works in class.",
    "Parents are relieved the difficulty has been recognised and want to be part of the plan.",
    "Grandparents, who do the school run, would like a short note each week.",
)

NEED_PHRASE: dict[str, str] = {
    BroadArea.COGNITION: "reading, writing and number work",
    BroadArea.COMMUNICATION: "speech, language and communication",
    BroadArea.SEMH: "managing feelings, behaviour and friendships",
    BroadArea.SENSORY_PHYSICAL: "sensory and physical needs",
}

PARENT_NOTES = (
    "We have agreed to give your child SEN support for {need}. This means a support plan with a few clear "
    "targets, extra help in class and in small groups, and a meeting with you each term to review how it is "
    "going. You can talk to the class teacher or the SENCo at any time.",
    "Following our meeting, your child is now on the school's SEN register for SEN support with {need}. We "
    "will write a plan with you, share the targets and check progress with you at least three times a year.",
    "Your child will receive SEN support for {need}. The class teacher stays responsible for their progress; "
    "the SENCo will help plan the support. We will send you the plan and invite you to each review.",
)

PLAN_SUMMARY: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Reads and spells well below the level of the class despite two cycles of first response; finds "
        "it hard to retain new learning from one week to the next.",
        "Working well below others in maths and writing; progress has slowed over the last three windows.",
    ),
    BroadArea.COMMUNICATION: (
        "Has difficulty understanding longer spoken instructions and putting ideas into words; finds "
        "unstructured times and changes of routine hard.",
        "Speech is hard for unfamiliar adults to understand, which limits joining in with class discussion.",
    ),
    BroadArea.SEMH: (
        "Finds it hard to manage strong feelings when work is difficult, leading to time out of lessons "
        "and lost learning.",
        "Anxious and withdrawn in class; attendance has dipped and friendships are fragile.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Has a diagnosed hearing loss and relies on seeing the speaker; misses instructions in noisy rooms.",
        "Fine motor difficulties make handwriting slow and tiring, so written work rarely shows what is "
        "known.",
    ),
}

STRENGTHS = (
    "Kind and helpful to younger pupils; loves building and drawing.",
    "Good general knowledge, especially about animals; enjoys practical science.",
    "Works hard in PE and is a good team player.",
    "A creative storyteller when talking; enjoys art and music.",
    "Reliable with classroom jobs; remembers routines well once they are learnt.",
    "Strong visual memory; enjoys puzzles and computing.",
    "Determined and keeps trying; has a good sense of humour.",
)

NEEDS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Phonics and reading unfamiliar words; holding number facts in memory; getting ideas down in "
        "writing.",
        "Working memory: loses track of multi-step tasks; needs new vocabulary taught and revisited.",
    ),
    BroadArea.COMMUNICATION: (
        "Understanding spoken instructions; explaining ideas in full sentences; taking turns in talk.",
        "Coping with change and unstructured times; understanding non-literal language.",
    ),
    BroadArea.SEMH: (
        "Recognising and managing frustration; staying in the lesson when work feels hard.",
        "Anxiety at transitions and in new situations; building and keeping friendships.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Hearing the teacher in a noisy room; following discussion between several speakers.",
        "Handwriting stamina and letter formation; organising equipment.",
    ),
}

STRATEGIES: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Pre-teach key vocabulary; break tasks into steps on a checklist; worked examples on the desk; "
        "concrete resources in maths; check understanding before independent work.",
    ),
    BroadArea.COMMUNICATION: (
        "Say the pupil's name before instructions; give one step at a time; use visual prompts and a "
        "now-and-next board; allow thinking time; warn before changes.",
    ),
    BroadArea.SEMH: (
        "Calm greeting at the door; a first task ready; time-out card honoured without discussion; praise "
        "effort privately; a named adult to check in with each morning.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Seat near the front, facing the teacher, away from noise; printed copies of board work; "
        "radio aid or ear defenders as advised; reduce copying.",
    ),
}

INTERVENTIONS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Daily phonics catch-up, 15 minutes, with the teaching assistant.",
        "Precision teaching of number facts, three times a week for 10 minutes.",
    ),
    BroadArea.COMMUNICATION: (
        "Language group twice a week following the speech and language therapist's programme.",
        "Social communication group once a week.",
    ),
    BroadArea.SEMH: (
        "Weekly emotional literacy session with the learning mentor.",
        "Lunchtime nurture group three times a week.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Fine motor group twice a week, 15 minutes.",
        "Termly visit from the sensory support teacher.",
    ),
}

EXPECTED_IMPACT = (
    "Closes part of the gap with others by the review, shown in the targets and the next assessment window.",
    "Spends more of each lesson learning and less time out of class; targets met or partly met.",
    "Can do more independently in class, so adult help moves to new steps.",
)

DO_NOTES = (
    "Small-group sessions started three times a week.",
    "Visual timetable now on the desk and used every lesson.",
    "Missed two sessions because of the school trip; caught up the following week.",
    "New seating plan in place; sits at the front near the teacher.",
    "Spoke to parents about practising the same words at home.",
)

REVIEW_SUMMARY = {
    NextStep.CONTINUE: (
        "Good progress on one target; the others are partly met and carry on into the next cycle.",
        "Steady progress but the targets are not yet secure: continue with the same strategies.",
    ),
    NextStep.NEW_CYCLE: (
        "Targets met or nearly met: new targets set for the next steps.",
        "The strategies are working; new targets now build on what has been achieved.",
    ),
}

REVIEW_PUPIL_VIEWS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Feels more confident reading aloud to an adult.",
        "Likes the small group and wants to keep going.",
    ),
    BroadArea.COMMUNICATION: (
        "Says the help card makes it easier to ask for help.",
        "Likes the visual timetable and wants to keep it.",
    ),
    BroadArea.SEMH: (
        "Finds the time-out card useful but wants to use it less.",
        "Says mornings are easier since the job at the start of the lesson.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Says the printed sheets mean less copying and less of an aching hand.",
        "Likes sitting at the front and wants to keep the same seat.",
    ),
}

REVIEW_PARENT_VIEWS = (
    "Parents are pleased with progress and have noticed the difference at home.",
    "Mum would like more practice ideas to use at home.",
    "Parents agree with the next targets.",
    "Dad is happy with the plan and asked for a copy of the new targets.",
)

# (skill, measure, baseline, success criterion, phase: "" for any, "primary" or "secondary").
TARGETS: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    BroadArea.COGNITION: (
        (
            "Read aloud the Year 2 common exception words",
            "Timed check of the 64 words with the teaching assistant each fortnight",
            "Reads 18 of the 64 words correctly",
            "Reads 50 of the 64 words correctly in two checks in a row",
            "primary",
        ),
        (
            "Recall addition and subtraction facts within 10",
            "Weekly two-minute check of 20 facts",
            "Answers 8 of 20 correctly",
            "Answers 18 of 20 correctly in two weekly checks in a row",
            "primary",
        ),
        (
            "Blend sounds to read CVC and CCVC words",
            "Phonics check using the school's decodable word list of 40 words",
            "Blends 12 of 40 words",
            "Blends 35 of 40 words",
            "primary",
        ),
        (
            "Write a sentence that starts with a capital letter and ends with a full stop",
            "Independent writing in three pieces of work each week",
            "Uses both in 1 of 5 sentences",
            "Uses both in 4 out of 5 sentences across three pieces of work",
            "",
        ),
        (
            "Recall the 2, 5 and 10 times tables",
            "Weekly mixed check of 30 questions",
            "Answers 11 of 30 correctly",
            "Answers 27 of 30 correctly within three minutes",
            "",
        ),
        (
            "Use a glossary to find the meaning of key subject words",
            "Teacher check in five lessons each fortnight",
            "Asks an adult for the meaning of every new word",
            "Finds the meaning independently in 4 of 5 lessons",
            "secondary",
        ),
        (
            "Plan an extended answer using a writing frame",
            "Planning sheet checked in three extended answers each half term",
            "Plans 1 of 3 answers with adult help",
            "Plans 3 of 3 answers independently",
            "secondary",
        ),
    ),
    BroadArea.COMMUNICATION: (
        (
            "Follow a two-part spoken instruction given to the whole class",
            "Adult observation in five lessons each fortnight",
            "Follows the first part only, in most lessons",
            "Follows both parts without adult prompts in 4 of 5 observed lessons",
            "",
        ),
        (
            "Ask an adult for help using the help card",
            "Tally of help card use kept by the teaching assistant",
            "Waits silently or leaves the seat when stuck",
            "Uses the help card at least 3 times a week for four weeks",
            "",
        ),
        (
            "Take turns in a small-group conversation",
            "Observation in the weekly language group",
            "Takes a turn when prompted 2 times in a session",
            "Takes 5 turns in a session without prompts",
            "",
        ),
        (
            "Use 'because' to explain an answer in a spoken sentence",
            "Teacher records in five whole-class discussions each fortnight",
            "Gives one-word answers",
            "Gives a 'because' sentence in 3 of 5 discussions",
            "",
        ),
        (
            "Move between lessons using the visual timetable",
            "Form tutor's weekly check of the timetable card",
            "Arrives late or distressed to 4 lessons a week",
            "Arrives on time and calm to all lessons for three weeks in a row",
            "secondary",
        ),
    ),
    BroadArea.SEMH: (
        (
            "Start the first task within five minutes of arriving in the lesson",
            "Start time noted by the class teacher",
            "Starts after 10 to 15 minutes",
            "Starts within 5 minutes in 8 of 10 lessons",
            "",
        ),
        (
            "Use the time-out card instead of leaving the room",
            "Incident log and time-out card tally",
            "Leaves the room 4 times a week",
            "Leaves the room no more than once a week for four weeks",
            "",
        ),
        (
            "Name the feeling and choose a calming strategy from the feelings board",
            "Check-ins with the learning mentor, recorded weekly",
            "Names the feeling in 1 of 5 check-ins",
            "Names the feeling and a strategy in 4 of 5 check-ins",
            "",
        ),
        (
            "Join a structured lunchtime activity with others",
            "Lunchtime supervisor's weekly record",
            "Joins in once a fortnight",
            "Joins in at least 3 times a week",
            "",
        ),
    ),
    BroadArea.SENSORY_PHYSICAL: (
        (
            "Form lower-case letters correctly on a line",
            "Handwriting sample each fortnight",
            "Forms 10 of 26 letters correctly",
            "Forms 22 of 26 letters correctly",
            "",
        ),
        (
            "Set up the radio aid with the teacher at the start of each lesson",
            "Teaching assistant's daily tick sheet",
            "Needs reminding in most lessons",
            "Sets it up without reminders in every lesson for three weeks",
            "",
        ),
        (
            "Copy homework from the board into the planner",
            "Planner checked by the form tutor each week",
            "Copies 1 of 5 homework tasks accurately",
            "Copies 5 of 5 homework tasks accurately for three weeks",
            "secondary",
        ),
        (
            "Use a keyboard to write up extended answers",
            "Typed pieces of work checked by the teacher each week",
            "Types 5 words a minute with two fingers",
            "Types 15 words a minute in three checks in a row",
            "",
        ),
        (
            "Get changed for PE within the time allowed",
            "PE teacher's record each lesson",
            "Takes 15 minutes with adult help",
            "Changes in under 8 minutes with no adult help",
            "",
        ),
    ),
}

PROGRESS_NOTES = (
    "Good session: managed it twice with one prompt.",
    "Steady progress this fortnight; still needs the visual prompt.",
    "Harder week after a change in routine; back on track by Friday.",
    "Met the step in 2 lessons out of 5.",
    "Check shows clear progress since the baseline.",
    "Managed it independently for the first time today.",
    "Absent for two sessions; no change since the last check.",
)

PROGRESS_EVIDENCE = (
    "Teaching assistant's tally sheet.",
    "Work in books.",
    "Weekly check score sheet.",
    "Observation notes.",
    "",
)

WHO_ATTENDED: dict[str, tuple[str, ...]] = {
    "primary": (
        "Mum, class teacher and SENCo",
        "Dad and the class teacher",
        "Both parents, the class teacher and the teaching assistant",
        "Mum and the SENCo (by phone)",
        "Grandmother (carer), class teacher and SENCo",
    ),
    "secondary": (
        "Mum, form tutor and SENCo",
        "Dad and the English teacher",
        "Both parents, the pupil and the SENCo",
        "Mum and the SENCo (by phone)",
        "Carer, head of year and SENCo",
    ),
}

MEETING_DISCUSSED = (
    "Progress against each target, the latest assessment results and how things are at home.",
    "The plan's strategies, what is working in class and what parents see at home.",
    "Attendance, friendships and the move to the next year group.",
    "The new targets and how parents can help at home.",
)

MEETING_ACTIONS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Teacher to send the word list home each Friday; review the targets at the next meeting.",
        "Parents to practise number facts for ten minutes a day; teacher to send a progress note each half "
        "term.",
    ),
    BroadArea.COMMUNICATION: (
        "SENCo to ask the speech and language service for advice; parents to share what works at home.",
        "School to send the visual timetable home so the same pictures are used at home.",
    ),
    BroadArea.SEMH: (
        "Keep the time-out card; learning mentor to meet the pupil weekly; next meeting in six weeks.",
        "Parents and school to use the same feelings words; SENCo to ask the mental health support team "
        "for advice.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Try the new seating plan for a month and report back.",
        "SENCo to book the sensory support teacher's visit; parents to send in the new glasses' case.",
    ),
}

MEETING_PUPIL_VIEWS = (
    "Likes the small group and the help card.",
    "Would like more time on the computer to write.",
    "Says lunchtimes are better now.",
    "",
)

PASSPORT_HELPS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "Say instructions one at a time and check I have understood. Let me use cubes and a number line. "
        "Give me a word bank and sentence starters.",
        "Show me a worked example. Give me extra time to read. Don't ask me to read aloud without warning.",
    ),
    BroadArea.COMMUNICATION: (
        "Say my name before giving an instruction. Use pictures and a now-and-next card. Warn me before "
        "anything changes.",
        "Give me thinking time before I answer. Pair me with someone I know for talk tasks.",
    ),
    BroadArea.SEMH: (
        "Greet me quietly at the door. Let me use my time-out card without a fuss. Praise me privately.",
        "Give me a job at the start of the lesson. Check in with me after the first task.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "Sit me at the front, facing you. Give me a printed copy of the board. Face me when you speak.",
        "Let me use my sloped board and pencil grip. Give me printed questions so I copy less.",
    ),
}

PASSPORT_NEEDS: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: (
        "I find reading and remembering new words hard.",
        "I lose track when there are lots of steps.",
    ),
    BroadArea.COMMUNICATION: (
        "I find it hard to follow long instructions and to say what I mean.",
        "Changes to my day worry me.",
    ),
    BroadArea.SEMH: (
        "When work feels too hard I get upset and want to leave the room.",
        "I worry a lot, especially at the start of the day.",
    ),
    BroadArea.SENSORY_PHYSICAL: (
        "I can't hear well when it is noisy.",
        "Writing makes my hand ache and I am slow to copy.",
    ),
}
