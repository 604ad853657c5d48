#!/usr/bin/env bash
# rescard setup: makes a fresh Debian machine (Node 20, root) ready for the demo and the tests.
# Idempotent and quick when everything is already there. Steps:
#  1. system packages: pcscd, libpcsclite-dev, vsmartcard-vpcd (virtual reader), socat (pty
#     pairs for serial peripherals), and a compiler for the native addons;
#  2. the default vpcd reader entry only (two slots: TCP 35963 and 35964);
#  3. npm dependencies (npm ci when node_modules is missing or older than the lock file);
#  4. pcscd started when it is not running, then a wait until vpcd listens on 35963.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'rescard setup: %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

packages=(pcscd libpcsclite-dev vsmartcard-vpcd socat g++ make python3 pkg-config iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! is_root; then
    say "missing system packages: ${missing[*]}"
    say "install them as root:  apt-get update && apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# One vpcd entry only (slots 35963 and 35964): a second entry in /etc/reader.conf.d loads the
# same driver twice and, seen here with pcsc-lite 1.9.9, stops pcscd from polling the first.
restart_pcscd=no
if [ -f /etc/reader.conf.d/rescard-vpcd-2 ] && is_root; then rm -f /etc/reader.conf.d/rescard-vpcd-2; restart_pcscd=yes; fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$restart_pcscd" = yes ] && pgrep -x pcscd >/dev/null; then
  say "restarting pcscd (reader configuration changed)"
  pkill -x pcscd || true
  for _ in $(seq 1 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
fi
if ! pgrep -x pcscd >/dev/null; then
  if ! is_root; then
    say "pcscd is not running; start it as root:  pcscd"
    exit 1
  fi
  say "starting pcscd"
  pcscd
fi
for _ in $(seq 1 100); do
  # Look, don't touch: a TCP connect to vpcd would present a (broken) card to pcscd.
  if ss -Hltn 'sport = :35963' 2>/dev/null | grep -q .; then exit 0; fi
  sleep 0.1
done
say "pcscd is running but vpcd does not listen on 127.0.0.1:35963 (is vsmartcard-vpcd installed?)"
exit 1
