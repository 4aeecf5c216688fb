-- netbet_reader: a NOLOGIN group role that may read the NetBet tables and nothing else. The web app connects as a
-- login role in it (the private cluster makes one; see README "Read-only web access"), so even a session that says
-- SET TRANSACTION READ WRITE cannot write, and cannot create tables in the schema.
-- Roles belong to the whole cluster while grants belong to one database: the role is created only when missing
-- (several NetBet databases in one cluster each run this), and a concurrent creation by another database's migration
-- counts as done. A migrating user without CREATEROLE gets a warning instead of a failed migration; an administrator
-- can then create the role and rerun these grants.
do $$
declare
  reader_exists boolean;
begin
  if not exists (select 1 from pg_roles where rolname = 'netbet_reader') then
    begin
      create role netbet_reader nologin;
    exception
      when duplicate_object or unique_violation then null;
      when insufficient_privilege then
        raise warning 'netbet_reader was not created: % may not create roles; the web app stays read-only by session setting only', current_user;
    end;
  end if;

  reader_exists := exists (select 1 from pg_roles where rolname = 'netbet_reader');
  if reader_exists then
    execute format('grant usage on schema %I to netbet_reader', current_schema());
    execute format('grant select on all tables in schema %I to netbet_reader', current_schema());
    -- Tables created later by the migrating role (new migrations, monthly partitions) are readable too.
    execute format('alter default privileges in schema %I grant select on tables to netbet_reader', current_schema());
  end if;
end
$$;
