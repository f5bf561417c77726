"""Fiscal-year arithmetic (U.S. federal fiscal year: FY y runs 1 Oct y-1 to 30 Sep y)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def fiscal_year(dates: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """Fiscal year of each date (Int64; null where the date is null). Oct-Dec belong to the next year."""
    d = pd.to_datetime(pd.Series(dates))
    fy = d.dt.year + (d.dt.month >= 10).astype("Int64")
    return fy.astype("Int64")


def fiscal_month(dates: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """Month of the fiscal year: 1 = October ... 12 = September (Int64)."""
    d = pd.to_datetime(pd.Series(dates))
    return (((d.dt.month - 10) % 12) + 1).astype("Int64")


def fiscal_quarter(dates: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """Quarter of the fiscal year: 1 = Oct-Dec ... 4 = Jul-Sep (Int64)."""
    return ((fiscal_month(dates) - 1) // 3 + 1).astype("Int64")


def fy_start(fy: int) -> pd.Timestamp:
    """First day of fiscal year ``fy``."""
    return pd.Timestamp(year=fy - 1, month=10, day=1)


def fy_end(fy: int) -> pd.Timestamp:
    """Last day of fiscal year ``fy``."""
    return pd.Timestamp(year=fy, month=9, day=30)


def month_start(fy: int, fmonth: int) -> pd.Timestamp:
    """First calendar day of fiscal month ``fmonth`` (1 = October) of fiscal year ``fy``."""
    cal_month = (fmonth + 8) % 12 + 1
    year = fy - 1 if cal_month >= 10 else fy
    return pd.Timestamp(year=year, month=cal_month, day=1)


def pro_rata_path(fmonth: np.ndarray | pd.Series | int, target: float = 700.0):
    """Cumulative completions a judge on the ``target``-a-year path has reached by the end of fiscal month ``fmonth``."""
    return target * np.asarray(fmonth, dtype=float) / 12.0
