"""The graduated approach in the demo: concerns, first responses, SEN support, plans, meetings and passports.

Runs after the loader has written the roll, classes and sets, the register and the assessments, inside the
same transaction. It reads those back (a few queries for the whole trust), decides everything for each
school from its own random stream, then writes with `bulk_create`. Every record follows the rules the
services enforce: the accountable teacher teaches the pupil now and holds the teacher role (a teaching
assistant never does), a plan is reviewed within a year of starting and only one is open per pupil, a
target falls due on or before its plan's review and passes the SMART check on the day the plan was written,
a parent meeting is led by one of the pupil's teachers or the SENCo, and nothing that happened is dated
after the demo's "today" (`as_of`).

So that a new user sees every page populated, each school gets every stage: concerns in each status (some
raised by teaching assistants), first responses open, due and reviewed with each outcome, decisions to start
SEN support (a few pupils' support began before Tandem and has none), open, overdue and reviewed plan
cycles with targets carried forward, a spread of parent meetings this year, and passports that some adults
have read and some have not. The teacher and teaching assistant printed in the demo sign-ins always have
something waiting on their to-do list.

The text comes from small banks of plain-English sentences; none of it names a pupil.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tandem.demo.facts import SchoolFacts, school_facts
from tandem.plans.models import NextStep, ParentMeeting, SupportPlan, Target, TargetOutcome, TargetProgress
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.provision.models import Intervention, Placement
from tandem.register.models import (
    BroadArea,
    Concern,
    ConcernStatus,
    Passport,
    PassportRead,
    Provision,
    SenNeed,
    SenSupportDecision,
)

T = TypeVar("T")

_BATCH = 2_000
DAY = dt.timedelta(days=1)

AREAS: tuple[str, ...] = (
    BroadArea.COGNITION,
    BroadArea.COMMUNICATION,
    BroadArea.SEMH,
    BroadArea.SENSORY_PHYSICAL,
)
# How often each area comes up in a concern about a pupil with no SEN.
_CONCERN_AREA_WEIGHTS = (0.38, 0.24, 0.28, 0.10)

# First-response states: open (review ahead), open and due, and reviewed with each outcome.
OPEN_AHEAD, OPEN_DUE = "open_ahead", "open_due"
RESOLVED, CONTINUE, REFER = (o.value for o in ResponseOutcome)
_FR_STATES = (OPEN_AHEAD, OPEN_DUE, RESOLVED, CONTINUE, REFER)
_FR_STATE_WEIGHTS = (0.3, 0.2, 0.2, 0.15, 0.15)

# Plan shapes: one open cycle in date; an open cycle past its review; a reviewed cycle and an open one.
PLAN_OPEN, PLAN_OVERDUE, PLAN_CONTINUED, PLAN_NEW_CYCLE, PLAN_SOON = (
    "open",
    "overdue",
    "continued",
    "new_cycle",
    "soon",
)


# =========================================================================================== text banks
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
    RESOLVED: (
        "Back in line with the class on the last two checks; the adjustments become part of everyday "
        "teaching.",
        "Clear progress over six weeks: now manages this without the extra support in most lessons.",
        "Parents see the same improvement at home. No further action beyond good classroom practice.",
    ),
    CONTINUE: (
        "Some progress but not yet secure: keep the adjustments for another six weeks and review again.",
        "Better in small groups but not yet in whole-class lessons: continue, with one more adjustment.",
    ),
    REFER: (
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


# Where there are sets, the teacher of the nearest subject answers for a learning or language need.
_SUBJECTS_FOR_AREA: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: ("english", "maths"),
    BroadArea.COMMUNICATION: ("english",),
}
_TARGET_BY_SKILL = {t[0]: t for bank in TARGETS.values() for t in bank}


# ============================================================================================== writing
@dataclass
class _Rows:
    concerns: list[Concern] = field(default_factory=list)
    responses: list[FirstResponse] = field(default_factory=list)
    follow_ons: list[FirstResponse] = field(default_factory=list)
    decisions: list[SenSupportDecision] = field(default_factory=list)
    plans: list[SupportPlan] = field(default_factory=list)
    next_plans: list[SupportPlan] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    carried: list[Target] = field(default_factory=list)
    progress: list[TargetProgress] = field(default_factory=list)
    meetings: list[ParentMeeting] = field(default_factory=list)
    passports: list[Passport] = field(default_factory=list)
    reads: list[PassportRead] = field(default_factory=list)
    target_staff: list[tuple[uuid.UUID, int]] = field(default_factory=list)  # (target, supporting user)

    def save(self) -> dict[str, int]:
        """Write in dependency order; every id is set already (UUIDs), so links need no read-back."""
        Concern.objects.bulk_create(self.concerns, batch_size=_BATCH)
        FirstResponse.objects.bulk_create(self.responses, batch_size=_BATCH)
        FirstResponse.objects.bulk_create(self.follow_ons, batch_size=_BATCH)
        SenSupportDecision.objects.bulk_create(self.decisions, batch_size=_BATCH)
        SupportPlan.objects.bulk_create(self.plans, batch_size=_BATCH)
        SupportPlan.objects.bulk_create(self.next_plans, batch_size=_BATCH)
        Target.objects.bulk_create(self.targets, batch_size=_BATCH)
        Target.objects.bulk_create(self.carried, batch_size=_BATCH)
        links = Target.supporting_staff.through
        links.objects.bulk_create(
            (links(target_id=target, user_id=user) for target, user in self.target_staff), batch_size=_BATCH
        )
        TargetProgress.objects.bulk_create(self.progress, batch_size=_BATCH)
        ParentMeeting.objects.bulk_create(self.meetings, batch_size=_BATCH)
        Passport.objects.bulk_create(self.passports, batch_size=_BATCH)
        PassportRead.objects.bulk_create(self.reads, batch_size=_BATCH)
        return {
            "concerns": len(self.concerns),
            "first responses": len(self.responses) + len(self.follow_ons),
            "SEN support decisions": len(self.decisions),
            "support plans": len(self.plans) + len(self.next_plans),
            "targets": len(self.targets) + len(self.carried),
            "target progress": len(self.progress),
            "parent meetings": len(self.meetings),
            "passports": len(self.passports),
            "passport reads": len(self.reads),
        }


def write_graduated_approach(*, trust_id: int, as_of: dt.date, seed: int) -> dict[str, int]:
    """Write every stage of the graduated approach for each school of the trust; rows written by table.

    Deterministic for a given seed and database (each school draws from its own stream), and linear in
    the number of pupils: a few thousand rows for a large secondary.
    """
    rows = _Rows()
    for facts in school_facts(trust_id, as_of):
        rng = random.Random(f"tandem-demo-graduated/{seed}/{facts.index}")
        _School(facts, as_of, rng, rows).build()
    return rows.save()


def link_plan_interventions(*, trust_id: int, seed: int) -> dict[str, int]:
    """Each plan names interventions from its school's catalogue, in place of the words it was written
    with: those its pupil has a place in, else one for the area of the pupil's primary need. Run once the
    catalogue is written (after the plans: the interventions demo places the pupils the plans are about).
    Every cycle of a pupil's plan names the same ones, as a review carries them into the next cycle."""
    catalogue: dict[tuple[int, str], list[tuple[uuid.UUID, str]]] = defaultdict(list)
    names: dict[uuid.UUID, str] = {}
    for pk, school_id, area, name in (
        Intervention.objects.filter(school__trust_id=trust_id, is_active=True)
        .order_by("school_id", "name")
        .values_list("id", "school_id", "area", "name")
    ):
        catalogue[(school_id, area)].append((pk, name))
        names[pk] = name
    attends: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for pupil_id, intervention_id in Placement.objects.filter(school__trust_id=trust_id).values_list(
        "pupil_id", "group__intervention_id"
    ):
        attends[pupil_id].add(intervention_id)
    area_of = dict(
        SenNeed.objects.filter(school__trust_id=trust_id, ends_on__isnull=True, rank=1).values_list(
            "pupil_id", "need_type__broad_area"
        )
    )
    plans = list(
        SupportPlan.objects.filter(school__trust_id=trust_id)
        .order_by("school_id", "pupil_id", "cycle")
        .only("id", "school_id", "pupil_id", "interventions", "other_interventions")
    )
    rng = random.Random(f"tandem-demo-plan-interventions/{seed}")
    chosen: dict[uuid.UUID, list[uuid.UUID]] = {}
    links = SupportPlan.catalogue_interventions.through
    rows: list[Any] = []
    changed: list[SupportPlan] = []
    for plan in plans:
        if plan.pupil_id not in chosen:
            placed = sorted(i for i in attends[plan.pupil_id] if i in names)
            offered = catalogue.get((plan.school_id, area_of.get(plan.pupil_id, "")), [])
            chosen[plan.pupil_id] = placed or ([rng.choice(offered)[0]] if offered else [])
        picked = sorted(chosen[plan.pupil_id], key=lambda pk: names[pk].casefold())
        if picked:
            plan.other_interventions = ""
            plan.interventions = ", ".join(names[pk] for pk in picked)
            rows.extend(links(supportplan_id=plan.pk, intervention_id=pk) for pk in picked)
            changed.append(plan)
    SupportPlan.objects.bulk_update(changed, ["interventions", "other_interventions"], batch_size=_BATCH)
    links.objects.bulk_create(rows, batch_size=_BATCH)
    return {"interventions named by plans": len(rows)}


@dataclass
class _Plan:
    plan: SupportPlan
    targets: list[Target]


class _School:
    def __init__(self, facts: SchoolFacts, as_of: dt.date, rng: random.Random, rows: _Rows) -> None:
        self.f = facts
        self.as_of = as_of
        self.r = rng
        self.rows = rows
        self.year_start = dt.date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
        self.school_id = facts.id
        # Pupils the loader's representative sign-ins must see something for.
        self.showcase: dict[str, uuid.UUID] = {}
        self.plans_of: dict[uuid.UUID, list[SupportPlan]] = {}
        self.areas: dict[uuid.UUID, str] = {}

    # ------------------------------------------------------------------ small helpers
    def pick(self, items: Sequence[T]) -> T:
        return items[self.r.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.r.randint(lo, hi))

    def ago(self, lo: int, hi: int) -> dt.date:
        return self.as_of - self.days(lo, hi)

    def back(self, lo: int, hi: int, *, lead: int = 0) -> dt.date:
        """A day lo to hi days ago: inside this school year, `lead` days into it, when there is room."""
        room = (self.as_of - self.year_start).days - lead
        return self.ago(lo, min(hi, room) if room >= lo + 7 else hi)

    def school_day(
        self, day: dt.date, earliest: dt.date = dt.date.min, latest: dt.date | None = None
    ) -> dt.date:
        """A weekend day moved into the week before it, or else to the Monday after, within the bounds."""
        if day.weekday() < 5:
            return day
        weekday = day - dt.timedelta(days=day.weekday() - 4 + self.r.randint(0, 4))
        if weekday >= earliest:
            return weekday
        monday = day + dt.timedelta(days=7 - day.weekday())
        return monday if monday <= min(latest or self.as_of, self.as_of) else day

    def area_of(self, pupil: uuid.UUID) -> str:
        """The broad area of the pupil's primary need; when uncategorised, one of the four, kept per pupil."""
        if pupil not in self.areas:
            area = self.f.area.get(pupil, "")
            self.areas[pupil] = area if area in AREAS else self.pick(AREAS)
        return self.areas[pupil]

    def teacher_for(self, pupil: uuid.UUID, area: str) -> int:
        """One of the pupil's teachers, the one for the subject closest to the need where there are sets."""
        by_subject = self.f.by_subject.get(pupil, {})
        preferred = _SUBJECTS_FOR_AREA.get(area, ())
        choices = [u for s in preferred for u in by_subject.get(s, [])]
        return self.pick(choices or self.f.teachers[pupil])

    def subject_for(self, pupil: uuid.UUID, area: str) -> tuple[str | None, int]:
        """(subject, teacher) for a first response: a subject for learning needs, none for the rest."""
        by_subject = self.f.by_subject.get(pupil, {})
        if area != BroadArea.COGNITION:
            return None, self.teacher_for(pupil, area)
        if by_subject.get(""):  # a primary class: its teacher teaches everything
            return self.pick(("reading", "writing", "maths")), self.pick(by_subject[""])
        options = [(s, u) for s in ("english", "maths") for u in by_subject.get(s, [])]
        if not options:
            return None, self.teacher_for(pupil, area)
        return self.pick(options)

    def subject_taught_by(self, pupil: uuid.UUID, area: str, teacher: int) -> str | None:
        if area != BroadArea.COGNITION:
            return None
        for subject, teachers in sorted(self.f.by_subject.get(pupil, {}).items()):
            if teacher in teachers:
                if not subject:
                    return self.pick(("reading", "writing", "maths"))
                if subject in ("english", "maths"):
                    return subject
        return None

    def adult_for_progress(self, pupil: uuid.UUID, teacher: int) -> int:
        tas = self.f.tas.get(pupil, [])
        return self.pick(tas) if tas and self.chance(0.5) else teacher

    # ------------------------------------------------------------------ the school
    def build(self) -> None:
        f = self.f
        taught = [p for p in f.pupils if f.teachers.get(p)]
        no_sen = [p for p in taught if f.provision.get(p, Provision.NONE) == Provision.NONE]
        k = [p for p in taught if f.provision.get(p) == Provision.SEN_SUPPORT]
        e = [p for p in taught if f.provision.get(p) == Provision.EHC_PLAN]
        self._pick_showcase(no_sen, k + e)
        self._concerns_and_responses(no_sen)
        self._sen_support_concerns(k)
        self._decisions(k)
        self._plans(k, e)
        self._meetings(k)
        self._passports(k + e)

    def _pick_showcase(self, no_sen: list[uuid.UUID], register: list[uuid.UUID]) -> None:
        teacher, ta = self.f.showcase_teacher, self.f.showcase_ta
        if teacher is not None:
            mine = [p for p in no_sen if teacher in self.f.teachers[p]]
            self.r.shuffle(mine)
            if mine:
                self.showcase["concern"] = mine[0]
            if len(mine) > 1:
                self.showcase["response"] = mine[1]
            on_register = [p for p in register if teacher in self.f.teachers[p]]
            k = [p for p in on_register if self.f.provision[p] == Provision.SEN_SUPPORT]
            if k or on_register:
                self.showcase["plan"] = self.pick(k or on_register)
            if on_register:
                self.showcase["passport_teacher"] = self.pick(on_register)
        if ta is not None:
            supported = [p for p in register if ta in self.f.tas.get(p, [])]
            if supported:
                self.showcase["passport_ta"] = self.pick(supported)

    # ------------------------------------------------------------------ concerns and first responses
    def _concerns_and_responses(self, no_sen: list[uuid.UUID]) -> None:
        """About one pupil in nine with no SEN has a concern, a first response or both."""
        # (concern status or "", first-response state or ""): every combination a page needs, then a mix.
        needed: list[tuple[str, str]] = [
            (ConcernStatus.OPEN, ""),
            (ConcernStatus.OPEN, ""),
            (ConcernStatus.NO_ACTION, ""),
            (ConcernStatus.REFERRED, ""),
            (ConcernStatus.FIRST_RESPONSE, OPEN_AHEAD),
            (ConcernStatus.FIRST_RESPONSE, OPEN_DUE),
            (ConcernStatus.FIRST_RESPONSE, CONTINUE),
            ("", RESOLVED),
            ("", CONTINUE),
            ("", REFER),
            ("", OPEN_DUE),
            ("", OPEN_AHEAD),
        ]
        forced = {
            self.showcase.get("concern"): (ConcernStatus.OPEN, ""),
            self.showcase.get("response"): ("", OPEN_DUE),
        }
        forced.pop(None, None)
        others = [p for p in no_sen if p not in forced]
        self.r.shuffle(others)
        count = max(min(len(needed), len(no_sen) // 2), round(0.11 * len(no_sen))) - len(forced)
        chosen = others[: max(count, 0)]
        stories: list[tuple[uuid.UUID, tuple[str, str]]] = [
            (p, s) for p, s in forced.items() if p is not None
        ]
        for i, pupil in enumerate(chosen):
            stories.append((pupil, needed[i] if i < len(needed) else self._random_story()))
        ta_raised = False
        for pupil, (status, state) in stories:
            area = self.r.choices(AREAS, weights=_CONCERN_AREA_WEIGHTS)[0]
            concern = None
            if status:
                by_ta = status == ConcernStatus.OPEN and bool(self.f.tas.get(pupil)) and self.chance(0.4)
                concern = self._concern(pupil, area, status, raised_by_ta=by_ta)
                ta_raised = ta_raised or by_ta
            if state:
                teacher = self.f.showcase_teacher if pupil == self.showcase.get("response") else None
                self._response(pupil, area, state, concern=concern, teacher=teacher)
        if not ta_raised:  # teaching assistants raise concerns too: make sure one shows
            storied = {p for p, _ in stories}
            supported = [p for p in no_sen if self.f.tas.get(p) and p not in storied]
            if supported:
                area = self.r.choices(AREAS, weights=_CONCERN_AREA_WEIGHTS)[0]
                self._concern(self.pick(supported), area, ConcernStatus.OPEN, raised_by_ta=True)

    def _random_story(self) -> tuple[str, str]:
        state = self.r.choices(_FR_STATES, weights=_FR_STATE_WEIGHTS)[0]
        return self.r.choices(
            [
                (ConcernStatus.OPEN, ""),
                (ConcernStatus.NO_ACTION, ""),
                (ConcernStatus.REFERRED, ""),
                (ConcernStatus.FIRST_RESPONSE, state),
                ("", state),
            ],
            weights=(0.2, 0.1, 0.06, 0.29, 0.35),
        )[0]

    def _concern(self, pupil: uuid.UUID, area: str, status: str, *, raised_by_ta: bool) -> Concern:
        teacher = self.teacher_for(pupil, area)
        if pupil == self.showcase.get("concern") and self.f.showcase_teacher is not None:
            teacher = self.f.showcase_teacher
        raised_by = self.pick(self.f.tas[pupil]) if raised_by_ta else teacher
        concern = Concern(
            pupil_id=pupil,
            school_id=self.school_id,
            raised_by_id=raised_by,
            area=area,
            observed=self.pick(CONCERN_OBSERVED[area]),
            evidence=self.pick(CONCERN_EVIDENCE),
            status=status,
        )
        if status == ConcernStatus.OPEN:
            concern.raised_on = self.school_day(self.back(0, 25))
        elif status == ConcernStatus.FIRST_RESPONSE:
            concern.raised_on = self.as_of  # set from the first response's start below
            concern.next_step_note = self.pick(FIRST_RESPONSE_NOTES)
            concern.next_step_by_id = teacher
        else:
            concern.raised_on = self.school_day(self.back(12, 110))
            concern.next_step_on = min(concern.raised_on + self.days(2, 10), self.as_of)
            concern.next_step_by_id = teacher
            if status == ConcernStatus.NO_ACTION:
                concern.next_step_note = self.pick(NO_ACTION_NOTES[area])
            else:
                concern.next_step_note = self.pick(REFERRED_NOTES)
        self.rows.concerns.append(concern)
        return concern

    def _response(
        self,
        pupil: uuid.UUID,
        area: str,
        state: str,
        *,
        concern: Concern | None = None,
        teacher: int | None = None,
        reviewed_by: dt.date | None = None,
    ) -> FirstResponse:
        if teacher is None:
            subject, teacher = self.subject_for(pupil, area)
        else:
            subject = self.subject_taught_by(pupil, area, teacher)
        weakness, adjustments = self.pick(RESPONSES[area])
        length = self.days(35, 49)
        if reviewed_by is not None:  # reviewed shortly before a later step, e.g. the SEN support decision
            reviewed_on = reviewed_by
            review_on = reviewed_on - self.days(0, 4)
        elif state == OPEN_AHEAD:
            review_on = self.as_of + self.days(10, 35)
        elif state == OPEN_DUE:
            review_on = self.back(0, 20, lead=49)
        else:
            review_on = self.back(10, 110, lead=60)
            reviewed_on = min(review_on + self.days(0, 5), self.as_of)
        starts_on = min(review_on - length, self.as_of)
        response = FirstResponse(
            pupil_id=pupil,
            school_id=self.school_id,
            accountable_teacher_id=teacher,
            subject_id=subject,
            weakness=weakness,
            adjustments=adjustments,
            starts_on=starts_on,
            review_on=review_on,
            concern=concern,
            created_by_id=teacher,
        )
        if state in (RESOLVED, CONTINUE, REFER):
            response.outcome = state
            response.outcome_note = self.pick(OUTCOME_NOTES[state])
            response.reviewed_on = reviewed_on
            response.reviewed_by_id = teacher
        if concern is not None:
            concern.raised_on = starts_on - self.days(1, 10)
            concern.next_step_on = starts_on
        self.rows.responses.append(response)
        if state == CONTINUE:
            assert response.reviewed_on is not None
            follow_on = FirstResponse(
                pupil_id=pupil,
                school_id=self.school_id,
                accountable_teacher_id=teacher,
                subject_id=response.subject_id,
                weakness=weakness,
                adjustments=adjustments + self.pick(MORE_ADJUSTMENTS),
                starts_on=response.reviewed_on,
                review_on=response.reviewed_on + self.days(35, 49),
                concern=concern,
                follows=response,
                created_by_id=teacher,
            )
            self.rows.follow_ons.append(follow_on)
        return response

    def _sen_support_concerns(self, k: list[uuid.UUID]) -> None:
        """A few pupils on SEN support have a new concern in another area."""
        chosen = self.r.sample(k, min(len(k), max(1, round(0.06 * len(k))))) if k else []
        for pupil in chosen:
            own = self.f.area.get(pupil)
            area = self.pick([a for a in AREAS if a != own])
            status = ConcernStatus.OPEN if self.chance(0.6) else ConcernStatus.REFERRED
            self._concern(pupil, area, status, raised_by_ta=bool(self.f.tas.get(pupil)) and self.chance(0.3))

    # ------------------------------------------------------------------ SEN support
    def _decisions(self, k: list[uuid.UUID]) -> None:
        """The SENCo's decision for most pupils on SEN support; a few began before Tandem and have none."""
        if self.f.senco is None:
            return
        pupils = list(k)
        self.r.shuffle(pupils)
        without = max(1, round(0.1 * len(pupils))) if len(pupils) >= 3 else 0
        for pupil in pupils[without:]:
            period_id, starts_on = self.f.period[pupil]
            area = self.area_of(pupil)
            informed = min(starts_on + self.days(0, 6), self.as_of)
            self.rows.decisions.append(
                SenSupportDecision(
                    pupil_id=pupil,
                    school_id=self.school_id,
                    decided_on=starts_on,
                    decided_by_id=self.f.senco,
                    evidence=self.pick(DECISION_EVIDENCE[area]),
                    pupil_views=self.pick(PUPIL_VIEWS[area]),
                    parent_views=self.pick(PARENT_VIEWS),
                    parents_informed_on=informed,
                    parent_note=self.pick(PARENT_NOTES).format(need=NEED_PHRASE[area]),
                    period_id=period_id,
                )
            )
            # Support that began this year shows the first response tried before it (Code 6.19).
            if starts_on >= self.year_start + dt.timedelta(days=50) and self.chance(0.6):
                self._response(pupil, area, REFER, reviewed_by=starts_on - self.days(1, 7))

    def _plans(self, k: list[uuid.UUID], e: list[uuid.UUID]) -> None:
        """Plans for most pupils on SEN support and some with an EHC plan; a few on SEN support have none."""
        pupils = list(k)
        self.r.shuffle(pupils)
        showcase = self.showcase.get("plan")
        if showcase in pupils:
            pupils.remove(showcase)
        without = max(1, round(0.07 * len(pupils))) if len(pupils) >= 4 else 0
        needed = [PLAN_CONTINUED, PLAN_NEW_CYCLE, PLAN_OVERDUE, PLAN_OPEN]
        if showcase is not None:
            self._plan(showcase, PLAN_SOON, teacher=self.f.showcase_teacher)
        for pupil in pupils[without:]:
            fits = [s for s in needed if self._fits(pupil, s)]
            if fits:
                shape = fits[0]
                needed.remove(shape)
            else:
                shape = self.r.choices(
                    (PLAN_OPEN, PLAN_OVERDUE, PLAN_CONTINUED, PLAN_NEW_CYCLE), weights=(0.5, 0.15, 0.2, 0.15)
                )[0]
            self._plan(pupil, shape if self._fits(pupil, shape) else PLAN_OPEN)
        for pupil in e:
            if pupil != showcase and self.chance(0.3):
                shape = PLAN_OPEN if self.chance(0.8) else PLAN_OVERDUE
                self._plan(pupil, shape if self._fits(pupil, shape) else PLAN_OPEN)

    def _fits(self, pupil: uuid.UUID, shape: str) -> bool:
        """Whether the pupil has been on the register long enough for this shape of plan history."""
        room = (self.as_of - self.f.period[pupil][1]).days
        return room >= {PLAN_OVERDUE: 110, PLAN_CONTINUED: 150, PLAN_NEW_CYCLE: 150}.get(shape, 0)

    def _plan(self, pupil: uuid.UUID, shape: str, *, teacher: int | None = None) -> None:
        area = self.area_of(pupil)
        teacher = teacher or self.teacher_for(pupil, area)
        earliest = self.f.period[pupil][1]  # plans follow the start of SEN support
        cycle_days = self.days(70, 100)
        if shape in (PLAN_CONTINUED, PLAN_NEW_CYCLE):
            reviewed_on = min(max(self.back(14, 80), earliest + cycle_days + DAY), self.as_of)
            review_on = reviewed_on - self.days(0, 7)
            starts_on = max(review_on - cycle_days, earliest)
            next_step = NextStep.CONTINUE if shape == PLAN_CONTINUED else NextStep.NEW_CYCLE
            first = self._cycle(pupil, area, teacher, starts_on, review_on, until=reviewed_on)
            self._review(first, reviewed_on, next_step)
            self._cycle(pupil, area, teacher, reviewed_on, reviewed_on + self.days(70, 100), previous=first)
            return
        if shape == PLAN_OVERDUE:
            review_on = max(self.ago(1, 30), earliest + DAY)
            starts_on = max(review_on - cycle_days, earliest)
        elif shape == PLAN_SOON:
            review_on = self.as_of + self.days(3, 18)
            starts_on = min(max(review_on - cycle_days, earliest), self.as_of)
        else:
            starts_on = min(max(self.as_of - cycle_days + self.days(8, 60), earliest), self.as_of)
            review_on = max(starts_on + cycle_days, self.as_of + self.days(8, 40))
        self._cycle(pupil, area, teacher, starts_on, review_on)

    def _cycle(
        self,
        pupil: uuid.UUID,
        area: str,
        teacher: int,
        starts_on: dt.date,
        review_on: dt.date,
        *,
        previous: _Plan | None = None,
        until: dt.date | None = None,
    ) -> _Plan:
        """One plan cycle with its targets and their progress, recorded up to `until` (default today)."""
        assert starts_on < review_on <= starts_on + dt.timedelta(days=366), (starts_on, review_on)
        until = min(until or self.as_of, self.as_of)
        if previous is None:
            plan = SupportPlan(
                cycle=1,
                summary=self.pick(PLAN_SUMMARY[area]),
                strengths=self.pick(STRENGTHS),
                needs=self.pick(NEEDS[area]),
                pupil_views=self.pick(PUPIL_VIEWS[area]),
                parent_views=self.pick(PARENT_VIEWS),
                evidence=self.pick(DECISION_EVIDENCE[area]),
                strategies=self.pick(STRATEGIES[area]),
                interventions=self.pick(INTERVENTIONS[area]),
                expected_impact=self.pick(EXPECTED_IMPACT),
            )
            # In words until the catalogue is written: link_plan_interventions then chooses from it.
            plan.other_interventions = plan.interventions
        else:  # the next cycle starts from the review, as the service does
            old = previous.plan
            plan = SupportPlan(
                cycle=old.cycle + 1,
                previous=old,
                summary=old.review_summary,
                strengths=old.strengths,
                needs=old.needs,
                pupil_views=old.review_pupil_views,
                parent_views=old.review_parent_views,
                evidence=old.evidence,
                strategies=old.strategies,
                interventions=old.interventions,
                other_interventions=old.other_interventions,
                expected_impact=old.expected_impact,
            )
        plan.pupil_id = pupil
        plan.school_id = self.school_id
        plan.accountable_teacher_id = teacher
        plan.starts_on = starts_on
        plan.review_on = review_on
        plan.created_by_id = self.f.senco or teacher
        (self.rows.next_plans if previous else self.rows.plans).append(plan)
        self.plans_of.setdefault(pupil, []).append(plan)
        if self.chance(0.5):
            lines = self.r.sample(DO_NOTES, self.r.randint(1, 2))
            days = sorted(self._days_between(starts_on + DAY, until, len(lines)))
            name = self.f.names.get(teacher, "Class teacher")
            plan.do_notes = "\n".join(
                f"{d:%d %b %Y}, {name}: {line}" for d, line in zip(days, lines, strict=False)
            )

        made = _Plan(plan, [])
        used: set[str] = set()
        if previous is not None:
            used = {t.skill for t in previous.targets}
            if previous.plan.next_step == NextStep.CONTINUE:
                for t in previous.targets:
                    if t.outcome != TargetOutcome.MET:
                        made.targets.append(self._target(plan, t.skill, teacher, review_on, carried_from=t))
        phase_bank = [t[0] for t in TARGETS[area] if t[4] in ("", self.f.phase)]
        carried = {t.skill for t in made.targets}
        # New targets are new where the bank allows; otherwise an earlier one is set again.
        bank = [s for s in phase_bank if s not in used] or [s for s in phase_bank if s not in carried]
        wanted = self.r.choices((1, 2, 3), weights=(0.25, 0.45, 0.3))[0]
        new = max(wanted - len(made.targets), 0 if made.targets else 1)
        for skill in self.r.sample(bank, min(new, len(bank))):
            due = review_on if self.chance(0.6) else review_on - self.days(7, 21)
            if due <= starts_on + dt.timedelta(days=7):
                due = review_on
            others = [u for u in self.f.teachers[pupil] if u != teacher]
            owner = self.pick(others) if others and self.chance(0.15) else teacher
            made.targets.append(self._target(plan, skill, owner, due))
        for target in made.targets:
            self._progress(pupil, target, until=until)
        return made

    def _target(
        self, plan: SupportPlan, skill: str, teacher: int, due_on: dt.date, carried_from: Target | None = None
    ) -> Target:
        _, measure, baseline, criterion, _ = _TARGET_BY_SKILL[skill]
        tas = [u for u in self.f.tas.get(plan.pupil_id, []) if u in self.f.names]
        staff: list[int] = []
        other = ""
        if tas and self.chance(0.7):
            staff = tas[:2]
        else:
            other = self.pick(("", "SENCo", "Speech and language therapist (termly visit)"))
            senco = self.f.senco
            if other == "SENCo" and senco is not None and senco in self.f.names:
                staff, other = [senco], ""
        # Chosen from the school's staff, as the service records them; the one line the history keeps.
        staff.sort(key=lambda u: self.f.names[u].casefold())
        supporters = ", ".join([*(self.f.names[u] for u in staff), *([other] if other else [])])
        target = Target(
            plan=plan,
            pupil_id=plan.pupil_id,
            school_id=self.school_id,
            skill=skill,
            measure=measure,
            baseline=baseline,
            success_criterion=criterion,
            due_on=due_on,
            accountable_teacher_id=teacher,
            supporters=supporters,
            other_supporters=other,
            carried_from=carried_from,
        )
        self.rows.target_staff.extend((target.id, user) for user in staff)
        (self.rows.carried if carried_from else self.rows.targets).append(target)
        return target

    def _days_between(self, lo: dt.date, hi: dt.date, count: int) -> list[dt.date]:
        span = (hi - lo).days
        if span < 0:
            return []
        return [
            self.school_day(lo + dt.timedelta(days=self.r.randint(0, span)), lo, hi) for _ in range(count)
        ]

    def _progress(self, pupil: uuid.UUID, target: Target, *, until: dt.date) -> None:
        """Dated progress on about two targets in three, by the teacher or a teaching assistant."""
        if not self.chance(0.65):
            return
        first = target.plan.starts_on + dt.timedelta(days=7)
        for day in sorted(self._days_between(first, until, self.r.randint(1, 3))):
            self.rows.progress.append(
                TargetProgress(
                    target=target,
                    pupil_id=pupil,
                    school_id=self.school_id,
                    recorded_on=day,
                    note=self.pick(PROGRESS_NOTES),
                    evidence=self.pick(PROGRESS_EVIDENCE),
                    recorded_by_id=self.adult_for_progress(pupil, target.accountable_teacher_id),
                )
            )

    def _review(self, made: _Plan, reviewed_on: dt.date, next_step: NextStep) -> None:
        """Review a cycle: how far each target was met, views, and the next step."""
        plan = made.plan
        plan.reviewed_on = reviewed_on
        plan.reviewed_by_id = self.f.senco or plan.accountable_teacher_id
        plan.next_step = next_step
        plan.review_summary = self.pick(REVIEW_SUMMARY[next_step])
        plan.review_pupil_views = self.pick(REVIEW_PUPIL_VIEWS[self.area_of(plan.pupil_id)])
        plan.review_parent_views = self.pick(REVIEW_PARENT_VIEWS)
        outcomes = [self.r.choices(TargetOutcome.values, weights=(0.35, 0.4, 0.25))[0] for _ in made.targets]
        if next_step == NextStep.CONTINUE and all(o == TargetOutcome.MET for o in outcomes):
            outcomes[-1] = TargetOutcome.PARTLY  # "continue" carries on the targets not yet met
        for target, outcome in zip(made.targets, outcomes, strict=True):
            target.outcome = outcome

    # ------------------------------------------------------------------ parent meetings
    def _meetings(self, k: list[uuid.UUID]) -> None:
        """This year's meetings with parents of pupils on SEN support: none, one, two, three or more."""
        pupils = list(k)
        self.r.shuffle(pupils)
        first_day = {p: max(self.year_start, self.f.period[p][1] - dt.timedelta(days=14)) for p in pupils}
        # The first four pupils with room for three meetings have none, one, two and three of them.
        roomy = [p for p in pupils if (self.as_of - first_day[p]).days >= 63][:4]
        forced = {p: n for n, p in enumerate(roomy)}
        for pupil in pupils:
            window = (self.as_of - first_day[pupil]).days
            if window < 0:
                continue
            if pupil in forced:
                count = forced[pupil]
            else:
                count = self.r.choices((0, 1, 2, 3, 4), weights=(0.12, 0.3, 0.3, 0.22, 0.06))[0]
                # Early in the year fewer meetings have happened yet, and they are weeks apart.
                count = sum(self.chance(min(1.0, window / 120)) for _ in range(count))
                count = min(count, 1 + window // 21)
            area = self.area_of(pupil)
            slot = (window + 1) / max(count, 1)
            offsets = [min(window, int(i * slot + self.r.random() * slot)) for i in range(count)]
            start = first_day[pupil]
            held = sorted({self.school_day(start + dt.timedelta(days=o), start) for o in offsets})
            plans = self.plans_of.get(pupil, [])
            teachers = [p.accountable_teacher_id for p in plans] or self.f.teachers[pupil]
            for n, held_on in enumerate(held):
                lead = self.f.senco if self.f.senco is not None and self.chance(0.45) else self.pick(teachers)
                shared = held_on + self.days(0, 7)
                plan = next(
                    (
                        p
                        for p in plans
                        if p.starts_on <= held_on and (p.reviewed_on is None or held_on < p.reviewed_on)
                    ),
                    None,
                )
                following = held[n + 1] if n + 1 < len(held) else held_on + self.days(42, 90)
                self.rows.meetings.append(
                    ParentMeeting(
                        pupil_id=pupil,
                        school_id=self.school_id,
                        plan=plan,
                        held_on=held_on,
                        led_by_id=lead,
                        who_attended=self.pick(WHO_ATTENDED.get(self.f.phase, WHO_ATTENDED["primary"])),
                        parent_views=self.pick(PARENT_VIEWS),
                        pupil_views=self.pick(MEETING_PUPIL_VIEWS),
                        discussed=self.pick(MEETING_DISCUSSED),
                        agreed_actions=self.pick(MEETING_ACTIONS[area]),
                        shared_with_parents_on=shared if shared <= self.as_of and self.chance(0.65) else None,
                        next_meeting_on=following if following > held_on and self.chance(0.6) else None,
                        recorded_by_id=lead,
                    )
                )

    # ------------------------------------------------------------------ passports
    def _passports(self, register: list[uuid.UUID]) -> None:
        """Passports for most pupils on the register, read by some of the adults who work with them."""
        unread_by: dict[uuid.UUID, set[int]] = defaultdict(set)
        for key, user in (
            ("passport_teacher", self.f.showcase_teacher),
            ("passport_ta", self.f.showcase_ta),
        ):
            pupil = self.showcase.get(key)
            if pupil is not None and user is not None:
                unread_by[pupil].add(user)
        for pupil in register:
            keep_unread = unread_by.get(pupil, set())
            if not keep_unread and not self.chance(0.85):
                continue
            area = self.area_of(pupil)
            teachers = self.f.teachers[pupil]
            adults = sorted(set(teachers) | set(self.f.tas.get(pupil, [])))
            second_writers = [u for u in teachers if u not in keep_unread]
            versions = 2 if second_writers and self.chance(0.25) else 1
            for version in range(1, versions + 1):
                last = version == versions
                if version == 1:
                    writer = self.f.senco or self.pick(second_writers or teachers)
                else:
                    writer = self.pick(second_writers)
                passport = Passport(
                    pupil_id=pupil,
                    school_id=self.school_id,
                    version=version,
                    strengths=self.pick(STRENGTHS),
                    needs=" ".join(self.r.sample(PASSPORT_NEEDS[area], self.r.randint(1, 2))),
                    what_helps=self.pick(PASSPORT_HELPS[area]),
                    written_by_id=writer,
                )
                self.rows.passports.append(passport)
                # The author has read what they wrote; others read the older version more often.
                readers = {writer} | {u for u in adults if self.chance(0.55 if last else 0.85)}
                if last:
                    readers -= keep_unread
                self.rows.reads.extend(PassportRead(passport=passport, user_id=u) for u in sorted(readers))
