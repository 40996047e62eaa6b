"""Monthly demand forecasts: bottom-up per dealer × SKU, methods chosen per series by a
rolling backtest against the naive and moving-average baselines (docs/forecasting.md)."""
