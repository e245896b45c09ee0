"""The only place SQL lives: opening a review file, migrations, rows <-> domain objects.

Submodules by concern: ``db`` (connections, migrations, transactions), ``rows`` (Record rows),
``review`` (settings, reasons, reviewers), ``records``, ``imports``, ``decisions``.
"""
