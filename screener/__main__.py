from screener.cli import entry

entry()
