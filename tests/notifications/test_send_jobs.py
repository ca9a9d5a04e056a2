"""The messages a request commits leave in one send job, once its answer has been sent
(notifications.services._enqueue_send_on_commit, core.after_response.after_response_gather). A job runs in
a work-horse forked for it, and an assignment's notice and e-mail used to be a job each."""

import pytest
from rq import Queue

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.notifications.models import Message
from tests.workflows.conftest import local, receive, user
from tests.workflows.test_paths import act


@pytest.mark.django_db(transaction=True)
def test_an_assignment_in_the_desk_hands_its_messages_to_one_job(client, world, private_redis):
    dossier = act(receive(world), "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    queue = Queue("notifications", connection=private_redis)
    queue.empty()  # the receipt's and the hand-over's, sent outside a request
    before = set(Message.objects.values_list("pk", flat=True))

    client.force_login(user("lanhdao.tuphap"))
    response = client.post(
        f"/desk/dossiers/dossier/{dossier.pk}/act/phan-cong/",
        {"lock_version": dossier.lock_version, "assignee": user("chuyenvien.tuphap").pk, "comment": "Thẩm định."},
    )

    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).assigned_to == user("chuyenvien.tuphap")
    made = sorted(set(Message.objects.values_list("pk", flat=True)) - before)
    assert len(made) >= 2, "the assignee's notice in the desk and by e-mail"
    jobs = queue.get_jobs()
    assert [job.func_name for job in jobs] == ["onestop_tayninh.notifications.jobs.send_messages"]
    assert sorted(jobs[0].args[0]) == made
