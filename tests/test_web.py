"""The HTTP layer: POST /extract returns the library's events for one article."""

from __future__ import annotations

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from marsad.pipeline import Pipeline  # noqa: E402
from marsad.web import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Pipeline.default(ner=False)))


def test_health_lists_the_stages(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and "events" in r.json()["stages"]


def test_extract_returns_event_records(client: TestClient) -> None:
    text = "قتل خمسة مدنيين أمس في غارة جوية على مدينة إدلب، بحسب المرصد السوري لحقوق الإنسان."
    r = client.post("/extract", json={"text": text, "published": "2018-03-05"})
    assert r.status_code == 200
    (event,) = r.json()["events"]
    assert event["event_type"] == "Explosions/Remote violence" and event["fatalities"] == 5
    assert event["event_date"] == "2018-03-04"
    for s, e in event["evidence"]:
        assert text[s:e]


def test_empty_text_is_a_client_error(client: TestClient) -> None:
    assert client.post("/extract", json={"text": ""}).status_code == 422


# ------------------------------------------------------------------ hardening (issue 17, part 7)


def test_a_body_over_the_limit_is_refused_unread() -> None:
    small = TestClient(create_app(Pipeline.default(ner=False), max_body=10_000))
    r = small.post("/extract", json={"text": "قتل " * 5000})
    assert r.status_code == 413 and "قتل" not in r.text and len(r.content) < 200

    def chunks():  # no Content-Length: counted as it streams in
        yield b'{"text": "'
        for _ in range(100):
            yield ("قتل " * 100).encode("utf-8")
        yield b'"}'

    r = small.post("/extract", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and len(r.content) < 200


def test_bad_values_are_4xx_and_never_echoed(client: TestClient) -> None:
    secret = "سرية-" * 50
    cases = [
        {"text": "قتل خمسة", "title": secret * 10},  # title over the cap
        {"text": secret, "doc_id": 42},
        {"text": ["قتل"], "published": secret},
        {"title": secret},
        {"text": secret, "doc_id": "x" * 300},
    ]
    for body in cases:
        r = client.post("/extract", json=body)
        assert r.status_code == 422, body.keys()
        assert "سرية" not in r.text
    for raw in (b"{not json", b"\xff\xfe\x00garbage", b"", ("{\"text\": \"" + secret).encode("utf-8")):
        r = client.post("/extract", content=raw, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500 and "سرية" not in r.text
    for published in ("0001-01-01", 10**309, "yesterday", -1, [1, 2], {"a": 1}, 1.5e308):
        r = client.post("/extract", json={"text": "قتل خمسة مدنيين في حلب أمس.", "published": published})
        assert r.status_code == 200 and r.json()["warnings"], published


def test_a_request_over_its_time_budget_is_a_422() -> None:
    from marsad.budget import TimeBudget, check
    from marsad.pipeline import Normalise, Segment

    class Slow:
        name, requires, provides = "slow", ("sentences",), ("events",)

        def __call__(self, analysis):
            while True:
                check()

    pipe = Pipeline([Normalise(), Segment(), Slow()], time_budget=TimeBudget(per_100k=0.01, minimum=0.2))
    r = TestClient(create_app(pipe)).post("/extract", json={"text": "قتل خمسة"})
    assert r.status_code == 422 and "time budget" in r.json()["detail"]
