"""Journal figures drawn with matplotlib: the one forest plot, the one funnel plot and the
risk-of-bias plots (traffic lights, summary bars).

The layer sits below the stages, so the pooling engine (from a fitted model) and the report
(from a saved analysis's numbers) draw through the same functions. Its inputs are plain values
(frozen dataclasses of floats and strings), never a stage's own types. Figures are made with
:class:`matplotlib.figure.Figure` directly, never pyplot: nothing is registered globally and
drawing is safe in worker threads. Text from records and users is drawn as plain text
(``parse_math=False``), control characters shown as escapes (:func:`screener.files.printable`).
"""
