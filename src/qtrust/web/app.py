"""``qtrust web``: the governance app — a thin shell of server-rendered pages over :mod:`qtrust.workflow`.

Every action goes through the library call its CLI twin uses (``qtrust approve``, ``qtrust incident
open``) and is signed with the acting person's own key, decrypted with the passphrase they type at that
moment (step-up); the verifier cannot tell a web sign-off from a CLI one. Every route checks, on the server,
that the session is valid and its person is on the roster; each POST checks the CSRF token first; the
governance rules (own request, roles, separation of duties) are the library's, so a refused action records
nothing and answers 403 with the reason. Pages work without JavaScript; templates escape every value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.web import views
from qtrust.web.accounts import Accounts
from qtrust.web.attachments import MAX_BYTES, Attachments
from qtrust.web.security import COOKIE, LoginThrottle, Sessions, WebSession, csrf_ok, home_secret
from qtrust.workflow import checklists, documents, evidence, incidents, people, records, signoff
from qtrust.workflow.evidence import inclusion_proof as show_proof
from qtrust.workflow.session import Session
from qtrust.workflow.verification import verify_local

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class LedgerCache:
    """The verified ledger, read again only when the log changed (its size or latest checkpoint) or after
    ``ttl_s``: a page then costs two small queries instead of a verification of every entry, so neither its
    time nor its queries grow with the log. "Verify the log now" always verifies every entry afresh."""

    def __init__(self, session: Session, ttl_s: float = 60.0) -> None:
        self.session, self.ttl_s = session, ttl_s
        self._lock = threading.Lock()
        self._cached: tuple[Any, float, Any] | None = None  # (key, time read, ledger)
        self._derived: dict[str, tuple[Any, Any]] = {}  # name → (the ledger it came from, value)

    def _key(self) -> Any:
        log = self.session.workspace.open_log()
        with log.store:
            checkpoint = log.store.latest_checkpoint()
            return log.size(), checkpoint.note if checkpoint else None

    def get(self) -> Any:
        key, now = self._key(), time.monotonic()
        with self._lock:
            if self._cached is not None and self._cached[0] == key and now - self._cached[1] < self.ttl_s:
                return self._cached[2]
        with self.session.reading() as (_, ledger):
            pass
        with self._lock:
            self._cached = (key, now, ledger)
            self._derived = {}
        return ledger

    def derived(self, ledger: Any, name: str, compute: Any) -> Any:
        """``compute(ledger)``, computed once per ledger read (a page's summary of every entry, such as the
        overview's checklist verdicts, costs nothing more while the log is unchanged)."""
        with self._lock:
            hit = self._derived.get(name)
            if hit is not None and hit[0] is ledger:
                return hit[1]
        value = compute(ledger)
        with self._lock:
            self._derived[name] = (ledger, value)
        return value


class SignedFiles:
    """Files called ``name`` under ``roots`` (three levels deep at most), found by their SHA-256: only a file
    whose bytes are the signed ones is ever served, wherever it lies."""

    def __init__(self, roots: Sequence[Path], name: str) -> None:
        self.roots, self.name = [Path(r) for r in roots], name

    def find(self, sha256: str) -> bytes | None:
        for root in self.roots:
            for depth in ("", "*/", "*/*/"):
                for path in root.glob(f"{depth}{self.name}"):
                    data = path.read_bytes()
                    if hashlib.sha256(data).hexdigest() == sha256:
                        return data
        return None


class _RefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def create_web_app(
    session: Session,
    *,
    secure_cookies: bool = False,
    max_age: int = 8 * 3600,
    throttle: LoginThrottle | None = None,
    outputs: Sequence[Path] = (),
) -> FastAPI:
    """The app over ``session``'s workspace and store; ``session.log_passphrase`` signs what the log key signs.

    ``outputs``: folders holding audit outputs; an audit's report is shown only from a ``report.html`` there
    whose SHA-256 is the one its entry signed.
    """
    app = FastAPI(title="qtrust", docs_url=None, redoc_url=None, openapi_url=None)
    home = session.workspace.home
    accounts = Accounts(home)
    attachments = Attachments(home)
    sessions = Sessions(home_secret(home), max_age=max_age)
    throttle = throttle or LoginThrottle()
    ledgers = LedgerCache(session)
    reports = SignedFiles(outputs, "report.html")
    lists = checklists.checklists()  # read once: the shipped checklists do not change while serving

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in HEADERS.items():  # a route's own stricter header (an attachment's sandbox) stays
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(_RefusedError)
    async def refused(request: Request, error: _RefusedError) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "refused.html", {"message": error.message, "me": None}, status_code=error.status
        )

    def page(request: Request, template: str, me: WebSession, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, template, {"me": me, **context})

    def current(request: Request) -> tuple[WebSession, Any]:
        """The valid session and the verified ledger, or a redirect to the login page."""
        me = sessions.read(request.cookies.get(COOKIE))
        if me is None:
            raise _RefusedError(401, "Please log in.")
        ledger = ledgers.get()
        if me.person not in views.roster(ledger):
            raise _RefusedError(403, f"{me.person} is not on the project roster.")
        return me, ledger

    def posted(request: Request, token: str | None) -> tuple[WebSession, Any]:
        me, ledger = current(request)
        if not csrf_ok(me, token):
            raise _RefusedError(
                403, "The form is stale or was not sent by this site (CSRF). Reload the page and try again."
            )
        return me, ledger

    def signed(call: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one recorded operation; the library's refusal (own request, missing role, wrong passphrase, a
        bad field) is a 403 with its reason, and nothing was recorded."""
        try:
            return call(*args, **kwargs)
        except InputError as error:
            raise _RefusedError(403, str(error)) from None

    async def uploaded(form: Any, field: str, limit: int) -> tuple[bytes, str] | None:
        """A form's file (its bytes and the name the browser sent), refused past ``limit`` bytes; None if empty."""
        upload = form.get(field)
        if upload is None or not hasattr(upload, "read"):
            return None
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise _RefusedError(413, f"The file is larger than {limit:,} bytes.")
        return (data, upload.filename or "") if data else None

    def acting(me: WebSession, passphrase: str) -> Session:
        """The session that signs as ``me``, with the passphrase they just typed (step-up)."""
        secret = passphrase.encode()
        return dataclasses.replace(session, person_passphrase=lambda confirm: secret)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "login.html", {"me": None, "error": None})

    @app.post("/login")
    def login(request: Request, person: str = Form(...), password: str = Form(...)) -> Response:
        client = f"ip:{request.client.host if request.client else '?'}"
        if throttle.blocked(f"person:{person}", client):
            return TEMPLATES.TemplateResponse(
                request,
                "login.html",
                {"me": None, "error": "Too many failed logins. Try again later."},
                status_code=429,
            )
        on_roster = person in views.roster(ledgers.get())
        if not (accounts.check(person, password) and on_roster):
            throttle.failed(f"person:{person}", client)
            return TEMPLATES.TemplateResponse(
                request,
                "login.html",
                {"me": None, "error": "Unknown person or wrong password."},
                status_code=401,
            )
        throttle.succeeded(f"person:{person}")
        _, cookie = sessions.issue(person)  # a new session id and CSRF token at every login
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE, cookie, max_age=max_age, httponly=True, samesite="strict", secure=secure_cookies
        )
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: str | None = Form(None)) -> Response:
        posted(request, csrf)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> Response:
        try:
            me, ledger = current(request)
        except _RefusedError as error:
            if error.status == 401:
                return RedirectResponse("/login", status_code=303)
            raise
        view = ledgers.derived(
            ledger, "overview", lambda read: views.overview(read, checklists.status_of(read, lists))
        )
        return page(request, "overview.html", me, view=view, roles=views.roster(ledger))

    @app.get("/approvals", response_class=HTMLResponse)
    def approvals(request: Request) -> HTMLResponse:
        me, ledger = current(request)
        return page(
            request, "approvals.html", me, requests=views.requests(ledger), roles=views.roster(ledger)
        )

    @app.post("/approvals/{seq}")
    def sign_off(
        request: Request,
        seq: int,
        csrf: str | None = Form(None),
        decision: str = Form("approve"),
        passphrase: str = Form(""),
        note: str = Form(""),
    ) -> Response:
        me, _ = posted(request, csrf)
        if decision not in ("approve", "reject"):
            raise _RefusedError(400, "A sign-off approves or rejects.")
        signed(
            signoff.approve, acting(me, passphrase), me.person, seq, reject=decision == "reject", note=note
        )
        return RedirectResponse("/approvals", status_code=303)

    @app.post("/requests")
    def request_release(
        request: Request,
        csrf: str | None = Form(None),
        gate: str = Form(""),
        note: str = Form(""),
        passphrase: str = Form(""),
    ) -> Response:
        """Ask for release sign-off citing a passing gate decision (the rules are `qtrust request release`'s)."""
        me, _ = posted(request, csrf)  # the session and the token first, then the fields
        if not gate.isdigit():
            raise _RefusedError(400, "Cite the gate decision's entry number.")
        signed(signoff.request_release, acting(me, passphrase), me.person, int(gate), note)
        return RedirectResponse("/approvals", status_code=303)

    @app.get("/incidents", response_class=HTMLResponse)
    def incident_list(request: Request) -> HTMLResponse:
        me, ledger = current(request)
        return page(request, "incidents.html", me, incidents=views.all_incidents(ledger))

    @app.post("/incidents")
    def incident_open(
        request: Request,
        csrf: str | None = Form(None),
        title: str = Form(""),
        severity: str = Form("medium"),
        description: str = Form(""),
        passphrase: str = Form(""),
    ) -> Response:
        me, _ = posted(request, csrf)
        signed(
            incidents.open_incident,
            acting(me, passphrase),
            me.person,
            title=title,
            severity=severity,
            description=description,
        )
        return RedirectResponse("/incidents", status_code=303)

    @app.post("/incidents/{incident_id}")
    def incident_event(
        request: Request,
        incident_id: str,
        csrf: str | None = Form(None),
        event: str = Form("update"),
        note: str = Form(""),
        rollback: str = Form(""),
        passphrase: str = Form(""),
    ) -> Response:
        """Update an open incident, or close it with the rollback taken and the resolution."""
        me, _ = posted(request, csrf)
        if event == "close":
            signed(
                incidents.close_incident,
                acting(me, passphrase),
                me.person,
                incident_id,
                rollback=rollback,
                resolution=note,
            )
        elif event == "update":
            signed(incidents.update_incident, acting(me, passphrase), me.person, incident_id, note)
        else:
            raise _RefusedError(400, "An incident is updated or closed.")
        return RedirectResponse("/incidents", status_code=303)

    @app.get("/gates", response_class=HTMLResponse)
    def gates(request: Request) -> HTMLResponse:
        me, ledger = current(request)
        return page(request, "gates.html", me, gates=views.gates(ledger))

    @app.get("/audits/{seq}", response_class=HTMLResponse)
    def audit(request: Request, seq: int) -> HTMLResponse:
        me, ledger = current(request)
        entry = ledger.entry(seq)
        if entry is None or entry.predicate_type != statements.SLSA_PROVENANCE_V1:
            raise _RefusedError(404, f"Entry {seq} is not a verified audit.")
        try:
            proof = show_proof(session, seq)
        except InputError as error:
            proof = {"error": str(error)}
        return page(request, "audit.html", me, audit=views.audit(ledger, entry), proof=proof)

    @app.get("/audits/{seq}/report")
    def audit_report(request: Request, seq: int) -> Response:
        """The audit's own HTML report, if a file with its signed digest is on hand; sandboxed (no script runs,
        its own origin)."""
        _, ledger = current(request)
        entry = ledger.entry(seq)
        if entry is None or entry.predicate_type != statements.SLSA_PROVENANCE_V1:
            raise _RefusedError(404, f"Entry {seq} is not a verified audit.")
        digest = next(
            (
                (s.get("digest") or {}).get("sha256")
                for s in entry.statement.get("subject", [])
                if s.get("name") == "report.html"
            ),
            None,
        )
        found = reports.find(digest) if digest else None
        if found is None:
            raise _RefusedError(
                404, "No report.html with this audit's signed digest is on hand (qtrust web --outputs DIR)."
            )
        return Response(
            found,
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            },
        )

    @app.get("/checklists", response_class=HTMLResponse)
    def checklist_page(request: Request) -> HTMLResponse:
        me, ledger = current(request)
        return page(
            request,
            "checklists.html",
            me,
            status=ledgers.derived(ledger, "checklists", lambda read: checklists.status_of(read, lists)),
        )

    @app.post("/checklists/attest")
    async def attest(request: Request) -> Response:
        """An attestation, with its document stored by content (size and type checked before anything)."""
        if int(request.headers.get("content-length") or 0) > MAX_BYTES + 64 * 1024:
            raise _RefusedError(413, f"The upload is larger than {MAX_BYTES:,} bytes.")
        form = await request.form()
        me, _ = posted(request, form.get("csrf"))  # type: ignore[arg-type]
        upload = await uploaded(form, "attachment", MAX_BYTES)
        stored = signed(attachments.store, *upload) if upload else None
        await run_in_threadpool(
            signed,
            checklists.attest,
            acting(me, str(form.get("passphrase") or "")),
            me.person,
            str(form.get("item") or ""),
            str(form.get("note") or ""),
            stored.path if stored else None,
        )
        return RedirectResponse("/checklists", status_code=303)

    @app.get("/attachments/{digest}")
    def attachment(request: Request, digest: str) -> Response:
        current(request)
        found = attachments.get(digest)
        if found is None:
            raise _RefusedError(404, "No such attachment.")
        return Response(
            found.path.read_bytes(),
            media_type=found.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{digest}"',
                "Content-Security-Policy": "sandbox; default-src 'none'",
            },
        )

    @app.get("/records", response_class=HTMLResponse)
    def record_page(request: Request) -> HTMLResponse:
        me, _ = current(request)
        return page(
            request,
            "records.html",
            me,
            risks=records.latest(session, "risk"),
            impacts=records.latest(session, "impact"),
        )

    @app.post("/records/{kind}")
    async def record(request: Request, kind: str) -> Response:
        """A risk or an impact assessment from its form (lists one item per line), checked by the library."""
        if kind not in ("risk", "impact"):
            raise _RefusedError(404, "Records are risks or impact assessments.")
        form = await request.form()
        me, _ = posted(request, form.get("csrf"))  # type: ignore[arg-type]
        lists = {
            "who_benefits",
            "who_may_be_harmed",
            "mitigations",
            "checklist_items",
            "affected_groups",
            "fundamental_rights",
        }
        fields = {
            name: [line.strip() for line in str(value).splitlines() if line.strip()]
            if name in lists
            else str(value)
            for name, value in form.items()
            if name not in ("csrf", "passphrase") and str(value).strip()
        }
        try:
            await run_in_threadpool(
                records.record,
                acting(me, str(form.get("passphrase") or "")),
                me.person,
                kind,
                fields,  # type: ignore[arg-type]
            )
        except InputError as error:
            raise _RefusedError(403, str(error)) from None
        return RedirectResponse("/records", status_code=303)

    @app.get("/documents", response_class=HTMLResponse)
    def document_page(request: Request) -> HTMLResponse:
        me, _ = current(request)
        return page(request, "documents.html", me, documents=documents.render(session))

    @app.get("/documents/{name}")
    def download(request: Request, name: str) -> Response:
        current(request)
        rendered = documents.render(session)
        files = {
            documents.TECHNICAL_DOCUMENTATION: rendered.technical_documentation,
            documents.TRANSPARENCY_SUMMARY: rendered.transparency_summary,
        }
        if name not in files:
            raise _RefusedError(404, f"No document {name!r}.")
        return Response(
            files[name],
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/log/bundle")
    def bundle(request: Request) -> Response:
        """The offline bundle an auditor verifies with `qtrust verify BUNDLE` (entries, proofs, checkpoints, keys)."""
        current(request)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "evidence-bundle.json"
            signed(evidence.export, session, path)
            data = path.read_bytes()
        return Response(
            data,
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="evidence-bundle.json"'},
        )

    @app.get("/people", response_class=HTMLResponse)
    def people_page(request: Request) -> HTMLResponse:
        me, ledger = current(request)
        return page(
            request,
            "people.html",
            me,
            roles=views.roster(ledger),
            owner="owner" in views.roster(ledger).get(me.person, []),
        )

    @app.post("/people")
    async def people_add(request: Request) -> Response:
        """The owner adds a person (or changes their roles) with the key claim the person made on their own
        machine (`qtrust people keygen`); only the public key and the signed claim ever reach the server."""
        form = await request.form()
        me, _ = posted(request, form.get("csrf"))  # type: ignore[arg-type]
        upload = await uploaded(form, "claim", 64 * 1024)
        roles = [r.strip() for r in str(form.get("roles") or "").split(",") if r.strip()]
        with tempfile.TemporaryDirectory() as folder:
            claim = None
            if upload:
                claim = Path(folder) / "claim.json"
                claim.write_bytes(upload[0])
            await run_in_threadpool(
                signed,
                people.add_person,
                acting(me, str(form.get("passphrase") or "")),
                me.person,
                person_id=str(form.get("person_id") or ""),
                name=str(form.get("name") or ""),
                roles=roles,
                claim=claim,
            )
        return RedirectResponse("/people", status_code=303)

    @app.get("/log", response_class=HTMLResponse)
    def log(request: Request) -> HTMLResponse:
        me, ledger = current(request)
        return page(request, "log.html", me, entries=views.entries(ledger)[:500], report=None)

    @app.post("/log/verify", response_class=HTMLResponse)
    def verify(request: Request, csrf: str | None = Form(None)) -> HTMLResponse:
        me, ledger = posted(request, csrf)
        report = verify_local(session).report
        return page(request, "log.html", me, entries=views.entries(ledger)[:500], report=report)

    return app
