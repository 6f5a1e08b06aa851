-- files.visible_public caches the anonymous public's file rule
-- (sqlstore/visibility.go fileOwnersVisible): the file is public AND every
-- owner link (paper, meeting, agenda item) names a public owner; an agenda
-- item counts only when its meeting is public too. The triggers below keep
-- it equal to that rule after every write of files, file_links, papers,
-- meetings and agenda items, whatever code path writes (Load, the office,
-- de-publication, deletion); storetest VisibilityFlags proves it. Readers
-- of the public then test one column instead of a join over every owner.
-- Each trigger writes only the rows whose flag changes.
ALTER TABLE files ADD COLUMN visible_public INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER files_vis_insert AFTER INSERT ON files BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = NEW.id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER files_vis_update AFTER UPDATE OF id, public ON files BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = NEW.id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER file_links_vis_insert AFTER INSERT ON file_links BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = NEW.file_id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER file_links_vis_delete AFTER DELETE ON file_links BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = OLD.file_id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER file_links_vis_update AFTER UPDATE ON file_links BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (OLD.file_id, NEW.file_id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;


-- Owners: a paper, meeting or agenda item that appears, disappears, or
-- changes what the rule reads refreshes the files linked to it (a meeting
-- also those of its agenda items).

CREATE TRIGGER papers_vis_insert AFTER INSERT ON papers BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'paper' AND l.owner_id = NEW.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER papers_vis_delete AFTER DELETE ON papers BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'paper' AND l.owner_id = OLD.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER papers_vis_update AFTER UPDATE OF id, public ON papers WHEN OLD.id IS NOT NEW.id OR OLD.public IS NOT NEW.public BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'paper' AND l.owner_id IN (OLD.id, NEW.id)) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER meetings_vis_insert AFTER INSERT ON meetings BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id = NEW.id
		UNION ALL SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id = NEW.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER meetings_vis_delete AFTER DELETE ON meetings BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id = OLD.id
		UNION ALL SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id = OLD.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER meetings_vis_update AFTER UPDATE OF id, public ON meetings WHEN OLD.id IS NOT NEW.id OR OLD.public IS NOT NEW.public BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id IN (OLD.id, NEW.id)
		UNION ALL SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id IN (OLD.id, NEW.id)) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER agenda_items_vis_insert AFTER INSERT ON agenda_items BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'agenda_item' AND l.owner_id = NEW.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER agenda_items_vis_delete AFTER DELETE ON agenda_items BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'agenda_item' AND l.owner_id = OLD.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

CREATE TRIGGER agenda_items_vis_update AFTER UPDATE OF id, public, meeting_id ON agenda_items WHEN OLD.id IS NOT NEW.id OR OLD.public IS NOT NEW.public OR OLD.meeting_id IS NOT NEW.meeting_id BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'agenda_item' AND l.owner_id IN (OLD.id, NEW.id)) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;


-- The rule for the files already stored.
UPDATE files SET visible_public = (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
