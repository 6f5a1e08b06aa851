-- Bulk loads (sqlstore Load/LoadImport: demo data, the OParl importer)
-- skip the row triggers of 0013 and recompute files.visible_public once per
-- Load, set-based, over the files the Load touched (sqlstore/load.go
-- loader.refreshFileVisibility, with the rule of fileOwnersVisible). A Load
-- sets ratsnetz.bulk = 'on' for its own transaction only
-- (set_config(..., true)), so every other transaction (the office, raw SQL,
-- another instance) still fires the triggers; no superuser right is needed.
-- The WHEN clause keeps skipped AFTER triggers out of the trigger queue
-- and costs no plpgsql call. The trigger functions of 0013 are unchanged.
CREATE OR REPLACE TRIGGER files_vis BEFORE INSERT OR UPDATE OF id, public ON files
	FOR EACH ROW WHEN (current_setting('ratsnetz.bulk', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION rn_files_vis();
CREATE OR REPLACE TRIGGER file_links_vis AFTER INSERT OR UPDATE OR DELETE ON file_links
	FOR EACH ROW WHEN (current_setting('ratsnetz.bulk', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION rn_file_links_vis();
CREATE OR REPLACE TRIGGER papers_vis AFTER INSERT OR UPDATE OF id, public OR DELETE ON papers
	FOR EACH ROW WHEN (current_setting('ratsnetz.bulk', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION rn_papers_vis();
CREATE OR REPLACE TRIGGER meetings_vis AFTER INSERT OR UPDATE OF id, public OR DELETE ON meetings
	FOR EACH ROW WHEN (current_setting('ratsnetz.bulk', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION rn_meetings_vis();
CREATE OR REPLACE TRIGGER agenda_items_vis AFTER INSERT OR UPDATE OF id, public, meeting_id OR DELETE ON agenda_items
	FOR EACH ROW WHEN (current_setting('ratsnetz.bulk', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION rn_agenda_items_vis();
