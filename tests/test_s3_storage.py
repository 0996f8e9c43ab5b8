"""Private files on S3, against a real S3-compatible server on loopback (moto's).

The storage settings come from clinic/settings.py itself, read in a child
process with S3_* environment variables, so the test exercises what a
deployment gets. moto stores objects and enforces object ACLs, but serves a
presigned URL without checking its signature or its expiry; `SigV4QueryGate`
below puts those two AWS checks in front of it (the SigV4 query-string rules),
so an expired or altered link is refused as S3 refuses it.
"""

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import boto3
import time_machine
from botocore.exceptions import ClientError
from django.conf import settings
from django.test import override_settings
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from clinic.core.downloads import file_url
from clinic.core.tests.files_helpers import image_bytes, pdf_bytes, upload
from clinic.labs.models import LabReport
from clinic.labs.services import lab_report_attach
from clinic.patients.models import Patient
from clinic.patients.services import patient_set_picture
from clinic.testing import BaseTestCase

BASE_DIR = Path(__file__).resolve().parent.parent
BUCKET = "cms-private-test"
ACCESS_KEY = "AKIDCMSTEST"
SECRET_KEY = "cms-test-secret-key-for-moto"
REGION = "ap-south-1"


class SigV4QueryGate:
    """WSGI middleware: checks presigned GETs (SigV4 query auth) for expiry and signature."""

    def __init__(self, app, secrets: dict[str, str]):
        self.app = app
        self.secrets = secrets

    def __call__(self, environ, start_response):
        params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        query = dict(params)
        if "X-Amz-Signature" not in query:
            return self.app(environ, start_response)
        signed_at = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=dt.UTC
        )
        if dt.datetime.now(dt.UTC) > signed_at + dt.timedelta(seconds=int(query["X-Amz-Expires"])):
            return self._deny(start_response, "AccessDenied", "Request has expired")
        if not hmac.compare_digest(self._signature(environ, params), query["X-Amz-Signature"]):
            return self._deny(start_response, "SignatureDoesNotMatch", "Signature mismatch")
        return self.app(environ, start_response)

    def _signature(self, environ, params) -> str:
        query = dict(params)
        access_key, scope = query["X-Amz-Credential"].split("/", 1)
        day, region, service, _ = scope.split("/")
        raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?")[0]
        signed_headers = query["X-Amz-SignedHeaders"].split(";")
        headers = "".join(
            f"{name}:{environ.get('HTTP_' + name.upper().replace('-', '_'), '').strip()}\n"
            for name in signed_headers
        )

        def enc(value: str) -> str:
            return quote(value, safe="-_.~")

        canonical_query = "&".join(
            f"{k}={v}"
            for k, v in sorted((enc(k), enc(v)) for k, v in params if k != "X-Amz-Signature")
        )
        canonical_request = "\n".join(
            [
                environ["REQUEST_METHOD"],
                raw_path,
                canonical_query,
                headers,
                ";".join(signed_headers),
                "UNSIGNED-PAYLOAD",
            ]
        )
        string_to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256",
                query["X-Amz-Date"],
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        key = ("AWS4" + self.secrets.get(access_key, "")).encode()
        for part in (day, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _deny(start_response, code: str, message: str):
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml")])
        return [body]


class GatedMotoServer(ThreadedMotoServer):
    """moto's threaded server with the SigV4 query gate in front."""

    def _server_entry(self) -> None:
        app = SigV4QueryGate(
            DomainDispatcherApplication(create_backend_app), {ACCESS_KEY: SECRET_KEY}
        )
        self._server = make_server(self._ip_address, self._port, app, threaded=True)
        self._server_ready_event.set()
        self._server.serve_forever()


def storage_settings_from_env(endpoint: str, **extra: str) -> dict:
    """STORAGES["default"] as clinic/settings.py builds it from S3_* variables."""
    env = {
        **os.environ,
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_ADDRESSING_STYLE": "path",
        "FILE_URL_TTL_SECONDS": "120",
        "SECRET_KEY": "x" * 50,
        **extra,
    }
    code = (
        "import json, clinic.settings as s; "
        "print(json.dumps({'default': s.STORAGES['default'], 'ttl': s.FILE_URL_TTL_SECONDS}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def fetch(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


class S3StorageTests(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = GatedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        cls.server.start()
        host, port = cls.server.get_host_and_port()
        cls.endpoint = f"http://{host}:{port}"
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=cls.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        cls.s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        from_env = storage_settings_from_env(cls.endpoint)
        cls.storage_from_env, cls.ttl = from_env["default"], from_env["ttl"]
        cls.overrides = override_settings(
            STORAGES={**settings.STORAGES, "default": cls.storage_from_env},
            FILE_URL_TTL_SECONDS=cls.ttl,
        )
        cls.overrides.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.overrides.disable()
        cls.server.stop()

    def setUp(self):
        super().setUp()
        self.report = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="Lipid profile", date=dt.date(2030, 1, 6)
        )
        self.data = pdf_bytes("LDL 96 mg/dL")
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(
                report=self.report, upload=upload(self.data, "Lipids Jan.pdf"), actor=self.staff
            )

    def object_exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=BUCKET, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def test_settings_choose_private_presigned_s3(self):
        """With S3_BUCKET set, the default storage is S3: private ACL, SigV4 presigned, TTL."""
        self.assertEqual(self.storage_from_env["BACKEND"], "storages.backends.s3.S3Storage")
        options = self.storage_from_env["OPTIONS"]
        self.assertEqual(options["default_acl"], "private")
        self.assertIs(options["querystring_auth"], True)
        self.assertEqual((options["querystring_expire"], self.ttl), (120, 120))
        self.assertEqual(options["signature_version"], "s3v4")
        self.assertEqual(options["endpoint_url"], self.endpoint)
        # A bucket with ACLs disabled gets no ACL header at all.
        no_acl = storage_settings_from_env(self.endpoint, S3_DEFAULT_ACL="")
        self.assertIsNone(no_acl["default"]["OPTIONS"]["default_acl"])

    def test_a_report_is_stored_privately_under_a_random_key(self):
        """The object's key is random and its ACL grants nobody but the owner."""
        key = self.report.file.name
        self.assertRegex(key, r"^reports/[A-Za-z0-9_-]{32}\.pdf$")
        body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        self.assertEqual(body, self.data)
        grants = self.s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        self.assertEqual([g["Permission"] for g in grants], ["FULL_CONTROL"])
        self.assertNotIn("URI", grants[0]["Grantee"])  # not AllUsers / AuthenticatedUsers

    def test_the_presigned_url_serves_the_file_with_its_name(self):
        """file_url gives a SigV4 presigned GET that returns the bytes and the original name."""
        url = file_url(self.report.file, user=self.alice.user, filename=self.report.original_name)
        parts = urlsplit(url)
        self.assertEqual(f"{parts.scheme}://{parts.netloc}", self.endpoint)
        query = dict(parse_qsl(parts.query))
        self.assertEqual(query["X-Amz-Expires"], "120")
        self.assertEqual(query["X-Amz-Algorithm"], "AWS4-HMAC-SHA256")
        status, body, headers = fetch(url)
        self.assertEqual((status, body), (200, self.data))
        self.assertEqual(headers["Content-Disposition"], 'inline; filename="Lipids Jan.pdf"')
        self.assertEqual(headers["Cache-Control"], "private, no-store")

    def test_an_unsigned_url_is_refused(self):
        """The object is private: a plain GET of its address is refused."""
        status, body, _ = fetch(f"{self.endpoint}/{BUCKET}/{self.report.file.name}")
        self.assertEqual(status, 403)
        self.assertNotIn(self.data, body)

    def test_an_expired_presigned_url_is_refused(self):
        """Within the TTL the link works; after it, the server refuses it."""
        start = dt.datetime.now(dt.UTC)
        with time_machine.travel(start, tick=True):
            url = file_url(self.report.file, user=self.alice.user)
        with time_machine.travel(start + dt.timedelta(seconds=self.ttl - 5), tick=True):
            self.assertEqual(fetch(url)[0], 200)
        with time_machine.travel(start + dt.timedelta(seconds=self.ttl + 1), tick=True):
            status, body, _ = fetch(url)
        self.assertEqual(status, 403)
        self.assertIn(b"expired", body)

    def test_an_altered_presigned_url_is_refused(self):
        """Pointing a signed link at another key, or stretching its expiry, is refused."""
        other = LabReport.objects.create(
            patient=self.bob, doctor=self.dr_rao, test="ECG", date=dt.date(2030, 1, 6)
        )
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(report=other, upload=upload(image_bytes(), "e.jpg"), actor=self.staff)
        url = file_url(self.report.file, user=self.alice.user)
        self.assertEqual(fetch(url)[0], 200)
        swapped = url.replace(self.report.file.name, other.file.name)
        self.assertEqual(fetch(swapped)[0], 403)
        stretched = url.replace("X-Amz-Expires=120", "X-Amz-Expires=604800")
        self.assertEqual(fetch(stretched)[0], 403)

    def test_replacing_the_result_deletes_the_old_object(self):
        """A corrected result file replaces the old object once the change commits."""
        key = self.report.file.name
        self.assertTrue(self.object_exists(key))
        with self.captureOnCommitCallbacks(execute=True):
            lab_report_attach(
                report=self.report, upload=upload(image_bytes(), "fixed.jpg"), actor=self.staff
            )
        self.assertFalse(self.object_exists(key))
        self.assertTrue(self.object_exists(self.report.file.name))

    def test_replacing_a_picture_deletes_the_old_object(self):
        """A new profile picture replaces the old object in the bucket."""
        with self.captureOnCommitCallbacks(execute=True):
            patient_set_picture(
                patient=self.alice, upload=upload(image_bytes(), "a.jpg"), actor=self.alice.user
            )
        first = Patient.objects.get(pk=self.alice.pk).profile_pic.name
        with self.captureOnCommitCallbacks(execute=True):
            patient_set_picture(
                patient=self.alice,
                upload=upload(image_bytes("PNG"), "b.png"),
                actor=self.alice.user,
            )
        second = Patient.objects.get(pk=self.alice.pk).profile_pic.name
        self.assertFalse(self.object_exists(first))
        self.assertTrue(self.object_exists(second))
