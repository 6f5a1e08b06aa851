-- Keyset pages (ORDER BY id after an ID) of one body's papers and meetings
-- (OParl /body/{id}/paper, /body/{id}/meeting): without an index in ID order
-- per body, SQLite took the date index and sorted the whole body (~300 ms
-- per page on 200 000 papers).
CREATE INDEX papers_body_id ON papers (body_id, id);
CREATE INDEX meetings_body_id ON meetings (body_id, id);
