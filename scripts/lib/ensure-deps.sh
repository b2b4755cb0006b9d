#!/usr/bin/env bash
# Installs the Debian packages Headroom's tests and demo start for real, when they are missing, and moto_server.
# As root it installs them; otherwise it prints the apt-get line to run and fails.
set -euo pipefail

# binary:package pairs; a binary found on PATH (or in the package's usual place) means the package is there.
required=(
  "prometheus:prometheus"
  "promtool:prometheus"
  "prometheus-pushgateway:prometheus-pushgateway"
  "prometheus-alertmanager:prometheus-alertmanager"
  "prometheus-node-exporter:prometheus-node-exporter"
  "mariadbd:mariadb-server"
  "mariadb-install-db:mariadb-server"
  "initdb:postgresql"
  "chromium:chromium"
)
extra=("$@")

have() {
  command -v "$1" >/dev/null 2>&1 && return 0
  case "$1" in
    initdb) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null ;;
    mariadbd) [ -x /usr/sbin/mariadbd ] ;;
    *) return 1 ;;
  esac
}

missing=()
for pair in "${required[@]}" "${extra[@]}"; do
  binary=${pair%%:*}
  package=${pair##*:}
  if ! have "$binary"; then
    case " ${missing[*]-} " in *" $package "*) ;; *) missing+=("$package") ;; esac
  fi
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "headroom: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi

# moto_server (the AWS API of the CloudWatch tests and `headroom demo --aws`) comes from PyPI, not from Debian.
if ! command -v moto_server >/dev/null 2>&1; then
  if python3 -m pip --version >/dev/null 2>&1; then
    echo "==> installing moto_server: python3 -m pip install 'moto[server]'"
    python3 -m pip install --quiet 'moto[server]' 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages 'moto[server]' \
      || { echo "headroom: could not install moto_server; install it with:  python3 -m pip install 'moto[server]'" >&2; exit 1; }
  else
    echo "headroom: moto_server is missing; install it with:  apt-get install python3-pip && python3 -m pip install 'moto[server]'" >&2
    exit 1
  fi
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "headroom: missing Debian packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "==> installing Debian packages: ${missing[*]}"
# Keep package scripts from starting system services: the project starts its own instances on free ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "==> installed ${missing[*]}"
