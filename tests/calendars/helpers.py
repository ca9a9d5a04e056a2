import datetime as dt
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware instant in Vietnam time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN)
