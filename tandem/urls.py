from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path

from tandem.accounts import views as accounts
from tandem.audit import views as audit
from tandem.core.views import favicon_view, health_view
from tandem.dashboards.views import home_view, switch_role_view
from tandem.ehc import views as ehc
from tandem.exchange import views as exchange
from tandem.needs_assessment import views as needs_assessment
from tandem.notifications import views as notifications
from tandem.parents import views as parents
from tandem.people import views as people
from tandem.plans import transfer_views as plan_transfer
from tandem.plans import views as plans
from tandem.progress import views as progress
from tandem.provision import views as provision
from tandem.pupil_voice import views as pupil_voice
from tandem.register import census_views
from tandem.register import views as register
from tandem.retention import views as retention
from tandem.schools.views import trust_school_view, trust_view
from tandem.subject_access import views as subject_access


def _superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# Django's admin is a maintenance tool for superusers, not a page for school staff.
admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Tandem maintenance"

urlpatterns = [
    # Which emails you get, and the unsubscribe link in each (under accounts/: no pupil data, and the link
    # works signed out or before a second factor).
    path("accounts/emails/", notifications.email_preferences_view, name="email_preferences"),
    path(
        "accounts/emails/unsubscribe/<str:token>/",
        notifications.email_unsubscribe_view,
        name="email_unsubscribe",
    ),
    # Sign-in: invitations, passwords, two-factor, SSO and sessions (tandem.accounts on django-allauth).
    path("accounts/", include("tandem.accounts.urls")),
    path("health/", health_view, name="health"),
    path("favicon.ico", favicon_view, name="favicon"),
    path("", home_view, name="home"),
    path("switch-role/", switch_role_view, name="switch_role"),
    path("pupils/", people.pupil_list_view, name="pupil_list"),
    path("pupils/<uuid:pupil_id>/", people.pupil_detail_view, name="pupil_detail"),
    path("groups/", people.group_list_view, name="group_list"),
    path("groups/<uuid:group_id>/", people.group_detail_view, name="group_detail"),
    path("groups/<uuid:group_id>/profile/", people.group_profile_view, name="group_profile"),
    path("register/", register.register_view, name="register"),
    path("register/census-check/", census_views.census_check_view, name="census_check"),
    path("audit/", audit.audit_list_view, name="audit_list"),
    path("audit/download/", audit.audit_export_view, name="audit_export"),
    path("retention/", retention.retention_view, name="retention"),
    path("retention/holds/new/", retention.hold_new_view, name="legal_hold_new"),
    path("retention/holds/<int:hold_id>/release/", retention.hold_release_view, name="legal_hold_release"),
    path("retention/periods/", retention.periods_view, name="retention_periods"),
    path("subject-access/", subject_access.request_list_view, name="subject_access_list"),
    path("subject-access/new/", subject_access.request_new_view, name="subject_access_new"),
    path(
        "subject-access/<uuid:request_id>/", subject_access.request_detail_view, name="subject_access_detail"
    ),
    path(
        "subject-access/<uuid:request_id>/export/",
        subject_access.request_export_view,
        name="subject_access_export",
    ),
    path(
        "subject-access/<uuid:request_id>/download/",
        subject_access.request_download_view,
        name="subject_access_download",
    ),
    path(
        "subject-access/<uuid:request_id>/answer/",
        subject_access.request_answer_view,
        name="subject_access_answer",
    ),
    path("progress/", progress.progress_list_view, name="progress_list"),
    path("progress/summary/", progress.progress_summary_view, name="progress_summary"),
    path("progress/settings/", progress.progress_settings_page_view, name="progress_settings"),
    path("progress/analyse/", progress.analysis_request_view, name="analysis_request"),
    path("progress/analyses/<uuid:job_id>/", progress.analysis_job_view, name="analysis_job"),
    # The graduated approach: concern, first response, SEN support, plans, reviews, meetings, passport.
    path("to-do/", plans.to_do_view, name="to_do"),
    path("compliance/", plans.compliance_page_view, name="compliance"),
    path("pupils/<uuid:pupil_id>/support/", plans.pupil_timeline_view, name="pupil_timeline"),
    path("pupils/<uuid:pupil_id>/concerns/new/", register.concern_new_view, name="concern_new"),
    path("concerns/<uuid:concern_id>/", register.concern_detail_view, name="concern_detail"),
    path("concerns/<uuid:concern_id>/next-step/", register.concern_next_step_view, name="concern_next_step"),
    path("concerns/<uuid:concern_id>/correct/", register.concern_edit_view, name="concern_edit"),
    path("concerns/<uuid:concern_id>/withdraw/", register.concern_withdraw_view, name="concern_withdraw"),
    path(
        "pupils/<uuid:pupil_id>/first-responses/new/",
        progress.first_response_new_view,
        name="first_response_new",
    ),
    path(
        "first-responses/<uuid:response_id>/",
        progress.first_response_detail_view,
        name="first_response_detail",
    ),
    path(
        "first-responses/<uuid:response_id>/review/",
        progress.first_response_review_view,
        name="first_response_review",
    ),
    path(
        "first-responses/<uuid:response_id>/correct/",
        progress.first_response_edit_view,
        name="first_response_edit",
    ),
    path(
        "first-responses/<uuid:response_id>/withdraw/",
        progress.first_response_withdraw_view,
        name="first_response_withdraw",
    ),
    path(
        "pupils/<uuid:pupil_id>/sen-support/start/", register.sen_support_start_view, name="sen_support_start"
    ),
    path("pupils/<uuid:pupil_id>/plans/new/", plans.plan_new_view, name="plan_new"),
    path("pupils/<uuid:pupil_id>/plans/import/", plan_transfer.plan_import_view, name="plan_import"),
    path("plans/<uuid:plan_id>/export.json", plan_transfer.plan_export_view, name="plan_export"),
    path("plans/<uuid:plan_id>/", plans.plan_detail_view, name="plan_detail"),
    path("plans/<uuid:plan_id>/targets/new/", plans.target_new_view, name="target_new"),
    path("plans/<uuid:plan_id>/do/", plans.plan_do_view, name="plan_do"),
    path("plans/<uuid:plan_id>/review/", plans.plan_review_view, name="plan_review"),
    path("plans/<uuid:plan_id>/for-parents.pdf", plans.plan_pdf_view, name="plan_pdf"),
    path("plans/<uuid:plan_id>/owner/", plans.plan_owner_view, name="plan_owner"),
    path("plans/<uuid:plan_id>/correct/", plans.plan_edit_view, name="plan_edit"),
    path("plans/<uuid:plan_id>/withdraw/", plans.plan_withdraw_view, name="plan_withdraw"),
    path("targets/<uuid:target_id>/correct/", plans.target_edit_view, name="target_edit"),
    path("targets/<uuid:target_id>/withdraw/", plans.target_withdraw_view, name="target_withdraw"),
    path("targets/<uuid:target_id>/owner/", plans.target_owner_view, name="target_owner"),
    path(
        "first-responses/<uuid:response_id>/owner/",
        plans.first_response_owner_view,
        name="first_response_owner",
    ),
    path("targets/<uuid:target_id>/progress/", plans.target_progress_view, name="target_progress"),
    path(
        "target-progress/<uuid:progress_id>/correct/",
        plans.target_progress_edit_view,
        name="target_progress_edit",
    ),
    path(
        "target-progress/<uuid:progress_id>/withdraw/",
        plans.target_progress_withdraw_view,
        name="target_progress_withdraw",
    ),
    path("pupils/<uuid:pupil_id>/meetings/new/", plans.meeting_new_view, name="meeting_new"),
    path("meetings/<uuid:meeting_id>/", plans.meeting_detail_view, name="meeting_detail"),
    path("meetings/<uuid:meeting_id>/for-parents.pdf", plans.meeting_pdf_view, name="meeting_pdf"),
    path("meetings/<uuid:meeting_id>/correct/", plans.meeting_edit_view, name="meeting_edit"),
    path("meetings/<uuid:meeting_id>/withdraw/", plans.meeting_withdraw_view, name="meeting_withdraw"),
    path("pupils/<uuid:pupil_id>/passport/", register.passport_detail_view, name="passport"),
    path("pupils/<uuid:pupil_id>/passport/edit/", register.passport_edit_view, name="passport_edit"),
    path("passports/<uuid:passport_id>/read/", register.passport_read_view, name="passport_read"),
    path("passports/<uuid:passport_id>/withdraw/", register.passport_withdraw_view, name="passport_withdraw"),
    # The pupil's own views ("about me"), given with an adult; quoted by a new plan and the passport.
    path("pupils/<uuid:pupil_id>/about-me/", pupil_voice.about_me_list_view, name="about_me"),
    path("pupils/<uuid:pupil_id>/about-me/new/", pupil_voice.about_me_new_view, name="about_me_new"),
    # Parents and carers: their own child's pages; the staff's page for linking and sharing (tandem.parents).
    path("family/<uuid:pupil_id>/", parents.family_child_view, name="family_child"),
    path(
        "family/<uuid:pupil_id>/ask-for-meeting/",
        parents.family_meeting_request_view,
        name="family_meeting_request",
    ),
    path("family/meetings/<uuid:shared_meeting_id>/", parents.family_meeting_view, name="family_meeting"),
    path(
        "family/meetings/<uuid:shared_meeting_id>/answer/",
        parents.family_meeting_answer_view,
        name="family_meeting_answer",
    ),
    path("family/views/<uuid:views_request_id>/", parents.family_views_view, name="family_views"),
    path("pupils/<uuid:pupil_id>/parents/", parents.pupil_parents_view, name="pupil_parents"),
    path("pupils/<uuid:pupil_id>/parents/invite/", parents.parent_invite_view, name="parent_invite"),
    path(
        "pupils/<uuid:pupil_id>/parents/ask-for-views/",
        parents.parent_views_ask_view,
        name="parent_views_ask",
    ),
    path("parent-links/<uuid:link_id>/end/", parents.parent_link_end_view, name="parent_link_end"),
    path("plans/<uuid:plan_id>/share/", parents.plan_share_view, name="plan_share"),
    path("passports/<uuid:passport_id>/share/", parents.passport_share_view, name="passport_share"),
    path("meetings/<uuid:meeting_id>/share/", parents.meeting_share_view, name="meeting_share"),
    path(
        "meeting-requests/<uuid:meeting_request_id>/answered/",
        parents.meeting_request_answered_view,
        name="meeting_request_answered",
    ),
    # EHC plans: sections B, E and F mapped to needs, targets and provision; annual reviews, their deadlines.
    path("pupils/<uuid:pupil_id>/ehc/", ehc.ehc_pupil_view, name="ehc_pupil"),
    path("pupils/<uuid:pupil_id>/ehc/new/", ehc.ehc_plan_new_view, name="ehc_plan_new"),
    path("ehc-plans/<uuid:ehc_plan_id>/", ehc.ehc_plan_detail_view, name="ehc_plan_detail"),
    path("ehc-plans/<uuid:ehc_plan_id>/edit/", ehc.ehc_plan_edit_view, name="ehc_plan_edit"),
    path("ehc-plans/<uuid:ehc_plan_id>/withdraw/", ehc.ehc_plan_withdraw_view, name="ehc_plan_withdraw"),
    path("ehc-plans/<uuid:ehc_plan_id>/needs/new/", ehc.ehc_need_new_view, name="ehc_need_new"),
    path("ehc-plans/<uuid:ehc_plan_id>/outcomes/new/", ehc.ehc_outcome_new_view, name="ehc_outcome_new"),
    path("ehc-plans/<uuid:ehc_plan_id>/provision/new/", ehc.ehc_provision_new_view, name="ehc_provision_new"),
    path("ehc-plans/<uuid:ehc_plan_id>/reviews/new/", ehc.annual_review_new_view, name="annual_review_new"),
    path("ehc-needs/<uuid:ehc_need_id>/edit/", ehc.ehc_need_edit_view, name="ehc_need_edit"),
    path("ehc-needs/<uuid:ehc_need_id>/withdraw/", ehc.ehc_need_withdraw_view, name="ehc_need_withdraw"),
    path("ehc-outcomes/<uuid:ehc_outcome_id>/edit/", ehc.ehc_outcome_edit_view, name="ehc_outcome_edit"),
    path(
        "ehc-outcomes/<uuid:ehc_outcome_id>/withdraw/",
        ehc.ehc_outcome_withdraw_view,
        name="ehc_outcome_withdraw",
    ),
    path(
        "ehc-provision/<uuid:ehc_provision_id>/edit/", ehc.ehc_provision_edit_view, name="ehc_provision_edit"
    ),
    path(
        "ehc-provision/<uuid:ehc_provision_id>/withdraw/",
        ehc.ehc_provision_withdraw_view,
        name="ehc_provision_withdraw",
    ),
    path(
        "annual-reviews/<uuid:annual_review_id>/", ehc.annual_review_detail_view, name="annual_review_detail"
    ),
    path(
        "annual-reviews/<uuid:annual_review_id>/record/",
        ehc.annual_review_record_view,
        name="annual_review_record",
    ),
    path(
        "annual-reviews/<uuid:annual_review_id>/withdraw/",
        ehc.annual_review_withdraw_view,
        name="annual_review_withdraw",
    ),
    path(
        "annual-reviews/<uuid:annual_review_id>/record.pdf",
        ehc.annual_review_record_pdf_view,
        name="annual_review_record_pdf",
    ),
    path(
        "annual-reviews/<uuid:annual_review_id>/report.pdf",
        ehc.annual_review_report_pdf_view,
        name="annual_review_report_pdf",
    ),
    # Interventions: catalogue, groups, placements, session logs.
    path("interventions/", provision.intervention_list_view, name="intervention_list"),
    path("interventions/new/", provision.intervention_new_view, name="intervention_new"),
    path("interventions/rates/", provision.staff_rates_view, name="staff_rates"),
    path(
        "interventions/<uuid:intervention_id>/",
        provision.intervention_detail_view,
        name="intervention_detail",
    ),
    path(
        "interventions/<uuid:intervention_id>/programme/",
        provision.intervention_programme_view,
        name="intervention_programme",
    ),
    path(
        "interventions/<uuid:intervention_id>/layer/",
        provision.intervention_layer_view,
        name="intervention_layer",
    ),
    path(
        "interventions/<uuid:intervention_id>/funding/",
        provision.intervention_funding_view,
        name="intervention_funding",
    ),
    path(
        "intervention-groups/<uuid:igroup_id>/funding/",
        provision.group_funding_view,
        name="intervention_group_funding",
    ),
    path(
        "interventions/<uuid:intervention_id>/groups/new/",
        provision.group_new_view,
        name="intervention_group_new",
    ),
    path("intervention-groups/<uuid:igroup_id>/", provision.group_detail_view, name="intervention_group"),
    path(
        "intervention-groups/<uuid:igroup_id>/placements/new/",
        provision.placement_new_view,
        name="placement_new",
    ),
    path("intervention-groups/<uuid:igroup_id>/log/", provision.session_log_view, name="session_log"),
    path("placements/<uuid:placement_id>/exit/", provision.placement_exit_view, name="placement_exit"),
    path("placements/<uuid:placement_id>/correct/", provision.placement_edit_view, name="placement_edit"),
    path(
        "placements/<uuid:placement_id>/withdraw/",
        provision.placement_withdraw_view,
        name="placement_withdraw",
    ),
    path("session-logs/<uuid:own_log_id>/correct/", provision.session_log_edit_view, name="session_log_edit"),
    path(
        "session-logs/<uuid:own_log_id>/withdraw/",
        provision.session_log_withdraw_view,
        name="session_log_withdraw",
    ),
    path("session-logs/<uuid:log_id>/acknowledge/", provision.log_acknowledge_view, name="log_acknowledge"),
    path("session-logs/acknowledge/", provision.logs_acknowledge_view, name="logs_acknowledge"),
    path("provision-map/", provision.provision_map_view, name="provision_map"),
    # Imports from the MIS: upload, preview, choose columns, apply.
    path("imports/", exchange.import_list_view, name="import_list"),
    path("imports/template.csv", exchange.import_template_view, name="import_template"),
    path("imports/<uuid:import_id>/", exchange.import_detail_view, name="import_detail"),
    path("imports/<uuid:import_id>/columns/", exchange.import_columns_view, name="import_columns"),
    path("imports/<uuid:import_id>/apply/", exchange.import_apply_view, name="import_apply"),
    path("imports/<uuid:import_id>/discard/", exchange.import_discard_view, name="import_discard"),
    path("exports/", exchange.export_list_view, name="export_list"),
    path("exports/pupils/", exchange.export_roll_view, name="export_roll"),
    path("exports/sen-register/", exchange.export_register_view, name="export_register"),
    path("exports/marks/", exchange.export_marks_view, name="export_marks"),
    path("exports/progress-flags/", exchange.export_flags_view, name="export_flags"),
    path("exports/transfer/", exchange.transfer_view, name="transfer"),
    path("exports/<slug:what>/prepare/", exchange.export_prepare_view, name="export_prepare"),
    path("exports/prepared/<uuid:download_id>/", exchange.export_job_view, name="export_job"),
    path("exports/prepared/<uuid:download_id>/file/", exchange.export_job_file_view, name="export_job_file"),
    path("staff/", people.staff_view, name="staff"),
    path("staff/add/", people.staff_add_view, name="staff_add"),
    path("staff/<int:membership_id>/remove/", people.staff_remove_view, name="staff_remove"),
    # The SENCo and head roles: the head (or a trust admin) gives them and decides what an import asked for.
    path("staff/roles/", people.role_requests_view, name="role_requests"),
    path("staff/roles/add/", people.role_grant_view, name="role_grant"),
    path("staff/roles/<int:membership_id>/remove/", people.role_remove_view, name="role_remove"),
    path("staff/roles/requests/<int:proposal_id>/approve/", people.role_approve_view, name="role_approve"),
    path("staff/roles/requests/<int:proposal_id>/reject/", people.role_reject_view, name="role_reject"),
    path(
        "staff/invitations/<uuid:invitation_id>/resend/",
        accounts.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "staff/invitations/<uuid:invitation_id>/revoke/",
        accounts.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("staff/two-factor/", accounts.two_factor_policy_view, name="two_factor_policy"),
    path(
        "staff/people/<int:user_id>/second-factors/reset/",
        accounts.second_factors_reset_view,
        name="second_factors_reset",
    ),
    # Specialist advice (with its documents) and inclusion-base time: their own URL modules, names global.
    path("", include("tandem.advice.urls")),
    path("", include("tandem.inclusion.urls")),
    # The Ofsted inclusion pack: pupil lists and each pupil's trail (page and PDF).
    path("", include("tandem.ofsted.urls")),
    # The school's documents (the governors' termly report): drafts, dated versions, PDF and Word files.
    path("", include("tandem.documents.urls")),
    path("trust/", trust_view, name="trust"),
    path("trust/schools/<int:school_id>/", trust_school_view, name="trust_school"),
    # The EHC needs assessment request pack: checked on a page, sent as a PDF and a ZIP with attachments.
    path("pupils/<uuid:pupil_id>/ehc-request/", needs_assessment.request_pack_view, name="ehc_request_pack"),
    path(
        "pupils/<uuid:pupil_id>/ehc-request.pdf",
        needs_assessment.request_pack_pdf_view,
        name="ehc_request_pack_pdf",
    ),
    path(
        "pupils/<uuid:pupil_id>/ehc-request.zip",
        needs_assessment.request_pack_zip_view,
        name="ehc_request_pack_zip",
    ),
    path("admin/", admin.site.urls),
]

# A database that cannot serve just now (busy, read-only, unreachable) is a 503 "try again" page.
handler500 = "tandem.core.views.server_error"
