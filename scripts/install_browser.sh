#!/usr/bin/env bash
# Installs Debian's Chromium and CJK fonts for the browser tests and the PDF reports, if they are missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
# A TrueType CJK font that reportlab can embed in the PDF reports (minyi/reports/pdf.py).
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Browser tests need: ${need[*]} — run: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
