"""The new-dealer component of the forecast: dealers with too little history of their own.

A dealer's own series says little in its first months, and a dealer that has not ordered yet
has no series at all, yet this channel wins new dealers every month. So:

- **Young dealers** (first demand in the last YOUNG_MONTHS training months) are forecast by
  their cohort: the average demand of the dealers of their region at the same age (months
  since their first demand), from the new dealers whose history reaches that age; a region
  with fewer than MIN_COHORT such dealers uses every region's average. The units are shared
  out over SKUs by what recent new dealers bought in the training month (`_recent_mix`).
- **New dealers still to come**: per region, as many as arrived in the training month, on
  the trend of the last ARRIVAL_MONTHS months (never growing), each buying what the region's
  new dealers bought at that age.

The component replaces the young dealers' own series forecasts. It is summed into the forecast
as one row per region and SKU (dealer id `new_dealer_id(region)`, below 0), so SKU, region and
total sums include it, and its accuracy is measured on its own: against what the dealers that
were young at the training month, or that arrived after it, bought.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

YOUNG_MONTHS = 2
ARRIVAL_MONTHS = 3
MIN_COHORT = 5


@dataclass
class Component:
    series: pd.DataFrame  # (pseudo dealer, sku) × forecast months
    young: list  # dealer ids forecast by their cohort
    arrivals_per_month: float
    region_of: pd.Series  # pseudo dealer -> region


def new_dealer_id(region_index: int) -> int:
    return -1 - region_index


def first_months(panel: pd.DataFrame) -> pd.Series:
    """Per dealer: the position (column index) of its first month with demand."""
    totals = panel.groupby(level="dealer").sum().to_numpy() != 0
    positions = np.where(totals.any(axis=1), totals.argmax(axis=1), -1)
    return pd.Series(positions, index=panel.groupby(level="dealer").sum().index)


def _profiles(panel: pd.DataFrame, first: pd.Series, region_of: pd.Series, ages: int, until: int):
    """Mean units per SKU at each age, per region and over all: {region: (ages × skus)}, the
    SKU index, and per region and age the number of dealers seen at that age."""
    skus = panel.index.get_level_values("sku").unique().sort_values()
    values = panel.to_numpy(float)
    dealer_of_row = panel.index.get_level_values("dealer")
    row_first = first.reindex(dealer_of_row).to_numpy()
    sku_pos = skus.get_indexer(panel.index.get_level_values("sku"))
    regions = region_of.reindex(first.index).fillna("(no region)")
    names = sorted(regions.unique())
    row_region = pd.Index(names).get_indexer(regions.reindex(dealer_of_row).to_numpy())
    sums = np.zeros((len(names) + 1, ages, len(skus)))
    counts = np.zeros((len(names) + 1, ages))
    # Dealers already buying in the first month of the history are not new there (the history
    # starts mid-relationship): cohorts are made of the dealers that started later.
    for age in range(ages):
        column = row_first + age
        seen = (row_first >= 1) & (column <= until)
        picked = values[np.flatnonzero(seen), column[seen]]
        np.add.at(sums[len(names), age], sku_pos[seen], picked)
        np.add.at(sums[:len(names), age], (row_region[seen], sku_pos[seen]), picked)
        dealers_seen = first[(first >= 1) & (first + age <= until)]
        counts[len(names), age] = len(dealers_seen)
        by_region = regions.reindex(dealers_seen.index).value_counts()
        for r_index, name in enumerate(names):
            counts[r_index, age] = by_region.get(name, 0)
    everywhere = sums[len(names)] / np.maximum(counts[len(names)], 1)[:, None]
    profiles = {}
    for r_index, name in enumerate(names):
        own = sums[r_index] / np.maximum(counts[r_index], 1)[:, None]
        enough = counts[r_index] >= MIN_COHORT
        profiles[name] = np.where(enough[:, None], own, everywhere)
    return profiles, skus, everywhere, names


def new_dealer_component(panel: pd.DataFrame, region_of: pd.Series, months: list, horizon: int) -> Component:
    """`panel`: the training history (dealer, sku) × months, the last column the training month."""
    until = panel.shape[1] - 1
    first = first_months(panel)
    ages = YOUNG_MONTHS + horizon + 1
    profiles, skus, everywhere, names = _profiles(panel, first, region_of, ages, until)
    # Dealers buying in the history's first month are not young (see _profiles), however
    # short the history.
    young = first[(first >= 1) & (first > until - YOUNG_MONTHS)]
    regions = region_of.reindex(first.index).fillna("(no region)")
    # New dealers per month and region: as many as in the training month, following the trend
    # of the last ARRIVAL_MONTHS (arrivals fall as a young history stops finding long-standing
    # dealers for the first time; never assumed to grow).
    counts = [int((first == until - k).sum()) if until >= k else 0 for k in range(ARRIVAL_MONTHS - 1, -1, -1)]
    decay = min((counts[-1] / counts[0]) ** (1 / (len(counts) - 1)), 1.0) if counts[0] and counts[-1] else 1.0
    latest = first[(first == until) & (first >= 1)]  # one month of history: no arrivals seen
    rate = regions.reindex(latest.index).value_counts().astype(float)
    mix = _recent_mix(panel, first, skus, until)
    rows, index = [], []
    for r_index, name in enumerate(names):
        profile = profiles.get(name, everywhere)
        forecast = np.zeros((len(skus), horizon))
        for position in young[regions.reindex(young.index) == name].to_numpy():
            age = until - position
            for h in range(horizon):
                forecast[:, h] += profile[min(age + h + 1, profile.shape[0] - 1)]
        for h in range(horizon):  # dealers arriving in forecast month j buy at age h - j
            for j in range(h + 1):
                forecast[:, h] += rate.get(name, 0.0) * decay ** (j + 1) * profile[h - j]
        # The cohort says how much a region's new dealers buy; which SKUs, the recent mix says.
        forecast = mix[:, None] * forecast.sum(axis=0)[None, :]
        keep = np.flatnonzero(np.abs(forecast).sum(axis=1) > 0)
        rows.append(forecast[keep])
        index += [(new_dealer_id(r_index), sku) for sku in skus[keep]]
    series = pd.DataFrame(
        np.vstack(rows) if rows else np.zeros((0, horizon)),
        index=pd.MultiIndex.from_tuples(index, names=["dealer", "sku"]),
        columns=months,
    )
    pseudo_regions = pd.Series({new_dealer_id(i): name for i, name in enumerate(names)})
    return Component(series, list(young.index), float(rate.sum()) * decay, pseudo_regions)


def _recent_mix(panel: pd.DataFrame, first: pd.Series, skus: pd.Index, until: int) -> np.ndarray:
    """Each SKU's share of what the dealers that started in the last ARRIVAL_MONTHS bought in
    the training month (what new dealers buy now, not a season ago)."""
    recent = first[(first > until - ARRIVAL_MONTHS) & (first <= until)].index
    rows = panel.index.get_level_values("dealer").isin(recent)
    units = panel.loc[rows].iloc[:, -ARRIVAL_MONTHS:].sum(axis=1).groupby(level="sku").sum().clip(lower=0)
    units = units.reindex(skus, fill_value=0).to_numpy(float)
    return units / units.sum() if units.sum() else units


def segment_actuals(history_panel: pd.DataFrame, train_until_position: int, months: list) -> pd.DataFrame:
    """What the new-dealer segment bought in the forecast months (SKU × months): the dealers
    young at the training month and those whose first demand came after it."""
    first = first_months(history_panel)
    segment = first[(first >= 1) & (first > train_until_position - YOUNG_MONTHS)].index
    held = [m for m in months if m in history_panel.columns]
    rows = history_panel.index.get_level_values("dealer").isin(segment)
    return history_panel.loc[rows, held].groupby(level="sku").sum()
