"""The Decision 766/QĐ-TTg (2022) indicator set, computed from the system's own data.

Each indicator is written once, here: its national number, its legal source, its points and the
rate at which it earns them all, and its formula over the figures of a slice and a period
(reports.figures) and the catalogue. A rate below the full-score rate earns points in proportion;
an indicator without data (a 0 denominator) shows "—" and is left out of the score, which is given
over the points that could be computed ("72,40/92 điểm").

The five groups and their points are the decision's; how the points are shared inside a group and
the full-score rates not in docs/domain.md §9 are our reading of the national evaluation's
practice, marked [check] in docs/domain.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .figures import Figures, rate

SOURCE = _("Quyết định 766/QĐ-TTg ngày 23/6/2022, Phụ lục Bộ chỉ số")
NATIONAL_SOURCE = _(
    "Quyết định 766/QĐ-TTg ngày 23/6/2022, Phụ lục Bộ chỉ số; dữ liệu đồng bộ với Cổng Dịch vụ công quốc gia"
)
CIRCULAR = _("Thông tư 01/2018/TT-VPCP, Điều 13")
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Group:
    number: int
    name: str | Promise
    points: int


GROUPS: tuple[Group, ...] = (
    Group(1, _("Công khai, minh bạch"), 18),
    Group(2, _("Tiến độ giải quyết"), 20),
    Group(3, _("Cung cấp dịch vụ trực tuyến"), 22),
    Group(4, _("Số hóa hồ sơ, kết quả và tái sử dụng dữ liệu"), 22),
    Group(5, _("Mức độ hài lòng"), 18),
)


@dataclass(frozen=True)
class Inputs:
    """What the formulas read: the slice's figures over the period, its catalogue, and its PAKN."""

    figures: Figures
    catalogue: dict[str, int]
    feedback: dict[str, Any] | None
    #: The office day's length in seconds (a processing time in working days).
    office_day_seconds: int
    #: The national sync (1.4): the slice's dossiers received in the period, and how many of them the
    #: National Public Service Portal has in their latest state (national.selectors.sync_share); None
    #: where it is not measured.
    national: dict[str, int] | None = None


@dataclass(frozen=True)
class Value:
    numerator: int | None
    denominator: int | None
    #: A percentage, or (2.2) a number of working days; None shows "—".
    value: Decimal | None
    #: For a time (2.2): the share of the legal time used, which the points are read from.
    ratio: Decimal | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    group: int
    name: str | Promise
    source: str | Promise
    points: Decimal
    #: The rate (percent) at which every point is earned.
    full_at: Decimal
    formula: str | Promise
    compute: Callable[[Inputs], Value]
    unit: str = "%"

    def score(self, value: Value) -> Decimal | None:
        if self.unit != "%":
            # A time: every point while the average stays within the legal time, fewer beyond it.
            if value.ratio is None:
                return None
            share = min(Decimal(1), Decimal(1) / value.ratio) if value.ratio > 0 else Decimal(1)
        else:
            if value.value is None:
                return None
            share = min(Decimal(1), value.value / self.full_at) if self.full_at else Decimal(1)
        return (self.points * share).quantize(TWO, rounding=ROUND_HALF_UP)


def _ratio(numerator: int, denominator: int) -> Value:
    return Value(numerator, denominator, rate(numerator, denominator))


def _published_complete(i: Inputs) -> Value:
    return _ratio(i.catalogue["complete"], i.catalogue["published"])


def _progress_public(i: Inputs) -> Value:
    # Every received dossier has a code and a receipt whose six digits open its page on the portal.
    return _ratio(i.figures["received"], i.figures["received"])


def _national_sync(i: Inputs) -> Value:
    if i.national is None:
        return Value(None, None, None)
    return _ratio(i.national["synced"], i.national["received"])


def _on_time(i: Inputs) -> Value:
    return _ratio(i.figures.on_time_total, i.figures.judged)


def _average_time(i: Inputs) -> Value:
    f = i.figures
    if not f.resolved or not i.office_day_seconds:
        return Value(None, None, None)
    days = (Decimal(f["working_seconds"]) / f.resolved / i.office_day_seconds).quantize(TWO, rounding=ROUND_HALF_UP)
    ratio = (Decimal(f["working_seconds"]) / f["legal_seconds"]) if f["legal_seconds"] else None
    return Value(f["working_seconds"], f.resolved, days, ratio)


def _offered_online(i: Inputs) -> Value:
    return _ratio(i.catalogue["online"], i.catalogue["published"])


def _online_with_dossiers(i: Inputs) -> Value:
    return _ratio(i.catalogue["online_with_dossiers"], i.catalogue["online"])


def _online_rate(i: Inputs) -> Value:
    f = i.figures
    return _ratio(f.sums.get("received_online", 0), f["received"])


def _payment_procedures(i: Inputs) -> Value:
    return _ratio(i.catalogue["paid_online_procedures"], i.catalogue["online_payment"])


def _payment_rate(i: Inputs) -> Value:
    return _ratio(i.figures["paid_online"], i.figures["with_fees"])


def _e_results(i: Inputs) -> Value:
    return _ratio(i.figures["e_results"], i.figures.resolved)


def _digitised(i: Inputs) -> Value:
    return _ratio(i.figures["digitised"], i.figures["received"])


def _reused(i: Inputs) -> Value:
    return _ratio(i.figures["reused"], i.figures["received"])


def _satisfaction(i: Inputs) -> Value:
    f = i.figures
    late = rate(f.late_total, f.judged)
    unhappy = rate(f["dissatisfied"], f.resolved)
    if late is None and unhappy is None:
        return Value(None, None, None)
    value = max(Decimal(0), Decimal(100) - (late or Decimal(0)) - (unhappy or Decimal(0)))
    return Value(None, None, value.quantize(TWO))


def _indices(i: Inputs) -> Value:
    return _ratio(i.figures["index_points"], i.figures["index_max"])


def _feedback(i: Inputs) -> Value:
    if not i.feedback or not i.feedback.get("total"):
        return Value(None, None, None)
    f = i.feedback
    good = f["total"] - f["disliked"] - f["overdue"] - f["repeated"]
    return _ratio(max(good, 0), f["total"])


D = Decimal
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "1.1", 1, _("Thủ tục hành chính được công khai đầy đủ các bộ phận"), SOURCE, D(8), D(100),
        _("Thủ tục đang công bố có đủ trình tự, căn cứ pháp lý, thời hạn và thành phần hồ sơ, và đã cập nhật kịp "
          "thời thay đổi của Cơ sở dữ liệu quốc gia / thủ tục đang công bố"),
        _published_complete,
    ),
    Indicator(
        "1.2", 1, _("Hồ sơ được công khai tiến độ giải quyết"), SOURCE, D(6), D(100),
        _("Hồ sơ tiếp nhận có mã tra cứu tiến độ trên Cổng / hồ sơ tiếp nhận"),
        _progress_public,
    ),
    Indicator(
        "1.4", 1, _("Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"), NATIONAL_SOURCE, D(4), D(100),
        _("Hồ sơ tiếp nhận trong kỳ mà Cổng Dịch vụ công quốc gia đã nhận trạng thái mới nhất / hồ sơ tiếp nhận "
          "trong kỳ"),
        _national_sync,
    ),
    Indicator(
        "2.1", 2, _("Tỷ lệ hồ sơ giải quyết đúng hạn"), SOURCE, D(14), D(100),
        _(
            "(Hồ sơ giải quyết trước và đúng hạn trong kỳ + hồ sơ chưa xong, chưa đến hạn cuối kỳ) / "
            "(hồ sơ giải quyết trong kỳ + hồ sơ chưa xong cuối kỳ); trừ thời gian chờ bổ sung; "
            "yêu cầu bổ sung quá một lần tính là trễ hạn"
        ),
        _on_time,
    ),
    Indicator(
        "2.2", 2, _("Thời gian giải quyết trung bình"), SOURCE, D(6), D(100),
        _("Tổng thời gian giải quyết (ngày làm việc, trừ thời gian chờ bổ sung) / hồ sơ giải quyết trong kỳ; "
          "đủ điểm khi không vượt thời hạn theo quy định"),
        _average_time,
        unit="ngày",
    ),
    Indicator(
        "3.1", 3, _("Thủ tục cung cấp dịch vụ công trực tuyến toàn trình, một phần"), SOURCE, D(4), D(80),
        _("Thủ tục mức độ 3, 4 / thủ tục đang công bố"),
        _offered_online,
    ),
    Indicator(
        "3.2", 3, _("Thủ tục trực tuyến có phát sinh hồ sơ trực tuyến"), SOURCE, D(4), D(100),
        _("Thủ tục mức độ 3, 4 có ít nhất một hồ sơ trực tuyến (Cổng, Zalo) trong kỳ / thủ tục mức độ 3, 4"),
        _online_with_dossiers,
    ),
    Indicator(
        "3.3", 3, _("Tỷ lệ hồ sơ trực tuyến"), SOURCE, D(8), D(50),
        _("Hồ sơ nộp trực tuyến (Cổng, Zalo) / hồ sơ tiếp nhận trong kỳ"),
        _online_rate,
    ),
    Indicator(
        "3.5", 3, _("Thủ tục có giao dịch thanh toán trực tuyến"), SOURCE, D(3), D(100),
        _("Thủ tục có hồ sơ nộp phí, lệ phí trực tuyến trong kỳ / thủ tục có thu phí cho phép thanh toán trực tuyến"),
        _payment_procedures,
    ),
    Indicator(
        "3.6", 3, _("Tỷ lệ hồ sơ thanh toán trực tuyến"), SOURCE, D(3), D(50),
        _("Hồ sơ nộp phí, lệ phí trực tuyến / hồ sơ có phí, lệ phí"),
        _payment_rate,
    ),
    Indicator(
        "4.1", 4, _("Tỷ lệ hồ sơ cấp kết quả điện tử"), SOURCE, D(8), D(100),
        _("Hồ sơ có kết quả bản điện tử / hồ sơ giải quyết trong kỳ"),
        _e_results,
    ),
    Indicator(
        "4.2", 4, _("Tỷ lệ số hóa hồ sơ, kết quả"), SOURCE, D(8), D(80),
        _("Hồ sơ có thành phần và kết quả bản điện tử / hồ sơ tiếp nhận trong kỳ"),
        _digitised,
    ),
    Indicator(
        "4.3", 4, _("Tỷ lệ khai thác, sử dụng lại dữ liệu"), SOURCE, D(6), D(80),
        _("Hồ sơ có ít nhất một thành phần lấy lại từ kho dữ liệu / hồ sơ tiếp nhận trong kỳ"),
        _reused,
    ),
    Indicator(
        "5.1", 5, _("Điểm các chỉ số đánh giá việc giải quyết thủ tục"), CIRCULAR, D(3), D(100),
        _("Tổng điểm 2 / 1 / 0 các chỉ số (thời gian so với hẹn, số lần bổ sung, đánh giá của công dân) / điểm tối đa"),
        _indices,
    ),
    Indicator(
        "5.4", 5, _("Mức độ hài lòng trong giải quyết thủ tục hành chính"), SOURCE, D(12), D(90),
        _("100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh hoặc đánh giá không hài lòng)"),
        _satisfaction,
    ),
    Indicator(
        "5.5", 5, _("Mức độ hài lòng trong tiếp nhận, xử lý phản ánh, kiến nghị"), SOURCE, D(3), D(100),
        _("(Phản ánh, kiến nghị − không hài lòng − quá hạn − phản ánh lặp lại) / tổng phản ánh, kiến nghị"),
        _feedback,
    ),
)  # fmt: skip


def indicator(code: str) -> Indicator:
    for item in INDICATORS:
        if item.code == code:
            return item
    raise LookupError(code)


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    value: Value
    score: Decimal | None


@dataclass(frozen=True)
class Scorecard:
    results: tuple[Result, ...]

    @property
    def score(self) -> Decimal:
        return sum((r.score for r in self.results if r.score is not None), Decimal(0)).quantize(TWO)

    @property
    def available_points(self) -> Decimal:
        return sum((r.indicator.points for r in self.results if r.score is not None), Decimal(0))

    @property
    def score_100(self) -> Decimal | None:
        """The score out of 100, over the points that could be computed."""
        if not self.available_points:
            return None
        return (self.score * 100 / self.available_points).quantize(TWO, rounding=ROUND_HALF_UP)

    def group_score(self, number: int) -> tuple[Decimal, Decimal]:
        results = [r for r in self.results if r.indicator.group == number and r.score is not None]
        return (
            sum((r.score for r in results if r.score is not None), Decimal(0)).quantize(TWO),
            sum((r.indicator.points for r in results), Decimal(0)),
        )

    def get(self, code: str) -> Result:
        return next(r for r in self.results if r.indicator.code == code)


def scorecard(inputs: Inputs, codes: tuple[str, ...] | None = None) -> Scorecard:
    results = []
    for item in INDICATORS:
        if codes is not None and item.code not in codes:
            continue
        value = item.compute(inputs)
        results.append(Result(item, value, item.score(value)))
    return Scorecard(tuple(results))
