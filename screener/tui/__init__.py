"""The Textual interface: a thin shell over :class:`screener.project.Project`.

The only package that imports textual. Screens own their handlers; long work runs in thread
workers that call the façade and report back with messages.
"""
