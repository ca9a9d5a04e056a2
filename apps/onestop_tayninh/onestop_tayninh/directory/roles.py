"""Default definition of the six built-in roles; administrators may change them in the desk afterwards.

Each role has a display `name`, the `effects` it may perform (transition effects from
workflows.constants.Effect and capabilities from directory.constants.Capability), a row-level
`scope` and its group's `permissions`. Administrators add further roles in the desk.

`load_site` creates a missing role with these defaults; it leaves an existing role
alone unless asked to reset (`load_site --reset-roles`), so edits made in the desk survive.
Apps add their permissions here as they arrive.
"""

from onestop_tayninh.accounts.constants import IDENTITY_PERMISSION
from onestop_tayninh.workflows.constants import Effect

from .constants import Capability, RoleCode, RoleScope

VIEW_DIRECTORY = [
    "directory.view_administrativeunit",
    "directory.view_agency",
    "directory.view_receptiondesk",
    "directory.view_official",
]

MANAGE_DIRECTORY = [
    f"{app}.{action}_{model}"
    for app, model in [
        ("directory", "administrativeunit"),
        ("directory", "agency"),
        ("directory", "receptiondesk"),
        ("directory", "official"),
        ("directory", "role"),
        ("accounts", "user"),
        ("auth", "group"),
        ("calendars", "calendaroverride"),
        ("catalog", "sector"),
        ("catalog", "documenttype"),
        ("catalog", "procedure"),
        ("catalog", "procedureversion"),
        ("catalog", "fee"),
        ("catalog", "documentrequirement"),
        ("catalog", "eformfield"),
        ("workflows", "workflow"),
        ("workflows", "workflowversion"),
        ("workflows", "state"),
        ("workflows", "transition"),
    ]
    for action in ("view", "add", "change", "delete")
] + ["auth.view_permission", "catalog.publish_procedureversion"]

NATIONAL_SYNC = [
    "national.view_syncmessage",
    "national.resend_syncmessage",
    "national.view_procedurechange",
    "national.review_procedurechange",
]

VIEW_CATALOG = ["catalog.view_procedureversion", "catalog.view_procedure", "calendars.view_calendaroverride"]
# Dossier rows are further limited by Dossier.objects.visible_to; actions are checked per transition.
VIEW_DOSSIERS = [
    "dossiers.view_dossier",
    # The register of outgoing documents: results and refusals as issued (dossiers.IssuedDocument).
    "dossiers.view_issueddocument",
    "dossiers.view_dossierdocument",
    "dossiers.view_dossierevent",
    "portal.view_servicerating",
]
VIEW_WORKFLOWS = ["workflows.view_workflow", "workflows.view_workflowversion"]
# The competent agency's own officials enter the dossiers of its tracked-only procedures, one by one
# or from a spreadsheet (dossiers.services.tracked_*); the uploaded spreadsheets are listed for them.
ENTER_TRACKED = ["dossiers.enter_tracked_dossier", "dossiers.view_trackedimport"]
# Hand-overs to another installation (interconnect app): the body holding a dossier sends it and
# follows what it sent and what came in (the lists follow the dossiers' row-level rule).
HAND_OVER = ["interconnect.add_handover", "interconnect.view_handover", "interconnect.view_receivedhandover"]
# Fees and charges are citizens' data too: read by the roles that read dossiers, within the collecting
# agency (payments/query.py). Collecting at the counter, asking for an amount set after appraisal,
# approving a refund and settling a reconciliation difference are separate permissions.
VIEW_PAYMENTS = [
    "payments.view_paymentorder",
    "payments.view_paymenttransaction",
    "payments.view_receipt",
    "payments.view_refund",
]
COLLECT_AT_COUNTER = ["payments.collect_at_counter"]
EVALUATION = ["reports.view_dashboard", "reports.send_urging", "reports.view_statistics"]
REQUEST_PAYMENT = ["payments.request_payment"]
DECIDE_PAYMENTS = [
    "payments.approve_refund",
    "payments.resolve_mismatch",
    "payments.view_mismatch",
    "payments.view_reconciliation",
]
# Citizens' feedback (PAKN) names its sender: read by the roles that read dossiers, within the body it is
# about (feedback/query.py). Heads and handling officers handle it (accept, reject, ask for more, answer);
# heads also assign it and publish the answer; coordinators read their unit's.
VIEW_FEEDBACK = ["feedback.view_feedback"]
HANDLE_FEEDBACK = ["feedback.handle_feedback"]
DECIDE_FEEDBACK = ["feedback.assign_feedback", "feedback.publish_feedback"]

# Separation of duties: the system administrator configures the system and does not read citizens'
# dossiers (no VIEW_DOSSIERS, no spreadsheets of tracked dossiers); an administrator who must also work
# on dossiers is given an official role besides.
DEFAULT_ROLES: dict[str, dict] = {
    RoleCode.RECEIVING_OFFICER: {
        "name": "Cán bộ tiếp nhận",
        "effects": [
            Effect.NONE,
            Effect.SUPPLY_SUPPLEMENT,
            Effect.RETURN_RESULT,
            Effect.RETURN_REFUSAL,
            Effect.WITHDRAW,
            Capability.APOLOGISE,
        ],
        "scope": RoleScope.AGENCY,
        # At the counter: verify a citizen's CCCD by looking at the card, give a squatted CCCD back.
        "permissions": VIEW_DIRECTORY
        + VIEW_CATALOG
        + VIEW_DOSSIERS
        + VIEW_WORKFLOWS
        + [IDENTITY_PERMISSION]
        + VIEW_PAYMENTS
        + COLLECT_AT_COUNTER
        + HAND_OVER,
    },
    RoleCode.HANDLING_OFFICER: {
        "name": "Chuyên viên xử lý",
        "effects": [
            Effect.NONE,
            Effect.REQUEST_CONSULTATION,
            Effect.ANSWER_CONSULTATION,
            Effect.REQUEST_SUPPLEMENT,
            Effect.SUPPLY_SUPPLEMENT,
            Effect.SUBMIT_FOR_APPROVAL,
            Effect.PROPOSE_REFUSAL,
            Effect.REFUSE,
            Effect.RETURN_RESULT,
            Effect.RETURN_REFUSAL,
            Effect.WITHDRAW,
        ],
        "scope": RoleScope.AGENCY,
        "permissions": VIEW_DIRECTORY
        + VIEW_CATALOG
        + VIEW_DOSSIERS
        + VIEW_WORKFLOWS
        + ENTER_TRACKED
        + VIEW_PAYMENTS
        + REQUEST_PAYMENT
        + VIEW_FEEDBACK
        + HANDLE_FEEDBACK,
    },
    RoleCode.AGENCY_HEAD: {
        "name": "Lãnh đạo cơ quan",
        "effects": [
            Effect.NONE,
            Effect.ASSIGN,
            Effect.REQUEST_CONSULTATION,
            Effect.ANSWER_CONSULTATION,
            Effect.REQUEST_SUPPLEMENT,
            Effect.ISSUE_RESULT,
            Effect.APPROVE_DRAFT,
            Effect.SEND_BACK,
            Effect.REFUSE,
            Effect.RETURN_RESULT,
            Effect.RETURN_REFUSAL,
            Effect.WITHDRAW,
            Capability.APOLOGISE,
        ],
        "scope": RoleScope.AGENCY,
        "permissions": VIEW_DIRECTORY
        + VIEW_CATALOG
        + VIEW_DOSSIERS
        + VIEW_WORKFLOWS
        + ENTER_TRACKED
        + VIEW_PAYMENTS
        + REQUEST_PAYMENT
        + DECIDE_PAYMENTS
        + VIEW_FEEDBACK
        + HANDLE_FEEDBACK
        + DECIDE_FEEDBACK
        + EVALUATION
        + HAND_OVER,
    },
    # Numbers the approved results and refusals in the agency's register of outgoing documents and
    # issues them, signed with the agency's certificate (dossiers.results).
    RoleCode.RECORDS_CLERK: {
        "name": "Văn thư",
        "effects": [Effect.ISSUE_NUMBERED],
        "scope": RoleScope.AGENCY,
        "permissions": VIEW_DIRECTORY + VIEW_CATALOG + VIEW_DOSSIERS + VIEW_WORKFLOWS,
    },
    RoleCode.PROVINCE_COORDINATOR: {
        "name": "Điều phối viên cấp tỉnh",
        "effects": [],
        "scope": RoleScope.UNIT,
        "permissions": VIEW_DIRECTORY
        + VIEW_CATALOG
        + VIEW_DOSSIERS
        + VIEW_WORKFLOWS
        + ["dossiers.view_trackedimport"]
        + VIEW_PAYMENTS
        + VIEW_FEEDBACK
        + EVALUATION,
    },
    RoleCode.SYSTEM_ADMIN: {
        "name": "Quản trị hệ thống",
        "effects": [],
        "scope": RoleScope.ALL,
        "permissions": MANAGE_DIRECTORY
        + ["security.view_auditevent", "axes.view_accessattempt", "axes.delete_accessattempt"]
        + ["notifications.view_message", "notifications.change_message"]
        # Background jobs: the monitoring page and django-rq's dashboard (core.monitoring).
        + ["django_rq.admin"]
        # The data patches applied to this database (manage.py apply_patches), read-only.
        + ["core.view_appliedpatch"]
        # Citizens' portal accounts: look up, correct contact details (the identifier stays read-only).
        + ["accounts.view_citizenprofile", "accounts.change_citizenprofile"]
        + [f"notifications.{action}_messagetemplate" for action in ("view", "add", "change")]
        # Payments as configuration and operation, no citizen's money: the receipt books' form and
        # series, the providers' notifications as received, the daily reconciliation's totals.
        + ["payments.view_receiptbook", "payments.change_receiptbook"]
        + ["payments.view_providernotification", "payments.view_reconciliation"]
        # Zalo OA: the ZNS template of each notice type, and the read-only OA settings page; the events as
        # received (the Zalo queue), the OA's users (block, unblock) and the submissions by photos.
        + [f"zalo.{action}_znstemplate" for action in ("view", "add", "change")]
        + ["zalo.view_oasettings"]
        + ["zalo.view_zaloevent", "zalo.view_zalouser", "zalo.change_zalouser", "zalo.view_zalosubmission"]
        # Systems subscribed to dossier events (webhooks): register, pause, rotate the secret; see the
        # deliveries (codes and times, no applicant's data) and send one again.
        + [f"webhooks.{action}_subscriber" for action in ("view", "add", "change")]
        + ["webhooks.view_delivery", "webhooks.change_delivery"]
        # The national sync: the messages and the reconciliation, resending a rejected message once the data
        # is corrected; the National Database's procedure changes, published as new versions.
        + NATIONAL_SYNC
        # The API's connected systems (api app): connect, change scopes and limits, deactivate; never delete.
        + [f"api.{action}_apiclient" for action in ("view", "add", "change")]
        # The installations dossiers are handed over to (interconnect app), and what was sent and received.
        + [f"interconnect.{action}_peerinstallation" for action in ("view", "add", "change")]
        + ["interconnect.view_handover", "interconnect.view_receivedhandover"],
    },
}
