-- screener review store, migration 0004: full-text search inside Chinese, Japanese and Korean.
--
-- record_fts (unicode61) makes a whole run of CJK characters one token, so a word inside a
-- Chinese phrase is never found (only a phrase's start, as a prefix). record_cjk indexes the
-- title and abstract by trigrams (FTS5's trigram tokenizer, SQLite 3.34 or later), and only
-- for records that contain CJK characters: indexing every record twice would slow imports.
-- screener.storage.records sends a query with CJK characters to it. Contentless: the text is
-- kept in record alone.
--
-- "Contains CJK": a character in U+3040-U+9FFF (kana, CJK symbols, ideographs), U+AC00-U+D7AF
-- (Hangul), U+F900-U+FAFF (compatibility ideographs) or U+20000-U+3FFFF; the length test
-- first passes over ASCII-only text cheaply. Bulk imports index new rows with the same test
-- written in Python (screener.storage.cjk.has_cjk; a test checks the two agree).
--
-- Where SQLite lacks the trigram tokenizer this migration is recorded without its statements,
-- and search scans instead; a newer SQLite opening the file builds the index then (see
-- screener.storage.db.sync_cjk_index).

CREATE VIRTUAL TABLE record_cjk USING fts5 (
    title, abstract, content = '', tokenize = 'trigram'
);

CREATE TRIGGER record_cjk_insert AFTER INSERT ON record
WHEN (length(CAST(new.title AS BLOB)) > length(new.title) AND new.title GLOB '*['
          || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
  OR (length(CAST(new.abstract AS BLOB)) > length(new.abstract) AND new.abstract GLOB '*['
          || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
BEGIN
    INSERT INTO record_cjk (rowid, title, abstract) VALUES (new.id, new.title, new.abstract);
END;

CREATE TRIGGER record_cjk_delete AFTER DELETE ON record
WHEN (length(CAST(old.title AS BLOB)) > length(old.title) AND old.title GLOB '*['
          || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
  OR (length(CAST(old.abstract AS BLOB)) > length(old.abstract) AND old.abstract GLOB '*['
          || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
BEGIN
    INSERT INTO record_cjk (record_cjk, rowid, title, abstract)
    VALUES ('delete', old.id, old.title, old.abstract);
END;

-- One trigger, in this order: the old text leaves the index before the new text enters it.
CREATE TRIGGER record_cjk_update AFTER UPDATE OF title, abstract ON record BEGIN
    INSERT INTO record_cjk (record_cjk, rowid, title, abstract)
    SELECT 'delete', old.id, old.title, old.abstract
    WHERE (length(CAST(old.title AS BLOB)) > length(old.title) AND old.title GLOB '*['
              || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
       OR (length(CAST(old.abstract AS BLOB)) > length(old.abstract) AND old.abstract GLOB '*['
              || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*');
    INSERT INTO record_cjk (rowid, title, abstract)
    SELECT new.id, new.title, new.abstract
    WHERE (length(CAST(new.title AS BLOB)) > length(new.title) AND new.title GLOB '*['
              || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
       OR (length(CAST(new.abstract AS BLOB)) > length(new.abstract) AND new.abstract GLOB '*['
              || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*');
END;

-- The records already in the review.
INSERT INTO record_cjk (rowid, title, abstract)
SELECT id, title, abstract FROM record
WHERE (length(CAST(title AS BLOB)) > length(title) AND title GLOB '*['
          || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*')
   OR (length(CAST(abstract AS BLOB)) > length(abstract) AND abstract GLOB '*['
          || char(0x3040, 0x2D, 0x9FFF, 0xAC00, 0x2D, 0xD7AF, 0xF900, 0x2D, 0xFAFF, 0x20000, 0x2D, 0x3FFFF) || ']*');
