-- Keyset pages (ORDER BY id after an ID) of one body's papers, meetings and
-- files (OParl /body/{id}/paper, …): an index in ID order per body.
CREATE INDEX papers_body_id ON papers (body_id, id);
CREATE INDEX meetings_body_id ON meetings (body_id, id);
CREATE INDEX files_body_id ON files (body_id, id);
