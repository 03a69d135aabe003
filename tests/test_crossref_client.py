"""The real client against a local server on 127.0.0.1 serving Crossref's recorded responses."""

from __future__ import annotations

import json
import threading
import time
from collections import deque

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from build_tools.core.errors import RequestFailed, TooManyFailures
from build_tools.crossref.client import ClientSettings, CrossrefClient
from build_tools.crossref.rate_limit import parse_limit_headers, parse_retry_after
from tests.crossref_fixtures import (
    WORK_FILES,
    CrossrefLike,
    body,
    exchange,
    json_headers,
    replay,
    requested_dois,
    work,
    work_list,
)

MAILTO = "curator@example.org"


def make_client(server: HTTPServer, sleeps: list[float] | None = None,
                **overrides: float) -> CrossrefClient:
    """The real client; waits between retries are recorded (and skipped) when `sleeps` is given."""
    settings = ClientSettings(base_url=server.url_for("").rstrip("/"), mailto=MAILTO,
                              backoff_base=0.01, **overrides)
    if sleeps is None:
        return CrossrefClient(settings)
    return CrossrefClient(settings, sleep=sleeps.append)


@pytest.fixture
def threaded_server():
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.parametrize("name", WORK_FILES)
def test_single_work_is_returned_exactly_as_received(httpserver: HTTPServer, name: str) -> None:
    httpserver.expect_request("/works/" + work(name)["DOI"]).respond_with_json(body(name))
    client = make_client(httpserver)
    assert client.work(work(name)["DOI"]) == work(name)
    assert client.requests == 1 and client.failures == 0


def test_requests_carry_the_contact_address_and_a_user_agent(httpserver: HTTPServer) -> None:
    server = CrossrefLike()
    httpserver.expect_request("/works/10.1038/srep16696").respond_with_handler(server)
    make_client(httpserver).work("10.1038/srep16696")
    request = server.requests[0]
    assert request.args["mailto"] == MAILTO
    assert request.headers["User-Agent"] == (
        "living-review/0.1.0 (https://github.com/living-review/living-review; "
        "mailto:curator@example.org)")


def test_a_batch_matches_shuffled_items_by_lower_cased_doi(httpserver: HTTPServer) -> None:
    server = CrossrefLike()
    httpserver.expect_request("/works").respond_with_handler(server)
    asked = ["10.1037/0003-066X.59.1.29", "10.1038/srep16696", "10.1371/journal.pone.0033693",
             "10.1002/jor.1100150407", "10.1371/notarealdoi"]
    found = make_client(httpserver).works(asked)
    items = json.loads(httpserver.log[0][1].get_data())["message"]["items"]
    assert [i["DOI"] for i in items] != [d.lower() for d in asked[:4]]  # shuffled by the server
    assert sorted(found) == sorted(d.lower() for d in asked[:4])
    assert found["10.1037/0003-066x.59.1.29"] == work("10.1037_0003-066x.59.1.29.json")
    assert server.requests[0].args["rows"] == "5"


@pytest.mark.parametrize("name", ["worklist_types_journal-article_works.json",
                                  "worklist_select_DOI_title.json"])
def test_recorded_work_lists_are_read_whole(httpserver: HTTPServer, name: str) -> None:
    """A real 20-item list, and one whose items hold only DOI and title (`select=`)."""
    dois = [item["DOI"] for item in body(name)["message"]["items"]]
    httpserver.expect_request("/works").respond_with_json(body(name))
    found = make_client(httpserver).works(dois)
    assert list(found) == dois


def test_batch_urls_stay_under_the_limit_and_encode_odd_dois(httpserver: HTTPServer) -> None:
    odd = "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G"
    dois = [odd] + [f"10.5555/synthetic-test-doi-{n:04d}" for n in range(300)]
    client = make_client(httpserver)
    batches = client.plan_batches(dois)
    assert [d for b in batches for d in b] == dois
    assert len(batches) > 1
    assert all(len(client.batch_url(b).encode()) <= 4000 for b in batches)
    server = CrossrefLike()
    httpserver.expect_request("/works").respond_with_handler(server)
    client.works(batches[0])
    assert requested_dois(server.requests[0])[0] == odd


def test_a_doi_crossref_does_not_know_is_none_and_its_agency_is_asked(
        httpserver: HTTPServer) -> None:
    httpserver.expect_request("/works/10.1371/notarealdoi").respond_with_response(
        replay("http404_10.1371_notarealdoi.json"))
    # Crossref's documented answer shape for /agency; no recording exists, so it is built here.
    agency = {"status": "ok", "message-type": "work-agency", "message-version": "1.0.0",
              "message": {"DOI": "10.1371/notarealdoi",
                          "agency": {"id": "datacite", "label": "DataCite"}}}
    httpserver.expect_request("/works/10.1371/notarealdoi/agency").respond_with_json(agency)
    client = make_client(httpserver)
    assert client.work("10.1371/notarealdoi") is None
    assert client.agency("10.1371/notarealdoi") == "DataCite"
    assert client.failures == 0


def test_an_unknown_agency_is_none(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/works/10.1371/notarealdoi/agency").respond_with_response(
        replay("http404_10.1371_notarealdoi.json"))
    assert make_client(httpserver).agency("10.1371/notarealdoi") is None


def test_a_validation_failure_is_reported_and_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/works/10.1371/journal.pone.0033693").respond_with_response(
        replay("http400_validation-failure_query-on-doi-route.json"))
    client = make_client(httpserver, sleeps=[])
    with pytest.raises(RequestFailed) as error:
        client.work("10.1371/journal.pone.0033693")
    assert str(error.value) == "HTTP 400: This route does not support field query parameters"
    assert len(httpserver.log) == 1


def test_a_json_404_on_a_list_route_is_a_failure_not_an_empty_list(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/works").respond_with_response(
        replay("http404_resource-failure_cursor-invalid.json"))
    with pytest.raises(RequestFailed) as error:
        make_client(httpserver, sleeps=[]).works(["10.1038/srep16696"])
    assert str(error.value) == "HTTP 404: Cursor specified but it is invalid"


def test_a_csl_body_is_not_taken_for_a_work(httpserver: HTTPServer) -> None:
    """Crossref's CSL-JSON has no envelope: it must never be parsed as a work."""
    httpserver.expect_request("/works/10.1126/science.169.3946.635").respond_with_json(
        body("csl_10.1126_science.169.3946.635.json"))
    with pytest.raises(RequestFailed) as error:
        make_client(httpserver, sleeps=[], max_tries=2).work("10.1126/science.169.3946.635")
    assert str(error.value) == "gave up after 2 tries: HTTP 200 but a None message, not 'work'"


def serve_in_turn(server: HTTPServer, path: str, responses: list[Response]) -> None:
    for response in responses:
        server.expect_ordered_request(path).respond_with_response(response)


def test_retries_after_a_500_and_an_html_429(httpserver: HTTPServer) -> None:
    serve_in_turn(httpserver, "/works/10.1038/srep16696", [
        replay("http500_exception_works-cursor.json"),
        replay("http429_too-many-requests_reported-2017.json"),
        Response(json.dumps(body("10.1038_srep16696.json")), headers=json_headers()),
    ])
    sleeps: list[float] = []
    client = make_client(httpserver, sleeps=sleeps)
    assert client.work("10.1038/srep16696") == work("10.1038_srep16696.json")
    assert (client.requests, client.failures, len(sleeps)) == (3, 2, 2)
    assert 0.005 <= sleeps[0] <= 0.01 and 0.01 <= sleeps[1] <= 0.02  # doubling, with jitter


def test_retry_after_is_honoured(httpserver: HTTPServer) -> None:
    # The recorded 429 has no Retry-After; the header is added here to test that it is obeyed.
    serve_in_turn(httpserver, "/works/10.1038/srep16696", [
        replay("http429_too-many-requests_reported-2017.json", {"Retry-After": "7"}),
        Response(json.dumps(body("10.1038_srep16696.json")), headers=json_headers()),
    ])
    sleeps: list[float] = []
    make_client(httpserver, sleeps=sleeps).work("10.1038/srep16696")
    assert sleeps == [7.0]


def test_retry_after_as_a_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None


def test_a_timeout_is_retried(threaded_server: HTTPServer) -> None:
    calls = []

    def slow_then_fast(request: Request) -> Response:
        calls.append(request)
        if len(calls) == 1:
            time.sleep(0.6)
        return Response(json.dumps(body("10.1038_srep16696.json")), headers=json_headers())

    threaded_server.expect_request("/works/10.1038/srep16696").respond_with_handler(
        slow_then_fast)
    client = make_client(threaded_server, sleeps=[], timeout=0.2)
    assert client.work("10.1038/srep16696") == work("10.1038_srep16696.json")
    assert (client.requests, client.failures) == (2, 1)


def test_tries_are_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/works/10.1038/srep16696").respond_with_response(
        replay("http500_exception_works-cursor.json"))
    with pytest.raises(RequestFailed) as error:
        make_client(httpserver, sleeps=[], max_tries=3).work("10.1038/srep16696")
    assert str(error.value) == "gave up after 3 tries: HTTP 500: exception"
    assert len(httpserver.log) == 3


def failing_after(good: int) -> CrossrefLike:
    """Answers the first `good` requests, then only with the recorded 500."""
    server = CrossrefLike()

    def handler(request: Request) -> Response:
        if len(server.requests) >= good:
            server.requests.append(request)
            return replay("http500_exception_works-cursor.json")
        return server(request)

    return handler  # type: ignore[return-value]


def test_the_run_stops_once_ten_percent_of_requests_failed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/works/10.1038/srep16696").respond_with_handler(failing_after(18))
    client = make_client(httpserver, sleeps=[], max_tries=1)
    for _ in range(18):
        client.work("10.1038/srep16696")
    with pytest.raises(RequestFailed):
        client.work("10.1038/srep16696")  # 1 of 19 failed: carry on
    with pytest.raises(TooManyFailures) as error:
        client.work("10.1038/srep16696")  # 2 of 20
    assert str(error.value) == (
        f"stopped: 2 of 20 requests to {client.settings.base_url} failed (the limit is 10%); "
        "check the address and your connection, then run fetch again")


def test_limit_headers_in_every_recorded_spelling() -> None:
    assert parse_limit_headers(json_headers()).__dict__ == {
        "limit": 5, "interval": 1.0, "concurrency": 1}
    _, both_spellings, _ = exchange("http500_exception_works-cursor.json")
    assert parse_limit_headers(both_spellings).limit == 50
    assert parse_limit_headers({"X-Ratelimit-Limit": "50, 50", "X-Ratelimit-Interval": "60s"}
                               ).__dict__ == {"limit": 50, "interval": 60.0, "concurrency": None}
    assert parse_limit_headers({}).limit is None


class LimitKeeper:
    """Counts request starts per second and requests in flight, announcing its limits in the
    headers; records a violation whenever the client goes past what was announced."""

    def __init__(self, rate: int, concurrency: int, list_rate: int | None = None) -> None:
        self.rate, self.concurrency, self.list_rate = rate, concurrency, list_rate
        self.starts: deque[float] = deque()
        self.list_starts: deque[float] = deque()
        self.in_flight = 0
        self.most_in_flight = 0
        self.violations: list[str] = []
        self.lock = threading.Lock()
        self.backend = CrossrefLike()

    def __call__(self, request: Request) -> Response:
        now = time.monotonic()
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.in_flight > self.concurrency:
                self.violations.append(f"{self.in_flight} in flight")
            for starts, limit, applies in ((self.starts, self.rate, True),
                                           (self.list_starts, self.list_rate,
                                            request.path == "/works")):
                if not applies or limit is None:
                    continue
                while starts and starts[0] <= now - 1.0:
                    starts.popleft()
                starts.append(now)
                if len(starts) > limit:
                    self.violations.append(f"{len(starts)} requests in one second")
        try:
            time.sleep(0.05)
            response = self.backend(request)
            response.headers.update({"x-rate-limit-limit": str(self.rate),
                                     "x-rate-limit-interval": "1s",
                                     "x-concurrency-limit": str(self.concurrency)})
            return response
        finally:
            with self.lock:
                self.in_flight -= 1


def test_the_client_keeps_to_the_limits_the_server_announced(threaded_server: HTTPServer) -> None:
    keeper = LimitKeeper(rate=4, concurrency=2)
    threaded_server.expect_request("/works/10.1038/srep16696").respond_with_handler(keeper)
    client = make_client(threaded_server)
    threads = [threading.Thread(target=client.work, args=("10.1038/srep16696",))
               for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert keeper.violations == []
    assert keeper.most_in_flight == 2  # it used what it was given
    assert client.requests == 10


def test_without_a_contact_list_requests_go_one_per_second(threaded_server: HTTPServer) -> None:
    keeper = LimitKeeper(rate=5, concurrency=3, list_rate=1)
    threaded_server.expect_request("/works").respond_with_handler(keeper)
    settings = ClientSettings(base_url=threaded_server.url_for("").rstrip("/"))
    client = CrossrefClient(settings)
    assert "mailto" not in settings.user_agent
    threads = [threading.Thread(target=client.works, args=(["10.1038/srep16696"],))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert keeper.violations == []
    assert keeper.most_in_flight == 1
    assert "mailto" not in keeper.backend.requests[0].args


def test_an_answer_with_items_is_not_needed_to_match(httpserver: HTTPServer) -> None:
    """An empty list is a valid answer: no DOI found, nothing failed."""
    httpserver.expect_request("/works").respond_with_json(work_list([]))
    client = make_client(httpserver)
    assert client.works(["10.1371/notarealdoi"]) == {}
    assert client.failures == 0
