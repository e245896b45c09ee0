"""Structured extraction: forms, typed values, conversions, consistency checks, risk of bias.

Pure functions over domain values; no SQL, no Textual. Modules by concern:

- ``numbers``: reading a number as a reviewer typed it (decimals kept, units checked);
- ``forms``: extraction forms in TOML (study-level fields, outcomes and their data types);
- ``validate``: checking a typed value against its field, with one-line messages;
- ``conversions``: SE/CI/P/median to SD and mean, combining arms, change-score SDs, imputed r;
- ``checks``: consistency flags (GRIM, P vs CI, asymmetric CI, implausible SD, events > total);
- ``compare``: dual extraction (discrepancies, the final value of each field);
- ``table``: the analysis-ready CSV (columns named as metafor's escalc arguments);
- ``rob`` / ``rob_plot``: risk-of-bias tools, summaries and the traffic-light plot.
"""
