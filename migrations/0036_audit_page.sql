-- 0036: the audit log page (staff/auditlog.c, docs/staff.md "The audit
-- log page").
--
-- Compliance and the administrator read hotline.audit_log newest first,
-- 50 rows a page by keyset on id, filtered by action, by account (the
-- login the row names), by a case number and by dates. Without these
-- indexes a filter that matches few rows walks the primary key backwards
-- through the whole log to fill a page; with them each filter reads its
-- rows in id order from its own index. The case number is the object's
-- leading "YYYY-NNNNNN" (a case step's object is the number itself, a
-- file's "REG_NO/ID", a reveal's "REG_NO/reveal/ID", a relation's
-- "REG_NO>REG_NO"); the page's statement uses the same expression.
CREATE INDEX audit_log_action ON hotline.audit_log (action, id);
CREATE INDEX audit_log_login ON hotline.audit_log (login, id);
CREATE INDEX audit_log_case ON hotline.audit_log
	((substring(object FROM '^[0-9]{4}-[0-9]+')), id);
CREATE INDEX audit_log_at ON hotline.audit_log (at);

-- The page checks the chain as `hotlinectl audit verify` does, which
-- ends by comparing the head with the last row: hotlined may read it
-- (a hash, nothing more than the last row's row_hash it already reads).
GRANT SELECT ON hotline.audit_head TO hotline_app;

INSERT INTO hotline.schema_migrations (version, name) VALUES (36, 'audit_page');
