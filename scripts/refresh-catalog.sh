#!/usr/bin/env bash
# Regenerate the embedded CPython catalog (src/catalog/cpython.tsv) from a catalog in the same
# format: `version<TAB>free_threaded<TAB>format<TAB>url<TAB>sha256`, one row per python.org
# source file, as ../shared/catalog/cpython.tsv holds it (made from python.org's release API and
# cross-checked against pyenv's definitions). Rows are only ever added: a row whose digest differs
# from the embedded one, or a missing row, is refused, since the embedded catalog is what pyv
# trusts.
#
#   bash scripts/refresh-catalog.sh [path/to/cpython.tsv]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
src="${1:-../shared/catalog/cpython.tsv}"
dst=src/catalog/cpython.tsv
[ "$(head -1 "$src")" = "$(head -1 "$dst")" ] || { echo "refresh-catalog: $src: not the catalog's header" >&2; exit 1; }
conflicts=$(awk -F'\t' 'NR==FNR { d[$1 FS $2 FS $3] = $5; next }
  FNR > 1 && ($1 FS $2 FS $3) in d && d[$1 FS $2 FS $3] != $5 { print $1 " " $3 }' "$dst" "$src")
if [ -n "$conflicts" ]; then
  echo "refresh-catalog: $src names another SHA-256 for: $conflicts" >&2
  exit 1
fi
dropped=$(awk -F'\t' 'NR==FNR { have[$0] = 1; next } !($0 in have) { print $1 " " $3 }' "$src" "$dst")
if [ -n "$dropped" ]; then
  echo "refresh-catalog: $src lacks rows the embedded catalog has: $dropped" >&2
  exit 1
fi
tmp=$(mktemp "$dst.XXXXXX")
cp "$src" "$tmp"
mv "$tmp" "$dst"
echo "refresh-catalog: $(($(wc -l <"$dst") - 1)) rows in $dst"
