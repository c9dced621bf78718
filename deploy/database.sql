-- Jisr's database and its two roles (docs/operations.md, "The roles that keep the audit log
-- append-only"). Once, as PostgreSQL's superuser, with the names and passwords as psql variables
-- (README, Production, runs it with those of /etc/jisr/setup.env):
--   psql "$JISR_SETUP_SUPERUSER_URL" -v ON_ERROR_STOP=1 -v db=jisr -v owner=jisr_owner \
--        -v owner_password=... -v web=jisr_web -v web_password=... -f deploy/database.sql
-- The owner runs migrations only; the web role serves gunicorn, `jisr worker` and cron commands
-- and, after deploy/audit-grants.sql, may only read and append to the audit log.
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"web" LOGIN PASSWORD :'web_password';
CREATE DATABASE :"db" OWNER :"owner";
\connect :"db"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Before PostgreSQL 15 the superuser owns the schema public: the owner needs CREATE on it.
GRANT CREATE, USAGE ON SCHEMA public TO :"owner";
GRANT USAGE ON SCHEMA public TO :"web";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"web";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"web";
