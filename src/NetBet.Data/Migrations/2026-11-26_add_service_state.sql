-- Small key/value state of long-running services, such as the poller's last tick.
create table if not exists service_state (
  key text primary key,
  updated_at timestamptz not null default now(),
  value jsonb
);
