"""A stand-in for GOV.UK Notify's API, run by the test itself on 127.0.0.1.

Notify cannot be reached from here, so the transport is tested against this
server, which checks what Notify checks and answers as Notify's API
documentation says (https://docs.notifications.service.gov.uk/rest-api.html):

- every request must carry `Authorization: Bearer <JWT>`, the token signed
  with HS256 with the API key's secret, `iss` the service id and `iat`
  within 30 seconds of now; otherwise 403 AuthError;
- `POST /v2/notifications/email` and `/sms` need a known template of that
  type and every placeholder of it in `personalisation` (400
  BadRequestError / ValidationError otherwise), and answer 201 with the
  documented body;
- `GET /v2/notifications/{id}` answers 200 with the notification (its
  status as the test sets it) or 404 NoResultFound;
- `fail_next(status, error, message)` makes the next request answer with
  that documented error (429 RateLimitError / TooManyRequestsError, 500
  Exception, ...).
Every request is recorded (method, path, JSON body, the token's claims).
"""

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")


class Request:
    def __init__(self, method, path, body, claims):
        self.method, self.path, self.body, self.claims = method, path, body, claims


class FakeNotify:
    def __init__(self):
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.email_template = str(uuid.uuid4())
        self.sms_template = str(uuid.uuid4())
        self.templates = {
            self.email_template: ("email", "((subject))", "((body))"),
            self.sms_template: ("sms", None, "((body))"),
        }
        self.requests: list[Request] = []
        self.notifications: dict[str, dict] = {}
        self._failures: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()
        self._server = None

    @property
    def api_key(self) -> str:
        """As Notify issues them: key name, service id, secret."""
        return f"sendportal_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail_next(self, status: int, error: str, message: str) -> None:
        with self._lock:
            self._failures.append((status, error, message))

    def set_status(self, notify_id, status: str) -> None:
        with self._lock:
            self.notifications[str(notify_id)]["status"] = status

    def posts(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    def gets(self) -> list[Request]:
        return [r for r in self.requests if r.method == "GET"]

    # --- answering -----------------------------------------------------------------------

    def _claims(self, header: str | None):
        if not header or not header.startswith("Bearer "):
            return None, "Unauthorized: authentication token must be provided"
        token = header[len("Bearer "):]
        try:
            if jwt.get_unverified_header(token).get("alg") != "HS256":
                return None, "Invalid token: algorithm used is not HS256"
            claims = jwt.decode(token, key=self.secret, algorithms=["HS256"],
                                options={"require": ["iss", "iat"], "verify_iat": False})
        except jwt.InvalidTokenError:
            return None, "Invalid token: API key not found"
        if claims["iss"] != self.service_id:
            return None, "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > 30:
            return None, "Error: Your system clock must be accurate to within 30 seconds"
        return claims, None

    def answer(self, method: str, path: str, headers, raw: bytes) -> tuple[int, dict]:
        claims, auth_error = self._claims(headers.get("Authorization"))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(Request(method, path, body, claims))
            failure = self._failures.pop(0) if self._failures else None
        if auth_error:
            return error(403, "AuthError", auth_error)
        if failure:
            return error(*failure)
        if method == "POST" and path in ("/v2/notifications/email", "/v2/notifications/sms"):
            return self._send(path.rsplit("/", 1)[1], body or {})
        found = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", path)
        if method == "GET" and found:
            with self._lock:
                notification = self.notifications.get(found.group(1))
            if notification is None:
                return error(404, "NoResultFound", "No result found")
            return 200, dict(notification)
        return error(404, "NoResultFound", "No result found")

    def _send(self, kind: str, body: dict) -> tuple[int, dict]:
        recipient_field = "email_address" if kind == "email" else "phone_number"
        if not body.get(recipient_field):
            return error(400, "ValidationError", f"{recipient_field} is a required property")
        template = self.templates.get(body.get("template_id"))
        if template is None or template[0] != kind:
            return error(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation") or {}
        _, subject, text = template
        needed = PLACEHOLDER.findall((subject or "") + text)
        missing = [name for name in needed if name not in personalisation]
        if missing:
            return error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")

        def fill(template_text):
            return PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), template_text)

        notify_id = str(uuid.uuid4())
        content = {"body": fill(text)}
        if kind == "email":
            content.update(subject=fill(subject), from_email="send.feedback@notifications.service.gov.uk",
                           one_click_unsubscribe_url=None)
        else:
            content["from_number"] = "GOVUK"
        response = {
            "id": notify_id, "reference": body.get("reference"), "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notify_id}",
            "template": {"id": body["template_id"], "version": 1,
                         "uri": f"{self.base_url}/services/{self.service_id}/templates/"
                                f"{body['template_id']}"},
        }
        with self._lock:
            self.notifications[notify_id] = {
                "id": notify_id, "reference": body.get("reference"), "type": kind,
                recipient_field: body[recipient_field], "status": "created",
                "template": response["template"], "body": content["body"],
                "subject": content.get("subject"), "created_at": "2026-12-07T09:00:00.000000Z",
                "created_by_name": None, "sent_at": None, "completed_at": None,
            }
        return 201, response

    # --- running -------------------------------------------------------------------------

    def start(self) -> "FakeNotify":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _respond(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, payload = fake.answer(method, self.path, self.headers, raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 - http.server's hook
                self._respond("GET")

            def do_POST(self):  # noqa: N802 - http.server's hook
                self._respond("POST")

            def log_message(self, *args):  # its own access log would go to stderr
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def error(status: int, name: str, message: str) -> tuple[int, dict]:
    """Notify's documented error body."""
    return status, {"errors": [{"error": name, "message": message}], "status_code": status}
