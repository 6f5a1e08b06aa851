-- files.visible_public caches the anonymous public's file rule
-- (sqlstore/visibility.go fileOwnersVisible): the file is public AND every
-- owner link (paper, meeting, agenda item) names a public owner; an agenda
-- item counts only when its meeting is public too. The triggers below keep
-- it equal to that rule after every write of files, file_links, papers,
-- meetings and agenda items, whatever code path writes (Load, the office,
-- de-publication, deletion); storetest VisibilityFlags proves it. Readers
-- of the public then test one column instead of a join over every owner.
ALTER TABLE files ADD COLUMN visible_public BOOLEAN NOT NULL DEFAULT FALSE;

-- rn_file_owners_public: no link of file fid names an owner the public may
-- not see (the same text as fileOwnersVisible for the public viewer).
CREATE FUNCTION rn_file_owners_public(fid BIGINT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
	SELECT NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = fid AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public))))
$$;

-- rn_refresh_files_vis recomputes the flag of the given files, writing only
-- the rows whose flag changes.
CREATE FUNCTION rn_refresh_files_vis(ids BIGINT[]) RETURNS void
LANGUAGE sql AS $$
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = ANY(ids) AND visible_public <> (public AND rn_file_owners_public(id))
$$;

-- A file's own row: computed before it is written (no second write).
CREATE FUNCTION rn_files_vis() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.visible_public := NEW.public AND rn_file_owners_public(NEW.id);
	RETURN NEW;
END $$;
CREATE TRIGGER files_vis BEFORE INSERT OR UPDATE OF id, public ON files
	FOR EACH ROW EXECUTE FUNCTION rn_files_vis();

CREATE FUNCTION rn_file_links_vis() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM rn_refresh_files_vis(ARRAY[NEW.file_id]);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM rn_refresh_files_vis(ARRAY[OLD.file_id]);
	ELSE
		PERFORM rn_refresh_files_vis(ARRAY[OLD.file_id, NEW.file_id]);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER file_links_vis AFTER INSERT OR UPDATE OR DELETE ON file_links
	FOR EACH ROW EXECUTE FUNCTION rn_file_links_vis();

-- Owners: a paper, meeting or agenda item that appears, disappears, or
-- changes what the rule reads refreshes the files linked to it (a meeting
-- also those of its agenda items).
CREATE FUNCTION rn_papers_vis() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o BIGINT; n BIGINT;
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.public = NEW.public THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN o := OLD.id; END IF;
	IF TG_OP <> 'DELETE' THEN n := NEW.id; END IF;
	PERFORM rn_refresh_files_vis(ARRAY(SELECT l.file_id FROM file_links l
		WHERE l.owner_kind = 'paper' AND l.owner_id IN (o, n)));
	RETURN NULL;
END $$;
CREATE TRIGGER papers_vis AFTER INSERT OR UPDATE OF id, public OR DELETE ON papers
	FOR EACH ROW EXECUTE FUNCTION rn_papers_vis();

CREATE FUNCTION rn_meetings_vis() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o BIGINT; n BIGINT;
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.public = NEW.public THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN o := OLD.id; END IF;
	IF TG_OP <> 'DELETE' THEN n := NEW.id; END IF;
	PERFORM rn_refresh_files_vis(ARRAY(
		SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id IN (o, n)
		UNION ALL
		SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id
		WHERE a.meeting_id IN (o, n)));
	RETURN NULL;
END $$;
CREATE TRIGGER meetings_vis AFTER INSERT OR UPDATE OF id, public OR DELETE ON meetings
	FOR EACH ROW EXECUTE FUNCTION rn_meetings_vis();

CREATE FUNCTION rn_agenda_items_vis() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o BIGINT; n BIGINT;
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.public = NEW.public AND OLD.meeting_id = NEW.meeting_id THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN o := OLD.id; END IF;
	IF TG_OP <> 'DELETE' THEN n := NEW.id; END IF;
	PERFORM rn_refresh_files_vis(ARRAY(SELECT l.file_id FROM file_links l
		WHERE l.owner_kind = 'agenda_item' AND l.owner_id IN (o, n)));
	RETURN NULL;
END $$;
CREATE TRIGGER agenda_items_vis AFTER INSERT OR UPDATE OF id, public, meeting_id OR DELETE ON agenda_items
	FOR EACH ROW EXECUTE FUNCTION rn_agenda_items_vis();

-- The rule for the files already stored.
UPDATE files SET visible_public = public AND rn_file_owners_public(id);
