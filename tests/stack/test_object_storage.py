"""More than one machine: with object storage configured, files the worker
makes go to an S3-compatible bucket (moto's standalone server, started here),
so two gunicorn processes that share no disk serve the same PDF; every object
is private, readable only through the portal's own views. With no bucket
named, files stay on local disk (the default)."""

import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, wait_for
from tests.stack.conftest import HOST, Process, Stack, Visitor, free_port

BUCKET = "sendportal-files"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "portal-test-key", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}


@pytest.fixture(scope="module")
def s3():
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.fail("moto[server] and boto3 are needed (pip install -e '.[dev]')")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2",
                          aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    try:
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture(scope="module")
def two_machines(s3):
    """The production stack with a bucket named, a worker with a media folder
    of its own, and a second gunicorn with another folder and port."""
    import os

    from sendportal.settings.test import TEST_DATABASE_URL
    endpoint, _ = s3
    stack = Stack(os.environ.get("DATABASE_URL", TEST_DATABASE_URL), name="objectstore",
                  extra_env={**CREDENTIALS, "AWS_STORAGE_BUCKET_NAME": BUCKET,
                             "AWS_S3_ENDPOINT_URL": endpoint, "AWS_S3_REGION_NAME": "eu-west-2"})
    stack.worker.env = {**stack.env, "MEDIA_ROOT": str(stack.dir / "media-worker")}
    second_port = free_port()
    second = Process("gunicorn-second", stack.web.args, {
        **stack.env, "MEDIA_ROOT": str(stack.dir / "media-second"),
        "GUNICORN_BIND": f"127.0.0.1:{second_port}",
        "GUNICORN_ACCESS_LOG": str(stack.logs_dir / "gunicorn-second-access.log")},
        stack.logs_dir)
    try:
        stack.start()
        second.start()
        second_url = f"http://127.0.0.1:{second_port}"

        def answers():
            import httpx
            try:
                httpx.get(second_url + "/healthz", headers={"Host": HOST}, timeout=5)
                return True
            except httpx.HTTPError:
                return False

        wait_for(answers, timeout=60, interval=0.3)
        stack.wait_until_idle()
        yield stack, second_url
    finally:
        second.stop()
        stack.stop()


def _visitor(stack, url: str) -> Visitor:
    visitor = Visitor(stack)
    visitor.http.base_url = url
    return visitor


def _local_files(stack) -> list[str]:
    return [str(path) for folder in ("media", "media-second", "media-worker")
            for path in (stack.dir / folder).rglob("*") if path.is_file()]


def test_a_pdf_made_by_the_worker_is_served_by_two_web_processes_sharing_no_disk(
        two_machines, s3):
    stack, second_url = two_machines
    _, client = s3
    slug, version, name = stack.sql(
        "SELECT slug, version, pdf_file FROM reports_report WHERE status = 'published' "
        "AND pdf_state = 'ready' AND pdf_file <> '' ORDER BY id LIMIT 1")[0]
    stored = client.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert stored.startswith(b"%PDF")

    path = f"/reports/{slug}/v/{version}/pdf/"
    bodies = []
    for url in (stack.url, second_url):
        response = _visitor(stack, url).get(path)
        assert response.status_code == 200, (url, response.status_code)
        assert response.headers["content-type"] == "application/pdf"
        bodies.append(response.content)
    assert bodies[0] == bodies[1] == stored
    # Both web processes wrote their access log: two machines really answered.
    logs = stack.logs()
    assert path in logs["gunicorn-access.log"] and path in logs["gunicorn-second-access.log"]
    assert _local_files(stack) == []  # nothing on any machine's own disk


def test_a_private_board_pack_is_not_readable_from_the_bucket_without_the_portal(
        two_machines, s3):
    import httpx

    stack, second_url = two_machines
    endpoint, client = s3
    meeting = stack.sql("SELECT id FROM actionplan_meeting ORDER BY id LIMIT 1")[0][0]
    stack.manage("shell", "-c", f"from core import jobs; jobs.enqueue('board_pack', {meeting})")
    deadline = time.monotonic() + 240
    wait_for(lambda: stack.sql("SELECT pack_state FROM actionplan_meeting WHERE id = %s",
                               (meeting,))[0][0] == "ready"
             or time.monotonic() > deadline, timeout=250, interval=0.5)
    name = stack.sql("SELECT pack_file FROM actionplan_meeting WHERE id = %s", (meeting,))[0][0]
    assert name.startswith("actionplan/board-packs/")
    assert client.get_object(Bucket=BUCKET, Key=name)["Body"].read().startswith(b"%PDF")

    # Anyone who guesses or learns the object's address is refused.
    anonymous = httpx.get(f"{endpoint}/{BUCKET}/{name}", timeout=10)
    assert anonymous.status_code == 403 and b"%PDF" not in anonymous.content
    grants = client.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert not any("AllUsers" in grant["Grantee"].get("URI", "")
                   or "AuthenticatedUsers" in grant["Grantee"].get("URI", "") for grant in grants)
    # The report PDFs are no more public in the bucket than the packs.
    report_pdf = stack.sql("SELECT pdf_file FROM reports_report WHERE pdf_file <> '' LIMIT 1")[0][0]
    assert httpx.get(f"{endpoint}/{BUCKET}/{report_pdf}", timeout=10).status_code == 403
    # And no page of the portal hands out a bucket address.
    assert endpoint not in _visitor(stack, second_url).get("/reports/").text


def test_local_disk_stays_the_default_with_no_configuration():
    """No bucket named: Django's FileSystemStorage under MEDIA_ROOT, in
    production settings as in development."""
    code = ("from django.conf import settings as s; from django.core.files.storage import "
            "storages; print(s.STORAGES['default']['BACKEND'], type(storages['default']).__name__)")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "sendportal.settings.production",
           "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.test", "EMAIL_HOST": "127.0.0.1",
           "DATABASE_URL": "sqlite:///unused.sqlite3"}
    for settings_module in ("sendportal.settings.production", "sendportal.settings.local"):
        result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                                cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.split() == [
            "django.core.files.storage.FileSystemStorage", "FileSystemStorage"], settings_module
