"""The mixed load of issue #23 (part 4) for Locust, run headless by `python -m bench load` (bench/load/__init__.py).

Five kinds of user, by weight: citizens browsing the public pages, citizens logged in following their
dossiers and submitting one online now and then, officials working their inbox (log in once with
password and TOTP, open a dossier, assign it), and a connected system reading the API. The runner
prepares the accounts and writes what the users need (accounts, TOTP keys, codes to look up) to the
JSON file named by BENCH_LOAD_DATA; this file imports nothing of Django, as Locust's gevent runs it.

Every request is named "<group>: <page>" (groups: citizen, official, api, login) so the runner can
report percentiles per group; each sample is also written to BENCH_LOAD_SAMPLES (JSON lines).

Each user speaks from a loopback address of its own (127.a.b.n, new a.b every run) when the server is
on this machine: the portal counts look-ups and logins per address, as it would count real citizens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DATA: dict = {}
if os.environ.get("BENCH_LOAD_DATA"):
    with open(os.environ["BENCH_LOAD_DATA"], encoding="utf-8") as _file:
        DATA = json.load(_file)

WEIGHTS: dict[str, int] = DATA.get("weights", {})
LOOKUP_BUDGET = 15  # the portal allows 20 look-ups per address per 10 minutes
SEARCHES = ["khai sinh", "dang ky ket hon", "giấy phép xây dựng", "ho kinh doanh", "đất", "chứng thực"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACT_FORM = re.compile(r'action="(?P<action>[^"]*/act/(?P<transition>[^/"]+)/)"')
LOCK = re.compile(r'name="lock_version" value="(\d+)"')
ASSIGNEE = re.compile(r'<select name="assignee"[^>]*>\s*<option value="(\d+)"')
ERRORS = re.compile(r'<div class="error-summary"[^>]*>(.*?)</div>', re.S)
ROW = re.compile(r'href="(/desk/dossiers/dossier/(\d+)/change/)')

_addresses = itertools.count(10)
_prefix = f"127.{random.randrange(1, 255)}.{random.randrange(0, 255)}"  # noqa: S311 - not security
_officials = iter(DATA.get("officials", []))
_submitters = itertools.cycle(DATA.get("submitters", []) or [None])

# A browser sends a GET again when the kept-alive connection it reused turns out closed by the server
# (gunicorn closes one idle for `keepalive` seconds, 5, and a user may think longer); requests does not.
BROWSER_RETRY = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods=frozenset({"GET"}))

SAMPLES_PATH = os.environ.get("BENCH_LOAD_SAMPLES")
_samples: list[str] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, response=None, **_kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    _samples.append(
        json.dumps(
            {"t": time.time(), "name": name, "ms": response_time, "status": status, "error": str(exception or "")}
        )
    )


@events.quitting.add_listener
def _write_samples(environment, **_kwargs):
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w", encoding="utf-8") as file:
            file.write("\n".join(_samples) + "\n")


class _SourceAddress(HTTPAdapter):
    """Connections from one loopback address."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def totp(secret: str, at: float) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as django_otp.oath.totp computes it."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class _User(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.headers.update({"Accept-Language": "vi", "User-Agent": "bench-load"})
        if urlsplit(self.host).hostname == "127.0.0.1":  # not "localhost": it may resolve to ::1
            adapter = _SourceAddress(f"{_prefix}.{next(_addresses) % 240 + 10}", max_retries=BROWSER_RETRY)
        else:
            adapter = HTTPAdapter(max_retries=BROWSER_RETRY)
        self.client.mount("http://", adapter)
        self.client.mount("https://", adapter)

    def browser_cookies(self) -> None:
        """Send the Secure cookies back over plain HTTP to loopback, as browsers do (they count
        127.0.0.1 as a secure origin) and `requests` does not: behind the cluster's nginx the production
        settings mark the session and CSRF cookies Secure, and every login would answer 403."""
        if urlsplit(self.host).hostname in ("127.0.0.1", "localhost"):
            for cookie in self.client.cookies:
                cookie.secure = False

    def get(self, path: str, name: str, **kwargs):
        self.browser_cookies()
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {path}")
            return response

    def csrf(self, html: str) -> str:
        self.browser_cookies()  # the form's POST follows
        match = CSRF.search(html)
        return match[1] if match else self.client.cookies.get("csrftoken", "")


class CitizenBrowsing(_User):
    """Anyone on the public pages: home, procedure search and page, look-up by code, the quality page."""

    weight = WEIGHTS.get("CitizenBrowsing", 60)
    wait_time = between(1, 3)

    def on_start(self) -> None:
        super().on_start()
        self.lookups = 0

    @task(2)
    def home(self) -> None:
        self.get("/", "citizen: trang chủ")

    @task(3)
    def search(self) -> None:
        self.get(f"/thu-tuc/?q={random.choice(SEARCHES)}", "citizen: tìm thủ tục")  # noqa: S311

    @task(3)
    def procedure(self) -> None:
        self.get(f"/thu-tuc/{random.choice(DATA['procedures'])}/", "citizen: trang thủ tục")  # noqa: S311

    @task(2)
    def lookup(self) -> None:
        if self.lookups >= LOOKUP_BUDGET or not DATA.get("lookups"):
            return self.home()
        self.lookups += 1
        code, digits = random.choice(DATA["lookups"])  # noqa: S311
        self.get(f"/tra-cuu/?code={code}&last_digits={digits}", "citizen: tra cứu hồ sơ")

    @task(1)
    def quality(self) -> None:
        self.get("/danh-gia-chat-luong/", "citizen: đánh giá chất lượng")


class CitizenSubmitting(_User):
    """A citizen logged in with their password: their dossiers, now and then a new one online."""

    weight = WEIGHTS.get("CitizenSubmitting", 10)
    wait_time = between(2, 5)

    def on_start(self) -> None:
        super().on_start()
        account = next(_submitters)
        if account is None:
            raise StopUser
        self.account = account
        self.dossiers: list[str] = []  # submitted in this run: the accounts are new every run
        page = self.get("/tai-khoan/dang-nhap/", "login: công dân (trang)")
        with self.client.post(
            "/tai-khoan/dang-nhap/",
            data={
                "username": account["username"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": self.csrf(page.text),
            },
            headers={"Referer": self.host + "/tai-khoan/dang-nhap/"},
            name="login: công dân",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"đăng nhập công dân: {response.status_code}")
                raise StopUser

    @task(4)
    def my_dossiers(self) -> None:
        self.get("/ho-so-cua-toi/", "citizen: hồ sơ của tôi")

    @task(3)
    def my_dossier(self) -> None:
        if self.dossiers:
            self.get(random.choice(self.dossiers), "citizen: một hồ sơ của tôi")  # noqa: S311

    @task(1)
    def submit(self) -> None:
        code = DATA["online_procedure"]
        page = self.get(f"/thu-tuc/{code}/", "citizen: trang thủ tục")
        referer = {"Referer": f"{self.host}/thu-tuc/{code}/"}
        with self.client.post(
            f"/thu-tuc/{code}/nop-truc-tuyen/",
            data={"csrfmiddlewaretoken": self.csrf(page.text)},
            headers=referer,
            name="citizen: nộp trực tuyến (bản nháp)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            match = re.search(r"/nop-ho-so/(\d+)/", response.headers.get("Location", ""))
            if response.status_code != 302 or not match:
                response.failure(f"nộp trực tuyến: {response.status_code}")
                return
        draft = f"/nop-ho-so/{match[1]}/"
        page = self.get(draft, "citizen: bản nháp")
        fields = {
            "csrfmiddlewaretoken": self.csrf(page.text),
            "action": "submit",
            **{f"f-{key}": value for key, value in DATA["eform"].items()},
            "receiving_desk": DATA["desk_id"],
            "phone": self.account["phone"],
            "email": self.account["email"],
            "address": "Số 7, đường Phạm Tung, Phường 3, thành phố Tây Ninh",
            "return_method": "online",
        }
        files = {
            f"file-{requirement}": (f"giay-to-{i}.pdf", _pdf(f"{draft}-{i}"), "application/pdf")
            for i, requirement in enumerate(DATA["requirements"], start=1)
        }
        with self.client.post(
            draft,
            data=fields,
            files=files,
            headers={"Referer": self.host + draft},
            name="citizen: nộp hồ sơ (3 tệp)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/ho-so-cua-toi/" not in location:
                response.failure(f"nộp hồ sơ: {response.status_code} {_form_errors(response.text)}")
                return
        self.dossiers.append(urlsplit(location).path)
        self.get(self.dossiers[-1], "citizen: một hồ sơ của tôi")


def _form_errors(html: str) -> str:
    """The form's error messages, for the failure's line."""
    return "; ".join(re.sub(r"<[^>]+>", " ", item).strip() for item in ERRORS.findall(html))[:300]


def _pdf(label: str) -> bytes:
    """A small valid PDF, different every time (the store refuses nothing, clamd scans each).

    Written out here rather than imported from bench.common: locust loads this file in a process of its
    own that speaks HTTP only, with neither the repository nor Django on its path."""
    content = f"BT /F1 12 Tf 72 720 Td (Giay to thu tai {label} {random.random()}) Tj ET".encode()  # noqa: S311
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Official(_User):
    """An agency head: logs in once (password, then the authenticator's code), works the inbox."""

    weight = WEIGHTS.get("Official", 20)
    wait_time = between(2, 5)

    def on_start(self) -> None:
        super().on_start()
        account = next(_officials, None)
        if account is None:  # one account per official user: a TOTP code is accepted once
            raise StopUser
        page = self.get("/desk/login/", "login: cán bộ (trang)")
        with self.client.post(
            "/desk/login/?next=/desk/",
            data={
                "username": account["username"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": self.csrf(page.text),
            },
            headers={"Referer": self.host + "/desk/login/"},
            name="login: cán bộ (mật khẩu)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"đăng nhập cán bộ: {response.status_code}")
                raise StopUser
        page = self.get("/desk/xac-thuc/?next=/desk/", "login: cán bộ (trang mã xác thực)")
        # The code of the step after the last one the server accepted (the runner waited so it is at
        # most one step ahead, inside the server's tolerance).
        at = max(time.time(), (account["last_t"] + 1) * 30)
        with self.client.post(
            "/desk/xac-thuc/?next=/desk/",
            data={"token": totp(account["secret"], at), "csrfmiddlewaretoken": self.csrf(page.text)},
            headers={"Referer": self.host + "/desk/xac-thuc/"},
            name="login: cán bộ (mã TOTP)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"mã xác thực: {response.status_code}")
                raise StopUser

    @task(3)
    def inbox(self) -> None:
        self.get("/desk/", "official: trang chủ bàn làm việc")

    @task(6)
    def work(self) -> None:
        page = self.get("/desk/dossiers/dossier/?hop=phan-cong", "official: hộp việc chờ phân công")
        rows = ROW.findall(page.text)
        if not rows:
            return
        path, _pk = random.choice(rows)  # noqa: S311
        page = self.get(path, "official: trang hồ sơ")
        form, lock, assignee = ACT_FORM.search(page.text), LOCK.search(page.text), ASSIGNEE.search(page.text)
        if not (form and lock and assignee) or form["transition"] != "phan-cong":
            return  # taken by another official meanwhile: nothing to do here
        with self.client.post(
            form["action"],
            data={
                "csrfmiddlewaretoken": self.csrf(page.text),
                "lock_version": lock[1],
                "assignee": assignee[1],
                "comment": "Phân công thẩm định (thử tải)",
            },
            headers={"Referer": self.host + path},
            name="official: phân công hồ sơ",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"phân công: {response.status_code}")
                return
        self.get(urlsplit(response.headers["Location"]).path, "official: trang hồ sơ")


class ApiClient(_User):
    """A connected system reading the API with its bearer token."""

    weight = WEIGHTS.get("ApiClient", 5)
    wait_time = between(1, 2)

    def on_start(self) -> None:
        super().on_start()
        self.client.headers["Authorization"] = f"Bearer {DATA['api_token']}"

    @task(3)
    def dossiers(self) -> None:
        self.get("/api/v1/dossiers/", "api: danh sách hồ sơ")

    @task(1)
    def received(self) -> None:
        self.get("/api/v1/dossiers/?status=received", "api: hồ sơ đã tiếp nhận")
