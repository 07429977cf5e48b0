#!/usr/bin/env bash
# Refresh the web app's front-end assets from the npm registry, at pinned versions, with their
# licences. The files are committed: the app serves them itself and never needs the network.
# Usage: bash scripts/vendor-assets.sh        (needs npm and the registry; run by a developer)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/khooshe/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# package@version  files to copy (relative to the package root; a trailing / copies a folder)
specs=(
  "htmx.org@2.0.11 dist/htmx.min.js LICENSE"
  "bootstrap@5.3.9 dist/css/bootstrap.rtl.min.css dist/css/bootstrap.min.css dist/js/bootstrap.bundle.min.js LICENSE"
  "leaflet@1.9.4 dist/leaflet.js dist/leaflet.css dist/images/ LICENSE"
  "vazirmatn@33.0.3 fonts/webfonts/Vazirmatn-Regular.woff2 fonts/webfonts/Vazirmatn-Bold.woff2 fonts/ttf/Vazirmatn-Regular.ttf fonts/ttf/Vazirmatn-Bold.ttf OFL.txt"
  "@majidh1/jalalidatepicker@0.9.12 dist/jalalidatepicker.min.js dist/jalalidatepicker.min.css LICENSE"
  "swagger-ui-dist@5.35.0 swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE"
)
rm -rf "$dest"
mkdir -p "$dest"
: > "$work/VERSIONS"
for spec in "${specs[@]}"; do
  read -r pkg files <<<"$spec"
  name=${pkg%@*}; version=${pkg##*@}; folder=$(basename "$name")
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  tgz=$(ls "$work"/*.tgz | head -n1)
  mkdir -p "$work/x" && tar xzf "$tgz" -C "$work/x" && rm "$tgz"
  mkdir -p "$dest/$folder"
  for f in $files; do
    if [[ "$f" == */ ]]; then cp -r "$work/x/package/$f" "$dest/$folder/"; else cp "$work/x/package/$f" "$dest/$folder/"; fi
  done
  echo "$name $version" >> "$work/VERSIONS"
  rm -rf "$work/x"
done
{ echo "# Front-end assets served by khooshe's web app, from the npm registry (scripts/vendor-assets.sh)."; echo "# package version — each folder holds the package's licence beside its files."; cat "$work/VERSIONS"; } > "$dest/VERSIONS.txt"
echo "vendored into $dest:"; cat "$dest/VERSIONS.txt"
