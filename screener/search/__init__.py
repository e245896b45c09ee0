"""PubMed searching through NCBI's E-utilities: the client, date slicing and retrieval.

Pure of storage: nothing here touches the review file. :mod:`screener.search.client` speaks
HTTP (rate-limited, retried), :mod:`screener.search.plan` splits a large result by publication
date, :mod:`screener.search.retrieve` yields the records batch by batch; the orchestration
that stores them is :mod:`screener.flows.search`.
"""
