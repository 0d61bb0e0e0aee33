#!/usr/bin/env bash
# Re-fetches the vendored front-end files from the npm registry and checks them against the
# pinned SHA-256 sums below. Run it from anywhere: bash static/vendor/fetch.sh
# To upgrade, change a version, run with UPDATE=1 to print the new sums, and review the diff.
set -euo pipefail
cd "$(dirname "$0")"

HTMX_VERSION=2.0.11
SSE_VERSION=2.2.4

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # package version file-in-package destination
  local pkg=$1 ver=$2 src=$3 dst=$4
  if [ ! -f "$tmp/$pkg-$ver/package.json" ]; then
    mkdir -p "$tmp/$pkg-$ver"
    (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
    tar -xzf "$tmp/$pkg-$ver.tgz" -C "$tmp/$pkg-$ver" --strip-components=1
  fi
  cp "$tmp/$pkg-$ver/$src" "$dst"
}

fetch htmx.org "$HTMX_VERSION" dist/htmx.min.js htmx.min.js
fetch htmx.org "$HTMX_VERSION" LICENSE htmx.LICENSE
fetch htmx-ext-sse "$SSE_VERSION" sse.js sse.js
fetch htmx-ext-sse "$SSE_VERSION" LICENSE sse.LICENSE

if [ "${UPDATE:-}" = 1 ]; then
  sha256sum htmx.min.js htmx.LICENSE sse.js sse.LICENSE
  exit 0
fi
sha256sum --check --strict SHA256SUMS
