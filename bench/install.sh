#!/usr/bin/env bash
# Side-by-side wall time of `pyenv install` and `pyv install` building the same CPython tarball
# on the same machine, both reading it from a local file:// mirror (no network), each into a
# fresh throwaway root. Prints both times and pyv's time as a fraction of pyenv's.
#
#   bench/install.sh [VERSION]        default 3.11.2 (needs ../shared/cpython/Python-3.11.2.tgz)
#
# pyenv is looked for at $PYENV_ROOT, else ~/.pyenv; without it only pyv is timed.
# PYV_BIN overrides the pyv binary (default: target/release/pyv, built if missing).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-3.11.2}
tarballs=$(cd "$here/../shared/cpython" 2>/dev/null && pwd) || {
    echo "bench: ../shared/cpython not found beside $here" >&2
    exit 1
}
tarball=""
for ext in tgz tar.xz; do
    if [ -f "$tarballs/Python-$version.$ext" ]; then
        tarball="$tarballs/Python-$version.$ext"
        break
    fi
done
[ -n "$tarball" ] || { echo "bench: no Python-$version.tgz or .tar.xz in $tarballs" >&2; exit 1; }
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
file=$(basename "$tarball")

pyv=${PYV_BIN:-$here/target/release/pyv}
if [ ! -x "$pyv" ]; then
    (cd "$here" && cargo build --release --workspace)
fi

work=$(mktemp -d /tmp/pyv-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/mirror/$version"
ln -s "$tarball" "$work/mirror/$version/$file"
cores=$(nproc)
echo "bench: building $file on $cores cores ($(uname -sm))"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
pyenv_time=""
if [ -x "$pyenv_root/bin/pyenv" ] && [ -x "$pyenv_root/plugins/python-build/bin/python-build" ]; then
    # python-build's own definition for this version, pointed at the local tarball.
    stock="$pyenv_root/plugins/python-build/share/python-build/$version"
    [ -f "$stock" ] || { echo "bench: pyenv has no definition for $version" >&2; exit 1; }
    mkdir -p "$work/defs"
    # Keep every line but the Python download (and the xz/gz if around it), then add ours.
    grep -v 'install_package "Python-\|^if has_tar_xz_support\|^else$\|^fi$' "$stock" > "$work/defs/$version"
    line=$(grep -m1 "install_package \"Python-$version\"" "$stock" |
        sed -E -e 's/^[[:space:]]+//' -e "s|\"https?://[^\"]*\"|\"file://$tarball#$sha\"|")
    echo "$line" >> "$work/defs/$version"
    echo "bench: pyenv $("$pyenv_root/bin/pyenv" --version | cut -d' ' -f2) from $pyenv_root"
    start=$(now)
    PYENV_ROOT="$work/pyenv-root" PYTHON_BUILD_CACHE_PATH="$work/pyenv-cache" \
        "$pyenv_root/bin/pyenv" install "$work/defs/$version" >"$work/pyenv.log" 2>&1 || {
        tail -20 "$work/pyenv.log" >&2
        echo "bench: pyenv install failed" >&2
        exit 1
    }
    pyenv_time=$(elapsed "$start" "$(now)")
    echo "bench: pyenv install $version: ${pyenv_time}s"
else
    echo "bench: pyenv not found at $pyenv_root (set PYENV_ROOT); skipping the comparison"
fi

start=$(now)
PYV_ROOT="$work/pyv-root" PYV_CACHE_DIR="$work/pyv-cache" PYV_MIRROR="file://$work/mirror" \
    "$pyv" install -q "$version" >"$work/pyv.log" 2>&1 || {
    tail -30 "$work/pyv.log" >&2
    echo "bench: pyv install failed" >&2
    exit 1
}
pyv_time=$(elapsed "$start" "$(now)")
echo "bench: pyv install $version: ${pyv_time}s"
"$work/pyv-root/versions/$version/bin/python" -c "import ssl, sqlite3, zlib, ctypes; print('bench: pyv build works:', __import__('sys').version.split()[0])"

if [ -n "$pyenv_time" ]; then
    awk -v a="$pyv_time" -v b="$pyenv_time" \
        'BEGIN { printf "bench: pyv/pyenv = %.2f (target <= 0.90)\n", a / b }'
fi
