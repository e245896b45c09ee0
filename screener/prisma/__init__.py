"""PRISMA 2020 from the review's data (pure: no SQL, no files).

- :mod:`~screener.prisma.decisions`: a record's final decision at a stage (the rules).
- :mod:`~screener.prisma.counts`: :class:`PrismaCounts`, every box of the flow diagram, and the
  counts that do not add up.
- :mod:`~screener.prisma.layout`, :mod:`~screener.prisma.diagram`: the diagram (SVG by hand,
  PNG/PDF with matplotlib), :mod:`~screener.prisma.template`: the PRISMA2020 app's CSV,
  :mod:`~screener.prisma.text`: the text diagram of the TUI and the CLI.
"""
