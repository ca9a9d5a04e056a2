"""The electronic receipt's PDF (biên lai thu phí, lệ phí điện tử)."""

from __future__ import annotations


def receipt_render(*, receipt_id: int) -> None:
    raise NotImplementedError
