"""The dossier's history reads as words, not as the JSON the events keep."""

import pytest

from onestop_tayninh.dossiers.selectors import event_details
from tests.workflows import conftest as workflows

pytestmark = pytest.mark.django_db

world = workflows.world  # the demo province, for the agencies' names


def test_event_data_reads_as_labelled_lines(world):
    text = event_details(
        {
            "transition": "lay-y-kien",
            "label": "Lấy ý kiến cơ quan phối hợp",
            "consulted": ["000.00.02.H53"],
            "document": 103,
            "requirement": 79,
        }
    )
    assert text == "Thao tác: Lấy ý kiến cơ quan phối hợp\nLấy ý kiến: Sở Tư pháp tỉnh Tây Ninh"
    assert event_details({"items": ["Tờ khai", "Bản sao CCCD"]}) == "Cần bổ sung, hoàn thiện: Tờ khai; Bản sao CCCD"
    assert event_details({"document": 103}) == "—"  # ids alone say nothing to an official
