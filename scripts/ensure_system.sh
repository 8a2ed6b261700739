#!/usr/bin/env bash
# Installs the Debian packages the project needs, and only those that are missing. Checking with dpkg first
# means a second run never calls apt. Off Debian, or when not root, it says what is missing and goes on.
set -euo pipefail
packages=(
  postgresql-15-postgis-3 postgresql-contrib   # PostGIS for the local/project-local server
  gdal-bin libgdal32 libgeos-c1v5 libproj25     # GeoDjango's GDAL/GEOS/PROJ
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core  # WeasyPrint
  gettext                                       # compilemessages
  gcc libc6-dev                                 # builds the address search's C extension (wijken/lookup/_trgm.c)
  redis-server                                  # only started when no Redis answers
  nodejs npm                                    # front-end packages from the npm registry
  chromium chromium-driver                      # looking at pages: scripts/screenshot.py
  docker-compose                                # validates docker-compose.yml in the tests (no engine needed)
  wrk                                           # HTTP load for the benchmarks (make bench, docs/performance.md)
)
command -v dpkg-query >/dev/null || { echo "system: not a Debian system; install PostGIS, GDAL, pango and gettext yourself"; exit 0; }
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere (nodesource, nvm): a working npm is enough.
if command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done; missing=("${tmp[@]+"${tmp[@]}"}")
fi
# The C extension also needs the headers of the Python that builds it: Debian's python3-dev for Debian's python3
# (pyenv's and python.org's builds carry their own).
python=${PYTHON:-python3}
if command -v "$python" >/dev/null && ! "$python" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  missing+=(python3-dev)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system: missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 0
fi
echo "system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
