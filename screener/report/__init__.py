"""The review report and the exports co-authors need (pure: values in, text out).

- :mod:`~screener.report.model`: what a report holds; :mod:`~screener.report.render`: HTML
  (self-contained) and Markdown.
- :mod:`~screener.report.analyses`: saved analyses as tables, results.csv and data files;
  :mod:`~screener.report.rscript`: the metafor script that reproduces them.
- :mod:`~screener.report.figures`: simple plots when the owning stage offers none.
- :mod:`~screener.report.exports`: RIS entries with decisions in N1, the decisions CSV.
"""
