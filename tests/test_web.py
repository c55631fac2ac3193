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
