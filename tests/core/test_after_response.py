"""core.after_response: a committed change's derived rows are written once the answer has been sent."""

from django.http import HttpResponse
from django.test import RequestFactory

from onestop_tayninh.core.after_response import AfterResponseMiddleware, after_response, after_response_gather


def test_outside_a_request_the_work_runs_at_once():
    done = []
    after_response(lambda: done.append("fact"))
    assert done == ["fact"]


def test_inside_a_request_the_work_waits_until_the_response_is_closed():
    done = []

    def view(request):
        after_response(lambda: done.append("fact"))
        done.append("answer")
        return HttpResponse("ok")

    response = AfterResponseMiddleware(view)(RequestFactory().post("/api/v1/dossiers/"))
    assert done == ["answer"]
    response.close()  # what the WSGI server does after the last byte: Django sends request_finished
    assert done == ["answer", "fact"]
    # Nothing is left over for the next request, and work outside a request runs at once again.
    after_response(lambda: done.append("later"))
    assert done == ["answer", "fact", "later"]


def test_a_failing_piece_is_logged_and_the_next_still_runs(caplog):
    done = []

    def broken():
        raise RuntimeError("the rollup table is locked")

    def view(request):
        after_response(broken)
        after_response(lambda: done.append("fact"))
        return HttpResponse("ok")

    AfterResponseMiddleware(view)(RequestFactory().get("/")).close()
    assert done == ["fact"]
    assert "after_response_failed" in caplog.text


def test_work_of_a_response_never_closed_runs_before_the_next_request():
    done = []

    def first(request):
        after_response(lambda: done.append("first's fact"))
        return HttpResponse("ok")

    def second(request):
        done.append("second")
        return HttpResponse("ok")

    AfterResponseMiddleware(first)(RequestFactory().get("/"))  # the connection dropped: never closed
    AfterResponseMiddleware(second)(RequestFactory().get("/")).close()
    assert done == ["first's fact", "second"]


def test_items_gathered_in_a_request_reach_each_hand_over_once_after_the_response():
    sent, paid = [], []

    def view(request):
        after_response_gather(sent.append, [1, 2])  # one commit's messages
        after_response_gather(paid.append, ["receipt"])
        after_response_gather(sent.append, [3])  # a later commit's
        return HttpResponse("ok")

    response = AfterResponseMiddleware(view)(RequestFactory().post("/"))
    assert (sent, paid) == ([], [])
    response.close()
    assert (sent, paid) == ([[1, 2, 3]], [["receipt"]])
    # Outside a request: at once, on its own.
    after_response_gather(sent.append, [4])
    assert sent == [[1, 2, 3], [4]]
