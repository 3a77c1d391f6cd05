"""Who may do what, and to which records: the one table every view and test reads.

Each row is (role, resource, action) -> scope. No row means no access. Views
declare the (resource, action) they serve with `tandem.access.decorators.allow`;
the test suite walks every URL and fails on a view without a declaration.
"""

from __future__ import annotations

from enum import StrEnum

from tandem.people.models import Role


class Resource(StrEnum):
    HOME = "home"  # the signed-in user's own home page and role switch
    EMAIL_PREFERENCES = "email_preferences"  # which emails the signed-in person gets (their own only)
    PUPIL = "pupil"  # pupil details: names, year, groups, accountable teachers
    SEN_RECORD = "sen_record"  # SEN status history and needs (special-category data)
    REGISTER = "register"  # the SEN register list and its summary
    TEACHING_GROUP = "teaching_group"
    STAFF = "staff"  # staff and their roles at the school (managing: teachers, TAs and school admins)
    # The SENCo and head roles: giving and removing them, and deciding the requests a staff import makes
    # for them. Kept apart from STAFF so the school admin who runs the staff list never holds it.
    ROLE_APPROVAL = "role_approval"
    STAFF_SECURITY = "staff_security"  # resetting a colleague's second factors when they lose their phone
    SIGN_IN_POLICY = "sign_in_policy"  # whether every member of staff must use two-factor sign-in
    TRUST_OVERVIEW = "trust_overview"  # figures per school across a trust
    PROGRESS = "progress"  # Code 6.17 results: growth percentiles, gaps, flags and their reasons
    CONCERN = "concern"  # an emerging difficulty an adult noticed, and what happened next
    FIRST_RESPONSE = "first_response"  # the class teacher's targeted high-quality teaching and its review
    SUPPORT_PLAN = "support_plan"  # assess-plan-do-review cycles, SMART targets and progress against them
    PARENT_MEETING = "parent_meeting"  # meetings with parents and the record given to them
    PASSPORT = "passport"  # the pupil's one-page profile and who has read it
    COMPLIANCE = "compliance"  # the SENCo's view of what the Code requires and what is overdue
    PROGRESS_SETTINGS = "progress_settings"  # the school's or trust's thresholds and tolerances for 6.17
    # Running the 6.17 analysis now (it also runs after every marks import and nightly) and following it.
    ANALYSIS_RUN = "analysis_run"
    INTERVENTION = "intervention"  # the catalogue: what each intervention is, its evidence, dosage and cost
    INTERVENTION_GROUP = "intervention_group"  # running groups, their pupils and placements
    SESSION_LOG = "session_log"  # what happened in each session, and the teacher's acknowledgement
    PROVISION_MAP = "provision_map"  # the school's costed map of additional and different provision
    IMPORT = "import"  # files from the MIS (CSV, Excel, CTF), their previews and import records
    TRANSFER = "transfer"  # Common Transfer Files for pupils who move on (year groups, classes, leavers)
    # The audit trail: who viewed or changed which record, and who was refused (ids, actions, times).
    AUDIT = "audit"
    # Subject access requests: opening one, building its export (every record about the person), answering.
    SUBJECT_ACCESS = "subject_access"
    # The retention schedule: what is due for deletion, legal holds (placing, releasing), a trust's periods.
    RETENTION = "retention"
    # A parent's or carer's own child: the plan, targets, passport, meeting records and provision the school
    # shares with them; their views before a review, their answer to a meeting record, asking for a meeting.
    FAMILY = "family"
    # Which parents and carers are linked to which pupil: inviting them, ending a link, and the requests
    # (views before a review, a meeting asked for) that go to and come from them.
    PARENT_ACCESS = "parent_access"
    # The pupil's own words ("about me": what I am good at, what helps, what is hard, what I want).
    PUPIL_VIEWS = "pupil_views"
    # EHC plans: the local authority's plan (sections B, E and F mapped to needs, targets and provision)
    # and its annual reviews with their statutory deadlines.
    EHC_PLAN = "ehc_plan"
    # Advice from specialists (speech and language, educational psychology, OT, ...) with its documents.
    SPECIALIST_ADVICE = "specialist_advice"
    # Time in the school's inclusion base: sessions, purpose, the teacher who leads, the planned return.
    INCLUSION_BASE = "inclusion_base"
    # The documents leaders publish or show (inclusion strategy, SEN information report, governors' report):
    # drafting them from live data, writing their text, publishing dated versions.
    SCHOOL_DOCUMENT = "school_document"


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"  # add to a record someone else keeps: raise a concern, log target progress, mark as read
    MANAGE = "manage"  # create, change and close the record itself


class Scope(StrEnum):
    NONE = "none"
    SELF = "self"  # only the user's own things (home page, own roles)
    OWN = "own"  # pupils in groups the user teaches, and those groups
    SUPPORTED = "supported"  # pupils in groups the user supports as a TA, and those groups
    SCHOOL = "school"  # everything at the membership's school
    TRUST = "trust"  # everything at the trust's schools
    TRUST_AGGREGATE = "trust_aggregate"  # counts across the trust, never pupil rows
    CHILD = "child"  # a parent's or carer's own children (linked by the SENCo), and only what is shared


R, A, S = Resource, Action, Scope

POLICY: dict[tuple[Role, Resource, Action], Scope] = {
    # Everyone chooses which emails they get, in whichever role they are acting (a head who also teaches
    # gets the teacher's digest): their own choices, never anyone else's.
    **{(role, R.EMAIL_PREFERENCES, A.MANAGE): S.SELF for role in Role},
    # A teacher is accountable for the pupils they teach, and sees their SEN records.
    (Role.TEACHER, R.HOME, A.VIEW): S.SELF,
    (Role.TEACHER, R.PUPIL, A.VIEW): S.OWN,
    (Role.TEACHER, R.SEN_RECORD, A.VIEW): S.OWN,
    (Role.TEACHER, R.REGISTER, A.VIEW): S.OWN,
    (Role.TEACHER, R.TEACHING_GROUP, A.VIEW): S.OWN,
    (Role.TEACHER, R.PROGRESS, A.VIEW): S.OWN,
    # ...and answers for them (Code 6.36): first responses, target progress, meetings, passports.
    (Role.TEACHER, R.CONCERN, A.VIEW): S.OWN,
    (Role.TEACHER, R.CONCERN, A.ADD): S.OWN,
    (Role.TEACHER, R.CONCERN, A.MANAGE): S.OWN,
    (Role.TEACHER, R.FIRST_RESPONSE, A.VIEW): S.OWN,
    (Role.TEACHER, R.FIRST_RESPONSE, A.MANAGE): S.OWN,
    (Role.TEACHER, R.SUPPORT_PLAN, A.VIEW): S.OWN,
    (Role.TEACHER, R.SUPPORT_PLAN, A.ADD): S.OWN,
    (Role.TEACHER, R.PARENT_MEETING, A.VIEW): S.OWN,
    (Role.TEACHER, R.PARENT_MEETING, A.MANAGE): S.OWN,
    (Role.TEACHER, R.PASSPORT, A.VIEW): S.OWN,
    (Role.TEACHER, R.PASSPORT, A.ADD): S.OWN,
    (Role.TEACHER, R.PASSPORT, A.MANAGE): S.OWN,
    # Interventions: the teacher reads the logs about their pupils and acknowledges them (Code 6.52).
    (Role.TEACHER, R.INTERVENTION, A.VIEW): S.SCHOOL,
    (Role.TEACHER, R.INTERVENTION_GROUP, A.VIEW): S.OWN,
    (Role.TEACHER, R.SESSION_LOG, A.VIEW): S.OWN,
    (Role.TEACHER, R.SESSION_LOG, A.ADD): S.OWN,
    (Role.TEACHER, R.SESSION_LOG, A.MANAGE): S.OWN,
    # A TA sees the pupils of the groups they support, so strategies reach them too.
    (Role.TEACHING_ASSISTANT, R.HOME, A.VIEW): S.SELF,
    (Role.TEACHING_ASSISTANT, R.PUPIL, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.SEN_RECORD, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.TEACHING_GROUP, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.PROGRESS, A.VIEW): S.SUPPORTED,
    # A TA raises concerns, reads plans and passports, and logs progress on targets they support;
    # never the accountable person, so never the one who decides or plans.
    (Role.TEACHING_ASSISTANT, R.CONCERN, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.CONCERN, A.ADD): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.FIRST_RESPONSE, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.SUPPORT_PLAN, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.SUPPORT_PLAN, A.ADD): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.PARENT_MEETING, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.PASSPORT, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.PASSPORT, A.ADD): S.SUPPORTED,
    # The TA runs their intervention groups and logs sessions; acknowledging is the teacher's.
    (Role.TEACHING_ASSISTANT, R.INTERVENTION, A.VIEW): S.SCHOOL,
    (Role.TEACHING_ASSISTANT, R.INTERVENTION_GROUP, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.SESSION_LOG, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.SESSION_LOG, A.ADD): S.SUPPORTED,
    # The SENCo keeps the whole register.
    (Role.SENCO, R.HOME, A.VIEW): S.SELF,
    (Role.SENCO, R.PUPIL, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SEN_RECORD, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.REGISTER, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.TEACHING_GROUP, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.STAFF, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PROGRESS, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SEN_RECORD, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.CONCERN, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.CONCERN, A.ADD): S.SCHOOL,
    (Role.SENCO, R.CONCERN, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.FIRST_RESPONSE, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.FIRST_RESPONSE, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.SUPPORT_PLAN, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SUPPORT_PLAN, A.ADD): S.SCHOOL,
    (Role.SENCO, R.SUPPORT_PLAN, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.PARENT_MEETING, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PARENT_MEETING, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.PASSPORT, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PASSPORT, A.ADD): S.SCHOOL,
    (Role.SENCO, R.PASSPORT, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.COMPLIANCE, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PROGRESS_SETTINGS, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PROGRESS_SETTINGS, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.ANALYSIS_RUN, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.ANALYSIS_RUN, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.INTERVENTION, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.INTERVENTION, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.INTERVENTION_GROUP, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.INTERVENTION_GROUP, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.SESSION_LOG, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SESSION_LOG, A.ADD): S.SCHOOL,
    (Role.SENCO, R.PROVISION_MAP, A.VIEW): S.SCHOOL,
    # The SENCo imports SEN status and needs (and the SEN history in a CTF) as well as the rest.
    (Role.SENCO, R.IMPORT, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.IMPORT, A.MANAGE): S.SCHOOL,
    (Role.SENCO, R.TRANSFER, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.AUDIT, A.VIEW): S.SCHOOL,
    # Heads answer for the whole school.
    (Role.HEAD, R.HOME, A.VIEW): S.SELF,
    (Role.HEAD, R.PUPIL, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.SEN_RECORD, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.REGISTER, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.TEACHING_GROUP, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.STAFF, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PROGRESS, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.CONCERN, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.CONCERN, A.ADD): S.SCHOOL,
    (Role.HEAD, R.FIRST_RESPONSE, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.SUPPORT_PLAN, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PARENT_MEETING, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PASSPORT, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.COMPLIANCE, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PROGRESS_SETTINGS, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PROGRESS_SETTINGS, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.ANALYSIS_RUN, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.ANALYSIS_RUN, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.INTERVENTION, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.INTERVENTION_GROUP, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.SESSION_LOG, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PROVISION_MAP, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.IMPORT, A.VIEW): S.SCHOOL,
    # The head and the SENCo can show anyone who asks who has seen or changed a pupil's record.
    (Role.HEAD, R.AUDIT, A.VIEW): S.SCHOOL,
    # The head resets a colleague's lost second factor (never their own; see accounts.services).
    (Role.HEAD, R.STAFF_SECURITY, A.MANAGE): S.SCHOOL,
    # The head and the school's IT lead decide whether teachers and TAs must use two-factor sign-in too.
    (Role.HEAD, R.SIGN_IN_POLICY, A.MANAGE): S.SCHOOL,
    # The head decides who is SENCo or head (and may give any school role; never their own: see
    # people.services.grantable_roles), and sees every role change at the school.
    (Role.HEAD, R.ROLE_APPROVAL, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.ROLE_APPROVAL, A.MANAGE): S.SCHOOL,
    # The data and IT lead runs the roll and the staff list (teachers, TAs, admins; a SENCo or head only
    # by asking the head, through a staff import), but has no need to read SEN records.
    (Role.SCHOOL_ADMIN, R.HOME, A.VIEW): S.SELF,
    (Role.SCHOOL_ADMIN, R.PUPIL, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.TEACHING_GROUP, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.STAFF, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.STAFF, A.MANAGE): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.SIGN_IN_POLICY, A.MANAGE): S.SCHOOL,
    # ...and brings the roll and the marks in from the MIS, and sends CTFs when pupils leave
    # (without SEN history, which only the SENCo reads).
    (Role.SCHOOL_ADMIN, R.IMPORT, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.IMPORT, A.MANAGE): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.TRANSFER, A.VIEW): S.SCHOOL,
    # ...and runs the analysis after entering marks (it sees how it went in counts, not the flags).
    (Role.SCHOOL_ADMIN, R.ANALYSIS_RUN, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.ANALYSIS_RUN, A.MANAGE): S.SCHOOL,
    # A trust SEND lead works with pupils across the trust's schools.
    (Role.TRUST_SEND_LEAD, R.HOME, A.VIEW): S.SELF,
    (Role.TRUST_SEND_LEAD, R.PUPIL, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.SEN_RECORD, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.REGISTER, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.TEACHING_GROUP, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.TRUST_OVERVIEW, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.PROGRESS, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.CONCERN, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.FIRST_RESPONSE, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.SUPPORT_PLAN, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.PARENT_MEETING, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.PASSPORT, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.PROGRESS_SETTINGS, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.PROGRESS_SETTINGS, A.MANAGE): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.INTERVENTION, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.INTERVENTION_GROUP, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.SESSION_LOG, A.VIEW): S.TRUST,
    # A trust admin sees figures, never a pupil.
    (Role.TRUST_ADMIN, R.HOME, A.VIEW): S.SELF,
    (Role.TRUST_ADMIN, R.TRUST_OVERVIEW, A.VIEW): S.TRUST_AGGREGATE,
    # ...and looks after the trust's staff: who holds which role at each school, lost second factors.
    (Role.TRUST_ADMIN, R.STAFF, A.VIEW): S.TRUST,
    (Role.TRUST_ADMIN, R.STAFF_SECURITY, A.MANAGE): S.TRUST,
    # ...and, with no school of their own, gives or approves school roles at the trust's schools.
    (Role.TRUST_ADMIN, R.ROLE_APPROVAL, A.VIEW): S.TRUST,
    (Role.TRUST_ADMIN, R.ROLE_APPROVAL, A.MANAGE): S.TRUST,
    # The data protection officer reads the audit trail (of the school, or of every school in the trust)
    # to answer for how pupils' data is used; they open no pupil record.
    (Role.DPO, R.HOME, A.VIEW): S.SELF,
    (Role.DPO, R.AUDIT, A.VIEW): S.SCHOOL,
    # ...and answers subject access requests: the export is every record about the person, which the
    # DPO reads only to check it before release.
    (Role.DPO, R.SUBJECT_ACCESS, A.VIEW): S.SCHOOL,
    (Role.DPO, R.SUBJECT_ACCESS, A.MANAGE): S.SCHOOL,
    # ...and looks after retention: sees what is due for deletion and places or releases legal holds. The
    # periods themselves are the trust's, set by its DPO.
    (Role.DPO, R.RETENTION, A.VIEW): S.SCHOOL,
    (Role.DPO, R.RETENTION, A.ADD): S.SCHOOL,
    (Role.TRUST_DPO, R.HOME, A.VIEW): S.SELF,
    (Role.TRUST_DPO, R.AUDIT, A.VIEW): S.TRUST,
    (Role.TRUST_DPO, R.SUBJECT_ACCESS, A.VIEW): S.TRUST,
    (Role.TRUST_DPO, R.SUBJECT_ACCESS, A.MANAGE): S.TRUST,
    (Role.TRUST_DPO, R.RETENTION, A.VIEW): S.TRUST,
    (Role.TRUST_DPO, R.RETENTION, A.ADD): S.TRUST,
    (Role.TRUST_DPO, R.RETENTION, A.MANAGE): S.TRUST,
    # A parent or carer sees their own child only, in plain English: what the school shares with them.
    (Role.PARENT, R.HOME, A.VIEW): S.SELF,
    (Role.PARENT, R.FAMILY, A.VIEW): S.CHILD,
    (Role.PARENT, R.FAMILY, A.ADD): S.CHILD,
    # Who may read a pupil's own words ("about me") and sit with them to write them down.
    (Role.TEACHER, R.PUPIL_VIEWS, A.VIEW): S.OWN,
    (Role.TEACHER, R.PUPIL_VIEWS, A.ADD): S.OWN,
    (Role.TEACHING_ASSISTANT, R.PUPIL_VIEWS, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.PUPIL_VIEWS, A.ADD): S.SUPPORTED,
    (Role.SENCO, R.PUPIL_VIEWS, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PUPIL_VIEWS, A.ADD): S.SCHOOL,
    (Role.HEAD, R.PUPIL_VIEWS, A.VIEW): S.SCHOOL,
    (Role.TRUST_SEND_LEAD, R.PUPIL_VIEWS, A.VIEW): S.TRUST,
    # The SENCo links parents and carers to their children and sees what they ask for; the class teacher
    # sees the parents of the pupils they teach and asks them for views before a review.
    (Role.SENCO, R.PARENT_ACCESS, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PARENT_ACCESS, A.ADD): S.SCHOOL,
    (Role.SENCO, R.PARENT_ACCESS, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.PARENT_ACCESS, A.VIEW): S.SCHOOL,
    (Role.TEACHER, R.PARENT_ACCESS, A.VIEW): S.OWN,
    (Role.TEACHER, R.PARENT_ACCESS, A.ADD): S.OWN,
    # EHC plans and their annual reviews are the SENCo's statutory job; those who teach the pupil read them.
    (Role.SENCO, R.EHC_PLAN, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.EHC_PLAN, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.EHC_PLAN, A.VIEW): S.SCHOOL,
    (Role.TEACHER, R.EHC_PLAN, A.VIEW): S.OWN,
    (Role.TEACHING_ASSISTANT, R.EHC_PLAN, A.VIEW): S.SUPPORTED,
    (Role.TRUST_SEND_LEAD, R.EHC_PLAN, A.VIEW): S.TRUST,
    # Specialist advice: the SENCo requests and records it; teachers read what concerns their pupils.
    (Role.SENCO, R.SPECIALIST_ADVICE, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SPECIALIST_ADVICE, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.SPECIALIST_ADVICE, A.VIEW): S.SCHOOL,
    (Role.TEACHER, R.SPECIALIST_ADVICE, A.VIEW): S.OWN,
    (Role.TRUST_SEND_LEAD, R.SPECIALIST_ADVICE, A.VIEW): S.TRUST,
    # Inclusion-base time: the SENCo plans it; the teacher who teaches the pupil sees it.
    (Role.SENCO, R.INCLUSION_BASE, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.INCLUSION_BASE, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.INCLUSION_BASE, A.VIEW): S.SCHOOL,
    (Role.TEACHER, R.INCLUSION_BASE, A.VIEW): S.OWN,
    (Role.TRUST_SEND_LEAD, R.INCLUSION_BASE, A.VIEW): S.TRUST,
    # The SENCo and the head draft and publish the school's documents; the trust's SEND lead reads them.
    (Role.SENCO, R.SCHOOL_DOCUMENT, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SCHOOL_DOCUMENT, A.MANAGE): S.SCHOOL,
    (Role.HEAD, R.SCHOOL_DOCUMENT, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.SCHOOL_DOCUMENT, A.MANAGE): S.SCHOOL,
    (Role.TRUST_SEND_LEAD, R.SCHOOL_DOCUMENT, A.VIEW): S.TRUST,
}


def scope_for(role: str, resource: Resource, action: Action) -> Scope:
    try:
        return POLICY.get((Role(role), resource, action), Scope.NONE)
    except ValueError:
        return Scope.NONE


# URLs outside the role table, named so the URL walk can tell "declared" from "forgotten": signing in,
# an invitation link, the second-factor step, an email's unsubscribe link. None shows a pupil.
PUBLIC_URL_NAMES = frozenset(
    {"account_login", "invitation_accept", "two_factor_required", "health", "email_unsubscribe", "favicon"}
)
# The sign-in library's own pages (password reset and change, two-factor, SSO, signed-in devices):
# about the signed-in person only, never a pupil, so outside the role table too.
SIGN_IN_LIBRARY_MODULE = "allauth."
# Django's admin: superusers only (see tandem.urls), never a route for school staff.
SUPERUSER_URL_NAMESPACES = frozenset({"admin"})
