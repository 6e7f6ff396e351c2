#!/usr/bin/env bash
# Copies the front-end assets pinned in package-lock.json into static/vendor (served by Minyi itself,
# no CDN: intranets cannot reach one). Run by `make assets`.
#
# Copy every file a vendored file refers to: the production static storage (ManifestStaticFilesStorage)
# rewrites each url(...) and sourceMappingURL to a hashed name at `collectstatic` and aborts with
# MissingFileError when the target is absent — that is why Bootstrap's .map files are here.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
rm -rf static/vendor
mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/htmx static/vendor/echarts
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
   static/vendor/bootstrap/
cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
touch static/vendor/.installed
