-- Bulk loads (sqlstore Load/LoadImport: demo data, the OParl importer)
-- skip the row triggers of 0013 and recompute files.visible_public once per
-- Load, set-based, over the files the Load touched (sqlstore/load.go
-- loader.refreshFileVisibility, with the rule of fileOwnersVisible). A Load
-- marks its own transaction with a row in bulk_load, inserted at its start
-- and deleted before its commit: the row is never committed, and SQLite
-- runs one writer at a time, so every other write (the office, raw SQL,
-- another process) still fires the triggers. The trigger bodies are those
-- of 0013, unchanged; only the WHEN clause is new.
CREATE TABLE bulk_load (id INTEGER PRIMARY KEY CHECK (id = 1));

DROP TRIGGER files_vis_insert;
CREATE TRIGGER files_vis_insert AFTER INSERT ON files WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = NEW.id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER files_vis_update;
CREATE TRIGGER files_vis_update AFTER UPDATE OF id, public ON files WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = NEW.id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER file_links_vis_insert;
CREATE TRIGGER file_links_vis_insert AFTER INSERT ON file_links WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = NEW.file_id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER file_links_vis_delete;
CREATE TRIGGER file_links_vis_delete AFTER DELETE ON file_links WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id = OLD.file_id AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER file_links_vis_update;
CREATE TRIGGER file_links_vis_update AFTER UPDATE ON file_links WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (OLD.file_id, NEW.file_id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER papers_vis_insert;
CREATE TRIGGER papers_vis_insert AFTER INSERT ON papers WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'paper' AND l.owner_id = NEW.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER papers_vis_delete;
CREATE TRIGGER papers_vis_delete AFTER DELETE ON papers WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'paper' AND l.owner_id = OLD.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER papers_vis_update;
CREATE TRIGGER papers_vis_update AFTER UPDATE OF id, public ON papers WHEN NOT EXISTS (SELECT 1 FROM bulk_load) AND (OLD.id IS NOT NEW.id OR OLD.public IS NOT NEW.public) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'paper' AND l.owner_id IN (OLD.id, NEW.id)) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER meetings_vis_insert;
CREATE TRIGGER meetings_vis_insert AFTER INSERT ON meetings WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id = NEW.id
		UNION ALL SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id = NEW.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER meetings_vis_delete;
CREATE TRIGGER meetings_vis_delete AFTER DELETE ON meetings WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id = OLD.id
		UNION ALL SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id = OLD.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER meetings_vis_update;
CREATE TRIGGER meetings_vis_update AFTER UPDATE OF id, public ON meetings WHEN NOT EXISTS (SELECT 1 FROM bulk_load) AND (OLD.id IS NOT NEW.id OR OLD.public IS NOT NEW.public) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'meeting' AND l.owner_id IN (OLD.id, NEW.id)
		UNION ALL SELECT l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id IN (OLD.id, NEW.id)) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER agenda_items_vis_insert;
CREATE TRIGGER agenda_items_vis_insert AFTER INSERT ON agenda_items WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'agenda_item' AND l.owner_id = NEW.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER agenda_items_vis_delete;
CREATE TRIGGER agenda_items_vis_delete AFTER DELETE ON agenda_items WHEN NOT EXISTS (SELECT 1 FROM bulk_load) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'agenda_item' AND l.owner_id = OLD.id) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;

DROP TRIGGER agenda_items_vis_update;
CREATE TRIGGER agenda_items_vis_update AFTER UPDATE OF id, public, meeting_id ON agenda_items WHEN NOT EXISTS (SELECT 1 FROM bulk_load) AND (OLD.id IS NOT NEW.id OR OLD.public IS NOT NEW.public OR OLD.meeting_id IS NOT NEW.meeting_id) BEGIN
	UPDATE files SET visible_public = NOT visible_public
	WHERE id IN (SELECT l.file_id FROM file_links l WHERE l.owner_kind = 'agenda_item' AND l.owner_id IN (OLD.id, NEW.id)) AND visible_public IS NOT (files.public AND NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = files.id AND NOT (
		(vl.owner_kind = 'paper' AND EXISTS (SELECT 1 FROM papers vp WHERE vp.id = vl.owner_id AND vp.public)) OR
		(vl.owner_kind = 'meeting' AND EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = vl.owner_id AND vm.public)) OR
		(vl.owner_kind = 'agenda_item' AND EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id
			WHERE va.id = vl.owner_id AND va.public AND vam.public)))));
END;
