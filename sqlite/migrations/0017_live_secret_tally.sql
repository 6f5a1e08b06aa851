-- Secret votes keep no ballot rows (issue 7, confidentiality): one counter per
-- option, created when the vote opens and updated — every option's row, in the
-- same transaction as the voters' rows — by each batch of ballots. No row, row
-- order or row version then depends on which member chose which option; the
-- count stays checkable (number of voters = sum of the counters, the result in
-- the hash-chained event log). WITHOUT ROWID: the rows sit in key order.
CREATE TABLE live_vote_tally (
	vote_id INTEGER NOT NULL,
	option TEXT NOT NULL,
	ballots INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (vote_id, option)
) WITHOUT ROWID;

-- Secret votes stored before: their ballots become counters, the ballot rows
-- (stored in arrival order) are deleted.
INSERT INTO live_vote_tally (vote_id, option, ballots)
SELECT v.id, o.value, (SELECT COUNT(*) FROM live_ballots b WHERE b.vote_id = v.id AND b.option = o.value)
FROM live_votes v, json_each(v.options) o
WHERE v.kind = 'geheim';

DELETE FROM live_ballots WHERE vote_id IN (SELECT id FROM live_votes WHERE kind = 'geheim');
