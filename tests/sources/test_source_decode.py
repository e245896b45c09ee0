"""Encodings and line endings: every candidate decodes, nothing is dropped, the GB18030/cp1252
choice is made on the text, and a file no candidate decodes is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_support import read_entries

from screener.errors import DecodeError
from screener.project import Project
from screener.sources.decode import detect_encoding, looks_chinese, open_text

CHINESE = (
    "{Reference Type}: Journal Article\n{Title}: 低剂量白细胞介素-2治疗皮肌炎\n{Author}: "
    "李明;;王芳\n{Year}: 2021\n"
)
WESTERN = (
    "TY  - JOUR\nAU  - Müller, Jürgen\nAU  - Señor, José\nTI  - Dermatomyositis – über "
    "Interleukin-2 bei Kindern\nPY  - 2018\nER  - \n"
)

# Every accented letter here is followed by a letter, so GB18030 reads each pair as one rare
# ideograph and decodes the whole file: the case the encoding choice has to get right.
GB_TRAP = (
    "TY  - JOUR\nAU  - Müller, Jürgen\nAU  - Señora, Inés\nTI  - Dermatomyositis: "
    "Überblick\nER  - \n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (WESTERN.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + WESTERN.encode("utf-8"), "utf-8-sig"),
        (WESTERN.encode("utf-16"), "utf-16"),  # BOM + native order
        (b"\xfe\xff" + WESTERN.encode("utf-16-be"), "utf-16"),
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("gbk"), "gb18030"),
        (WESTERN.encode("cp1252"), "cp1252"),
    ],
)
def test_every_candidate_decodes_without_loss(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = _write(tmp_path, "export.txt", data)
    assert detect_encoding(path) == encoding
    stream, _ = open_text(path)
    with stream:
        text = stream.read()
    expected = WESTERN if "TY  -" in text else CHINESE
    assert text == expected  # every character, nothing replaced or dropped


def test_cp1252_text_that_gb18030_also_accepts_is_read_as_cp1252(tmp_path: Path) -> None:
    data = GB_TRAP.encode("cp1252")
    data.decode("gb18030")  # the trap: GB18030 accepts these bytes too (as rare ideographs)
    assert detect_encoding(_write(tmp_path, "w.ris", data)) == "cp1252"


def test_gbk_text_that_cp1252_also_accepts_is_read_as_gb18030(tmp_path: Path) -> None:
    text = "{Title}: 皮肌炎患者调节性T细胞\n{Keywords}: 皮肌炎;白细胞介素\n"
    data = text.encode("gbk")
    data.decode("cp1252")  # the other trap: every byte here is defined in cp1252
    assert detect_encoding(_write(tmp_path, "c.net", data)) == "gb18030"


def test_chinese_text_far_into_the_file_still_decides(tmp_path: Path) -> None:
    # The first megabyte is plain ASCII; the Chinese comes after it.
    data = b"%T filler\n" * 120_000 + "%T 皮肌炎与白细胞介素\n".encode("gbk") * 20
    path = _write(tmp_path, "late.txt", data)
    assert detect_encoding(path) == "gb18030"


def test_looks_chinese() -> None:
    assert looks_chinese("低剂量白细胞介素-2治疗皮肌炎，结果：有效。")
    assert not looks_chinese(GB_TRAP.encode("cp1252").decode("gb18030"))
    assert not looks_chinese("plain ascii only")


def test_no_candidate_decodes(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252, not UTF-8, and needs a valid trail byte in GB18030.
    path = _write(tmp_path, "bad.ris", b"TY  - JOUR\nTI  - caf\x81 \nER  - \n")
    with pytest.raises(
        DecodeError, match=r"bad\.ris: the file does not decode as any of utf-8, gb18030, cp1252"
    ):
        detect_encoding(path)


def test_bad_utf16_after_bom_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "wos.txt", b"\xff\xfe" + "PT\tTI\n".encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(DecodeError, match="utf-16"):
        detect_encoding(path)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_read_the_same(tmp_path: Path, newline: str) -> None:
    ris = (
        "TY  - JOUR\nTI  - A title that\n  wraps\nAU  - Smith, J\nPY  - 2020\nER  - \n\n"
        "TY  - JOUR\nTI  - Second\nER  - \n"
    )
    medline = "PMID- 1\nTI  - One\n      more\nFAU - Doe, Jane\n\nPMID- 2\nTI  - Two\n"
    for name, text in (("a.ris", ris), ("a.nbib", medline)):
        path = _write(tmp_path, name, text.replace("\n", newline).encode("utf-8"))
        _, _, entries = read_entries(path)
        titles = [e.record.title for e in entries]
        assert titles == (
            ["A title that wraps", "Second"] if name == "a.ris" else ["One more", "Two"]
        )
        assert "\r" not in entries[0].record.raw


@pytest.mark.parametrize(
    ("data", "offset", "line", "label"),
    [
        (b"TY  - JOUR\nTI  - caf\x81 \nER  - \n", 20, 2, "UTF-8"),
        # CRLF and bare CR end lines too; the bad byte is far into the file.
        (
            b"TY  - JOUR\r\nTI  - ok\r\n" * 60_000 + b"TI  - x\rAB  - caf\x81 \n",
            22 * 60_000 + 17,
            120_002,
            "UTF-8",
        ),
        # A UTF-16 file (it has a BOM) with a lone high surrogate: lines counted in its own text.
        (
            "PT\tTI\nJ\tOne\n".encode("utf-16-le").join([b"\xff\xfe", b""]) + b"\x00\xd8A\x00",
            26,
            3,
            "UTF-16",
        ),
    ],
    ids=["utf-8", "utf-8-far-crlf-cr", "utf-16"],
)
def test_an_encoding_error_names_the_byte_and_the_line(
    tmp_path: Path, data: bytes, offset: int, line: int, label: str
) -> None:
    path = _write(tmp_path, "x.ris", data)
    with pytest.raises(DecodeError) as caught:
        detect_encoding(path)
    message = str(caught.value)
    assert f"not valid {label} at byte {offset} (line {line})" in message
    assert message.startswith("x.ris: the file does not decode as ")  # what it said before stays
    assert "re-export it as UTF-8" in message and "\n" not in message


def test_an_import_of_an_undecodable_file_names_the_byte_and_the_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.ris",
        b"TY  - JOUR\nTI  - ok\nER  - \n" * 3 + b"TY  - JOUR\nTI  - caf\x81\nER  - \n",
    )
    with Project.create(tmp_path / "r.db", title="r", reviewers=["alice"]) as project:
        with pytest.raises(
            DecodeError, match=r"^bad\.ris: .*not valid UTF-8 at byte 101 \(line 11\)"
        ):
            project.import_file(path)
