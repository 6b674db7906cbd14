#!/usr/bin/env bash
# Everything the tests need on a fresh machine: Python packages, and Debian's chromium for the
# browser tests (Playwright drives /usr/bin/chromium; `playwright install` is not used).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# a font with Chinese glyphs, so that screenshots of the Chinese page show characters, not boxes
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null \
    || echo "no Chinese font installed: the zh screenshots will show boxes (the tests do not depend on it)"
fi
/usr/bin/chromium --version
