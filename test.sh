#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need when missing (PostgreSQL server binaries, Debian
# Chromium, nodejs/npm for the UI's chart library and the export readers, python3-pandas); the tests start their own throwaway PostgreSQL cluster unless NETBET_DB is set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if ! command -v npm >/dev/null 2>&1; then need+=(nodejs npm); fi
# pandas for the export's CSV reading test, from Debian (its python3; PATH's python3 may be another, e.g. pyenv's).
if ! python3 -c "import pandas" >/dev/null 2>&1 && ! /usr/bin/python3 -c "import pandas" >/dev/null 2>&1; then need+=(python3-pandas); fi
if ((${#need[@]})); then
  sudo=""; if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  echo "test.sh: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

dotnet build NetBet.slnx -c Release -nologo -v quiet
dotnet test NetBet.slnx -c Release --no-build -nologo "$@"
