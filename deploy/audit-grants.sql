-- After every `jisr migrate`, as the owner: the web role may only read and append to the audit
-- tables (docs/operations.md). Idempotent; a migration that rebuilt a table would have granted
-- it everything again through the default privileges.
--   psql "$JISR_SETUP_OWNER_URL" -v ON_ERROR_STOP=1 -v web=jisr_web -f deploy/audit-grants.sql
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON audit_auditentry, audit_auditentryperson FROM :"web";
