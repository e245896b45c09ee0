"""PubMed XML elements as Records: the half of :mod:`screener.sources.pubmed_xml` that reads one
``PubmedArticle`` or ``PubmedBookArticle`` once the reader has it.

Text fields keep the text of inline markup (``<i>``, ``<sup>``) and MathML with the tags
stripped; a structured abstract becomes ``"BACKGROUND: ... METHODS: ..."``. MeSH headings are
written as MEDLINE writes them (``"Myositis/*drug therapy"``, ``*`` marking a major topic).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from lxml import etree

from screener.records import (
    Author,
    Record,
    normalize_doi,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
    parse_year,
    split_pages,
)

_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"


class Missing(Exception):
    """A record lacks what every PubMed record has (its message says what)."""


# --- text ----------------------------------------------------------------------------------
# lxml's find() walks a path in Python; looping over an element's children once is several
# times faster, and this runs ~40 times per record.


def fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        return " ".join(text.split())  # also folds no-break and other Unicode spaces
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text.strip()


def _text(element: etree._Element | None) -> str:
    """All text inside ``element`` (inline markup and MathML tags dropped), whitespace folded."""
    if element is None:
        return ""
    if len(element) == 0:
        # The common case, a leaf with a short ASCII text, without the call to fold.
        text = element.text
        if not text:
            return ""
        if text.isascii() and not ("  " in text or "\n" in text or "\t" in text or "\r" in text):
            return text.strip()
        return fold(text)
    return fold("".join(element.itertext()))


def _children(element: etree._Element | None) -> dict[str, etree._Element]:
    """Tag -> first child of that tag."""
    found: dict[str, etree._Element] = {}
    if element is not None:
        for child in element:
            tag = child.tag
            if tag not in found and isinstance(tag, str):
                found[tag] = child
    return found


def _texts(elements: Iterable[etree._Element]) -> tuple[str, ...]:
    out: list[str] = []
    for element in elements:
        value = _text(element)
        if value and value not in out:
            out.append(value)
    return tuple(out)


def _list(parent: etree._Element | None, tag: str) -> Iterable[etree._Element]:
    return parent.iterchildren(tag) if parent is not None else ()


def _abstract(abstract: etree._Element | None) -> str:
    parts = []
    for section in _list(abstract, "AbstractText"):
        text = _text(section)
        label = (section.get("Label") or "").strip()
        if label and label.upper() != "UNLABELLED":
            text = f"{label}: {text}" if text else f"{label}:"
        if text:
            parts.append(text)
    return " ".join(parts)


def _authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    if author_list is None:
        return ()
    authors = []
    for author in author_list.iterchildren("Author"):
        if author.get("ValidYN") == "N":
            continue
        # Find the name parts first (the last of each, as written), read only those needed.
        family = given = initials = collective = None
        for part in author:
            tag = part.tag
            if tag == "LastName":
                family = part
            elif tag == "ForeName":
                given = part
            elif tag == "Initials":
                initials = part
            elif tag == "CollectiveName":
                collective = part
        if collective is not None:
            name = _text(collective)
            if name:
                authors.append(Author(name, collective=True))
                continue
        if family is not None:
            name = _text(family)
            if name:
                authors.append(Author(name, _text(given) or _text(initials)))
    return tuple(authors)


def _mesh(mesh_list: etree._Element | None) -> tuple[str, ...]:
    if mesh_list is None:
        return ()
    headings = []
    for heading in mesh_list.iterchildren("MeshHeading"):
        text = ""
        for part in heading:
            tag = part.tag
            if tag == "DescriptorName":
                text = ("*" if part.get("MajorTopicYN") == "Y" else "") + _text(part) + text
            elif tag == "QualifierName":
                text += ("/*" if part.get("MajorTopicYN") == "Y" else "/") + _text(part)
        if text and text[0] != "/":
            headings.append(text)
    return tuple(headings)


def _ids(id_list: etree._Element | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for article_id in _list(id_list, "ArticleId"):
        kind = article_id.get("IdType") or ""
        if kind and kind not in found and article_id.text:
            found[kind] = article_id.text.strip()
    return found


def _elocation_doi(*parents: etree._Element | None) -> str:
    for parent in parents:
        for location in _list(parent, "ELocationID"):
            if location.get("EIdType") == "doi" and location.get("ValidYN", "Y") != "N":
                return normalize_doi(location.text)
    return ""


def _date(pub_date: etree._Element | None) -> tuple[int | None, str]:
    """(year, the date as written) from a PubDate: ``Year Month Day`` or a MedlineDate."""
    parts = _children(pub_date)
    if "Year" in parts:
        year = _text(parts["Year"])
        written = " ".join([year, *(_text(parts[k]) for k in ("Month", "Day") if k in parts)])
        return parse_year(year), written
    medline = _text(parts.get("MedlineDate"))
    return parse_year(medline), medline


def _pages(pagination: etree._Element | None) -> tuple[str, str]:
    parts = _children(pagination)
    medline = _text(parts.get("MedlinePgn"))
    if medline:
        # "e123" or "123-45" or a list "123-4, 130": keep the first range.
        return split_pages(medline.split(",")[0])
    start = _text(parts.get("StartPage"))
    end = _text(parts.get("EndPage"))
    return start, end if end != start else ""


# --- records -------------------------------------------------------------------------------


def article(element: etree._Element) -> Record:
    top = _children(element)
    citation = top.get("MedlineCitation")
    if citation is None:
        raise Missing("PubmedArticle without MedlineCitation")
    cit = _children(citation)
    pmid = normalize_pmid(_text(cit.get("PMID")))
    if not pmid:
        raise Missing("PubmedArticle without a PMID")
    article = cit.get("Article")
    if article is None:
        raise Missing(f"PMID {pmid}: no Article element")
    art = _children(article)
    journal = _children(art.get("Journal"))
    issue = _children(journal.get("JournalIssue"))
    year, written = _date(issue.get("PubDate"))
    if year is None:
        year = parse_year(_text(_children(art.get("ArticleDate")).get("Year")))
    ids = _ids(_children(top.get("PubmedData")).get("ArticleIdList"))
    page_first, page_last = _pages(art.get("Pagination"))
    vernacular = _text(art.get("VernacularTitle"))
    title = _text(art.get("ArticleTitle")) or vernacular
    extra = {"status": citation.get("Status", "")}
    if written:
        extra["pub_date"] = written
    if vernacular and vernacular != title:
        extra["vernacular_title"] = vernacular
    info = _children(cit.get("MedlineJournalInfo"))
    keywords: list[etree._Element] = []
    for keyword_list in _list(citation, "KeywordList"):
        keywords.extend(keyword_list.iterchildren("Keyword"))
    return Record(
        title=title,
        abstract=_abstract(art.get("Abstract")),
        authors=_authors(art.get("AuthorList")),
        year=year,
        journal=_text(journal.get("Title")),
        journal_abbrev=_text(journal.get("ISOAbbreviation")) or _text(info.get("MedlineTA")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        page_first=page_first,
        page_last=page_last,
        doi=normalize_doi(ids.get("doi")) or _elocation_doi(article),
        pmid=pmid,
        pmcid=normalize_pmcid(ids.get("pmc")),
        issn=normalize_issn(_text(journal.get("ISSN")))
        or normalize_issn(_text(info.get("ISSNLinking"))),
        language=_text(art.get("Language")),
        pub_types=_texts(_list(art.get("PublicationTypeList"), "PublicationType")),
        keywords=_texts(keywords),
        mesh=_mesh(cit.get("MeshHeadingList")),
        url=_PUBMED_URL.format(pmid),
        source_key=pmid,
        raw=etree.tostring(element, encoding="unicode", with_tail=False),
        extra=extra,
    )


def book(element: etree._Element) -> Record:
    top = _children(element)
    document = top.get("BookDocument")
    if document is None:
        raise Missing("PubmedBookArticle without BookDocument")
    doc = _children(document)
    pmid = normalize_pmid(_text(doc.get("PMID")))
    if not pmid:
        raise Missing("PubmedBookArticle without a PMID")
    book_element = doc.get("Book")
    book = _children(book_element)
    chapter = _text(doc.get("ArticleTitle"))
    book_title = _text(book.get("BookTitle"))
    year, written = _date(book.get("PubDate"))
    authors = _authors(doc.get("AuthorList")) or _authors(book.get("AuthorList"))
    ids = _ids(doc.get("ArticleIdList"))
    for kind, value in _ids(_children(top.get("PubmedBookData")).get("ArticleIdList")).items():
        ids.setdefault(kind, value)
    page_first, page_last = _pages(doc.get("Pagination"))
    extra = {"type": "book"}
    if written:
        extra["pub_date"] = written
    publisher = _children(book.get("Publisher"))
    for key, value in (
        ("isbn", _text(book.get("Isbn"))),
        ("publisher", _text(publisher.get("PublisherName"))),
        ("publisher_location", _text(publisher.get("PublisherLocation"))),
        ("book_accession", ids.get("bookaccession", "")),
    ):
        if value:
            extra[key] = value
    keywords: list[etree._Element] = []
    for keyword_list in _list(document, "KeywordList"):
        keywords.extend(keyword_list.iterchildren("Keyword"))
    return Record(
        title=chapter or book_title,
        abstract=_abstract(doc.get("Abstract")),
        authors=authors,
        year=year,
        journal=book_title if chapter else "",
        page_first=page_first,
        page_last=page_last,
        doi=normalize_doi(ids.get("doi")) or _elocation_doi(document, book_element),
        pmid=pmid,
        pmcid=normalize_pmcid(ids.get("pmc")),
        language=_text(doc.get("Language")),
        pub_types=_texts(_list(document, "PublicationType")),
        keywords=_texts(keywords),
        url=_PUBMED_URL.format(pmid),
        source_key=pmid,
        raw=etree.tostring(element, encoding="unicode", with_tail=False),
        extra=extra,
    )
