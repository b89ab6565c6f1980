"""Who may reach what: the one table of every route's roles, and the probe that holds the app to it.

Every endpoint in ``app.url_map`` has a row here. A row names the roles whose user reaches the route (any
answer but 401, 403 or the log-in page), per method where the methods differ; every other role's user must
get 403, and the anonymous visitor the log-in page (401 on the API). A route added without a row fails
``test_route_access``, and so does a route whose view forgets its check (a refused role gets through).

Object routes are probed with the seeded objects (``route_seed``): a task in the officers' lane, a
notification of approver1's, a deployment request designer asked for (so designer, who asked, may not decide
it: four eyes). The table states who may reach these objects, not only the page kind.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from flask import Flask

OFFICER, APPROVER, RISK, COMPLIANCE, DESIGNER, ADMIN = (
    "officer",
    "approver",
    "risk_manager",
    "compliance",
    "designer",
    "admin",
)
ALL_ROLES = frozenset({OFFICER, APPROVER, RISK, COMPLIANCE, DESIGNER, ADMIN})
PUBLIC = frozenset({*ALL_ROLES, None})  # None: a visitor who has not logged in
SIGNED_IN = ALL_ROLES
SIGNED_ONLY = frozenset({"api.push_events"})  # reached by a request a source signed, never by a user
CASE_READERS = frozenset({OFFICER, APPROVER, RISK, COMPLIANCE, ADMIN})
MONITORING_READERS = frozenset({OFFICER, RISK, COMPLIANCE, ADMIN})
MONITORING_WRITERS = frozenset({OFFICER, RISK})
CONTACT_WRITERS = frozenset({OFFICER, RISK})  # the customer's officer and the risk managers
# attached documents (资料): read by who reads customers and cases but administrators; attached by the
# customer's or case's officer, risk managers and compliance; deleted by whoever attached it or a risk manager
DOCUMENT_READERS = frozenset({OFFICER, APPROVER, RISK, COMPLIANCE})
DOCUMENT_ATTACHERS = frozenset({OFFICER, RISK, COMPLIANCE})
RELATIONSHIP_MANAGERS = frozenset({APPROVER, RISK})  # who assigns and transfers customers
# guarantees (担保): the borrower's officer and the managers of its relationship write; the circles of the book
# are read by risk managers, approvers and compliance
GUARANTEE_WRITERS = frozenset({OFFICER, APPROVER, RISK})
CIRCLE_READERS = frozenset({APPROVER, RISK, COMPLIANCE})
# collateral (押品): written as guarantees are (the borrower's officer, the managers of its relationship), read by
# who reads customers; the book's lists by risk managers and approvers
COLLATERAL_WRITERS = frozenset({OFFICER, APPROVER, RISK})
COLLATERAL_BOOK_READERS = frozenset({APPROVER, RISK})
# post-loan inspections (贷后检查): the customer's officer or a risk manager starts one by hand; the list is the
# managers' (a branch's approver, a risk manager); the seeded customer and its open warning are the officer's
INSPECTION_STARTERS = frozenset({OFFICER, RISK})
INSPECTION_LIST = frozenset({APPROVER, RISK})
# training (培训): everyone their own record; a person's record for the managers (the spare officer works at the
# head office, as approver1 does); administrators and risk managers keep courses, sessions and readings; a
# reading is acknowledged by the one it is assigned to (the officer's)
TRAINING_MANAGERS = frozenset({APPROVER, RISK, COMPLIANCE, ADMIN})
TRAINING_KEEPERS = frozenset({RISK, ADMIN})
KPI_READERS = frozenset({OFFICER, APPROVER, RISK, COMPLIANCE})
# the case library (案例库): read by every credit user; the rules' evidence by designers too; a risk manager starts
# an analysis by hand
CREDIT_USERS = frozenset({OFFICER, APPROVER, RISK, COMPLIANCE})
DESIGNERS = frozenset({DESIGNER, ADMIN})
ONLY_ADMIN = frozenset({ADMIN})
# analytics (分析): the portfolio's readers (a branch's approver over their branch); risk managers keep the scenarios
PORTFOLIO_READERS = frozenset({APPROVER, RISK, COMPLIANCE})
MODEL_READERS = frozenset({RISK, COMPLIANCE})

ACCESS: dict[str, frozenset | Mapping[str, frozenset]] = {
    # signing in, the language, static files
    # analytics (分析): the hub opens the first tab the user may open (a tab each role may open)
    "analytics.index": SIGNED_IN,
    "stress.index": PORTFOLIO_READERS,
    "stress.new_scenario": frozenset({RISK}),
    "stress.edit_scenario": frozenset({RISK}),
    "stress.run_scenario": frozenset({RISK}),
    "stress.customers": PORTFOLIO_READERS,
    # scoring models (模型管理): read by risk and compliance; trained, scored with, proposed, decided (a second
    # person: the seeded version has no proposal, so a decision is a 409 that reaches the view) by risk managers
    "models.index": MODEL_READERS,
    "models.train": frozenset({RISK}),
    "models.show_run": MODEL_READERS,
    "models.run_progress": MODEL_READERS,
    "models.show": MODEL_READERS,
    "models.report_pdf": MODEL_READERS,
    "models.drift_check": MODEL_READERS,
    "models.score": frozenset({RISK}),
    "models.propose": frozenset({RISK}),
    "models.decide": frozenset({RISK}),
    "models.retire": frozenset({RISK}),
    # the portfolio dashboard (风险管理驾驶舱) and the customers behind its figures: risk, compliance, approvers
    "portfolio.dashboard": PORTFOLIO_READERS,
    "portfolio.customers": PORTFOLIO_READERS,
    # KPIs (绩效考核): the credit staff, each over their own reach; the seeded person is a head-office officer
    # (not the probing officer: refused to them), read by their branch's approver and by management
    "kpis.dashboard": KPI_READERS,
    "kpis.cases": KPI_READERS,
    "kpis.person": frozenset({APPROVER, RISK, COMPLIANCE}),
    # the case library (案例库): every credit user reads it; a risk manager starts an analysis by hand
    "case_library.index": CREDIT_USERS,
    "case_library.show": CREDIT_USERS,
    "case_library.evidence_page": CREDIT_USERS | {DESIGNER},
    "case_library.new": frozenset({RISK}),
    "auth.index": PUBLIC,
    "auth.login": PUBLIC,
    "auth.set_locale": PUBLIC,
    "favicon": PUBLIC,
    "static": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "notifications.index": SIGNED_IN,
    "notifications.read_all": SIGNED_IN,
    "notifications.open_one": frozenset({APPROVER}),  # approver1's notification: its owner only
    # tasks (the seeded task waits in the officers' lane)
    "tasks.my_tasks": SIGNED_IN,
    "tasks.inbox": frozenset({APPROVER}),
    "tasks.show": frozenset({OFFICER}),
    "tasks.claim": frozenset({OFFICER}),
    "tasks.unclaim": frozenset({OFFICER}),
    "tasks.delegate": frozenset({OFFICER}),
    "tasks.excuse": frozenset({ADMIN}),  # a committee vote of a member who may no longer vote (回避)
    # cases and customers
    "cases.index": CASE_READERS,
    "cases.show": CASE_READERS,
    "cases.decision": CASE_READERS,
    "cases.diagram": CASE_READERS,
    "cases.memo": CASE_READERS,
    "cases.document": CASE_READERS,
    "cases.kept_document": CASE_READERS,
    "cases.history": frozenset({COMPLIANCE}),
    "cases.new": frozenset({OFFICER, ADMIN}),
    "cases.withdraw": frozenset({OFFICER}),
    "customers.index": CASE_READERS,
    "customers.show": CASE_READERS,
    # my customers and transfers (客户移交): officers hold customers, approvers (their branch) and risk managers
    # manage them; the seeded customer is the officer's, of head office, as approver1 is
    "my_customers.index": frozenset({OFFICER, APPROVER, RISK}),
    "my_customers.transfer_many": RELATIONSHIP_MANAGERS,
    "my_customers.transfer_one": RELATIONSHIP_MANAGERS,
    # a customer's contacts and contact log: the seeded customer is the officer's
    "contacts.new_contact": CONTACT_WRITERS,
    "contacts.edit_contact": CONTACT_WRITERS,
    "contacts.remove_contact": CONTACT_WRITERS,
    "contacts.new_entry": CONTACT_WRITERS,
    "contacts.follow_up_done": CONTACT_WRITERS,
    "contacts.search_log": frozenset({RISK}),
    "guarantees.new_guarantee": GUARANTEE_WRITERS,
    "guarantees.release": GUARANTEE_WRITERS,
    "guarantees.circles_page": CIRCLE_READERS,
    "guarantees.scan_circles": frozenset({RISK}),
    "collateral.new_item": COLLATERAL_WRITERS,
    "collateral.show": CASE_READERS,
    "collateral.links": COLLATERAL_WRITERS,
    "collateral.insurance": COLLATERAL_WRITERS,
    "collateral.release": RELATIONSHIP_MANAGERS,  # 解押: never the officer alone
    "collateral.revalue": COLLATERAL_WRITERS,
    "collateral.book": COLLATERAL_BOOK_READERS,
    "inspections.index": INSPECTION_LIST,
    "training.index": SIGNED_IN,
    "training.person": TRAINING_MANAGERS,
    "training.acknowledge": frozenset({OFFICER}),
    "training_keep.courses": TRAINING_KEEPERS,
    "training_keep.new_course": TRAINING_KEEPERS,
    "training_keep.edit_course": TRAINING_KEEPERS,
    "training_keep.new_session": TRAINING_KEEPERS,
    "training_keep.session": TRAINING_KEEPERS,
    "training_keep.assign_reading": TRAINING_KEEPERS,
    "inspections.new": INSPECTION_STARTERS,
    "inspections.from_warning": INSPECTION_STARTERS,
    # attached documents: the seeded photo was attached by the officer to the officer's customer
    "attachments.attach_to_customer": DOCUMENT_ATTACHERS,
    "attachments.attach_to_case": DOCUMENT_ATTACHERS,
    "attachments.show": DOCUMENT_READERS,
    "attachments.download": DOCUMENT_READERS,
    "attachments.preview": DOCUMENT_READERS,
    "attachments.delete": frozenset({OFFICER, RISK}),
    # facilities that mature: the list (an officer's own customers, the bank's for the others), and a renewal
    # proposed by the customer's officer; the intake's customer search (the seeded task waits in the officers' lane)
    "facilities.maturing_list": CASE_READERS,
    "facilities.renew": frozenset({OFFICER}),
    "tasks.customer_matches": frozenset({OFFICER}),
    # monitoring and the watchlist
    "monitoring.index": {"GET": MONITORING_READERS, "POST": MONITORING_WRITERS},
    "monitoring.new_observation": MONITORING_WRITERS,
    "monitoring.import_template": MONITORING_READERS,
    "monitoring.show_import": MONITORING_READERS,
    "monitoring.import_progress": MONITORING_READERS,
    "monitoring.import_errors": MONITORING_READERS,
    "monitoring.import_file": MONITORING_READERS,
    "monitoring.watchlist": MONITORING_READERS,
    "monitoring.check_progress": MONITORING_READERS,
    "monitoring.run_check": frozenset({RISK}),
    # the audit workspace
    "audit.search": frozenset({COMPLIANCE}),
    "audit.export": frozenset({COMPLIANCE}),
    "audit.exceptions_dashboard": frozenset({COMPLIANCE}),
    "audit.sampling_reviews": frozenset({COMPLIANCE}),
    # the designer's workspace
    "designer.overview": DESIGNERS,
    "designer.version_diff": DESIGNERS,
    "designer.version_diagram": DESIGNERS,
    "designer.request_deployment": DESIGNERS,
    "designer.deployment_request": DESIGNERS,
    "designer.request_diff": DESIGNERS,
    "designer.request_diagram": DESIGNERS,
    "designer.decide_deployment": DESIGNERS,  # probed with reject: who asked may withdraw it (approve is four-eyes)
    "editor.files": DESIGNERS,
    "editor.new_file": DESIGNERS,
    "editor.edit": DESIGNERS,
    "editor.save": DESIGNERS,
    "editor.discard": DESIGNERS,
    "editor.form_preview": DESIGNERS,
    "editor.check_status": DESIGNERS,
    "policy_impact.page": DESIGNERS,
    "policy_impact.fragment": DESIGNERS,
    "instance_migration.page": DESIGNERS,
    "instance_migration.preview": DESIGNERS,
    "instance_migration.migrate": DESIGNERS,
    "instance_migration.rollback": DESIGNERS,
    # administration
    "admin.edit_settings": ONLY_ADMIN,
    "admin.outbox": ONLY_ADMIN,
    "admin.retry_timer": ONLY_ADMIN,
    **{f"connectors.{name}": ONLY_ADMIN for name in ("index", "pause", "pull", "replay", "again")},
    "users.index": ONLY_ADMIN,
    "users.new": ONLY_ADMIN,
    "users.show": ONLY_ADMIN,
    **{f"users.{name}": ONLY_ADMIN for name in ("profile", "membership", "qualification", "password")},
    **{f"users.{name}": ONLY_ADMIN for name in ("deactivate", "reactivate")},
    # the JSON API (bearer tokens; the seeded task is the officers')
    "api.openapi": PUBLIC,
    "api.list_tasks": SIGNED_IN,
    "api.create_case": frozenset({OFFICER, ADMIN}),
    "api.get_case": CASE_READERS,
    "api.case_history": CASE_READERS,
    "api.withdraw_case": frozenset({OFFICER}),
    "api.claim": frozenset({OFFICER}),
    "api.unclaim": frozenset({OFFICER}),
    "api.complete": frozenset({OFFICER}),
    "api.record_observations": MONITORING_WRITERS,
    "api.push_events": frozenset(),  # a source's signed webhook (SIGNED_ONLY): no session reaches it
    "api.list_models": MODEL_READERS,
    "api.get_model": MODEL_READERS,
    "api.start_training": frozenset({RISK}),
    "api.get_training": MODEL_READERS,
    "api.score_batch": frozenset({RISK}),
    "api.list_customers": CASE_READERS,
    "api.show_customer": CASE_READERS,
    "api.list_contacts": CASE_READERS,
    "api.add_contact": CONTACT_WRITERS,
    "api.list_contact_log": CASE_READERS,
    "api.add_contact_log": CONTACT_WRITERS,
    "api.list_guarantees": CASE_READERS,
    "api.record_guarantee": GUARANTEE_WRITERS,
    "api.release_guarantee": GUARANTEE_WRITERS,
    "api.guarantee_circles": CIRCLE_READERS,
    "api.list_collateral": CASE_READERS,
    "api.record_collateral": COLLATERAL_WRITERS,
    "api.get_collateral": CASE_READERS,
    "api.collateral_links": COLLATERAL_WRITERS,
    "api.collateral_insurance": COLLATERAL_WRITERS,
    "api.release_collateral": RELATIONSHIP_MANAGERS,
    "api.revalue_collateral": COLLATERAL_WRITERS,
    "api.collateral_book": COLLATERAL_BOOK_READERS,
    "api.list_inspections": CASE_READERS,
    "api.start_inspection": INSPECTION_STARTERS,
    "api.list_documents": DOCUMENT_READERS,
    "api.attach_document": DOCUMENT_ATTACHERS,
    "api.get_document": DOCUMENT_READERS,
    "api.document_content": DOCUMENT_READERS,
    "api.list_facilities": CASE_READERS,
    "api.my_customer_list": frozenset({OFFICER, APPROVER, RISK}),
    "api.transfer_customer": RELATIONSHIP_MANAGERS,
}

# Values of the path parameters that are not seeded ids, and the endpoints that take another object.
PATH_VALUES = {
    "code": "en",
    "filename": "favicon.ico",
    "process_id": "credit_application",
    "version": 1,
    "decision": "reject",
    "dmn_file": "approval_authority.dmn",
    "migration_id": 1,
    "source": "tax",
}
PATH_BY_ENDPOINT = {
    "audit.export": {"kind": "csv"},
    "cases.history": {"kind": "csv"},
    "monitoring.import_template": {"kind": "csv"},
    "cases.document": {"kind": "credit_memo"},
    "editor.edit": {"kind": "workflows", "name": "credit_application.bpmn"},
    "editor.save": {"kind": "workflows", "name": "credit_application.bpmn"},
    "editor.discard": {"kind": "workflows", "name": "credit_application.bpmn"},
    "editor.check_status": {"check_id": 10**6},  # none: a designer is told so (404), anyone else refused
}
# Bodies that take a request past its parsing to the check (a save at a revision nobody has stops there).
JSON_BODIES = {
    "api.create_case": {"process": "credit_application"},
    "api.withdraw_case": {"reason": "who may withdraw"},
    "api.complete": {"data": {}},
    "editor.save": {"content": "", "revision": 10**6},
}


def allowed(endpoint: str, method: str) -> frozenset:
    row = ACCESS[endpoint]
    return row[method] if isinstance(row, Mapping) else row


def unlisted(app: Flask) -> list[str]:
    """Endpoints of ``app`` without a row in the table (or a row without one of the route's methods)."""
    missing = set()
    for rule in app.url_map.iter_rules():
        row = ACCESS.get(rule.endpoint)
        if row is None or (isinstance(row, Mapping) and not set(methods(rule)) <= set(row)):
            missing.add(rule.endpoint)
    return sorted(missing)


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def probes(
    app: Flask,
    ids: Mapping[str, object],
    extra: Mapping[str, Mapping[str, object]] = {},
    only: Collection[str] | None = None,
) -> Iterable:
    """(endpoint, method, path, json body or None) for every rule and method of ``app``, logout last."""
    found = []
    for rule in app.url_map.iter_rules():
        if only is not None and rule.endpoint not in only:
            continue
        values = {
            **PATH_VALUES,
            **ids,
            **PATH_BY_ENDPOINT.get(rule.endpoint, {}),
            **extra.get(rule.endpoint, {}),
        }
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        for method in methods(rule):
            body = (
                JSON_BODIES.get(rule.endpoint, {})
                if rule.endpoint.startswith(("api.", "editor.save"))
                else None
            )
            found.append((rule.endpoint == "auth.logout", path, method, rule.endpoint, body))
    return [(endpoint, method, path, body) for _last, path, method, endpoint, body in sorted(found)]


def outcome(response) -> str:
    """reached | refused | log in | failed"""
    if response.status_code >= 500:
        return "failed"
    to_log_in = response.status_code == 302 and "/login?next=" in response.headers.get("Location", "")
    if to_log_in or (response.status_code == 401 and response.request.path.startswith("/api/")):
        return "log in"
    return "refused" if response.status_code == 403 else "reached"


def expected(endpoint: str, method: str, role: str | None) -> str:
    if endpoint in SIGNED_ONLY:  # the source's signature, not a session: everyone is asked to sign (401)
        return "log in"
    if role in allowed(endpoint, method):
        return "reached"
    return "log in" if role is None else "refused"


def probe(
    app: Flask,
    roles: Iterable[str | None],
    login: Callable,
    ids: Mapping,
    extra: Mapping = {},
    only: Collection[str] | None = None,
) -> list[str]:
    """Request every route as each role; one line per answer that is not what the table says.
    ``login(role)`` gives (test client, headers) of a new session of that role's user (None: anonymous)."""
    sessions = {role: login(role) for role in roles}
    wrong = []
    for endpoint, method, path, body in probes(app, ids, extra, only):
        if endpoint not in ACCESS:
            wrong.append(f"{endpoint} ({method} {path}): no row in the table of who may reach what")
            continue
        # Refused roles first: a permitted request that changes the object (a withdrawal) must not hide them.
        for role in sorted(sessions, key=lambda role: role in allowed(endpoint, method)):
            client, headers = login(role) if endpoint == "auth.logout" else sessions[role]
            kwargs = {"json": body} if body is not None else {"data": {}}
            response = client.open(path, method=method, headers=headers, **kwargs)
            got, want = outcome(response), expected(endpoint, method, role)
            if got != want:
                wrong.append(
                    f"{endpoint} ({method} {path}) as {role or 'anonymous'}: {response.status_code} "
                    f"({got}), the table says {want}"
                )
    return wrong
