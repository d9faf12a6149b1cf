#!/usr/bin/env bash
# Side-by-side wall time of `pyenv install` and `pyv install` building the same CPython tarball
# on the same machine, both reading it from a local file:// mirror (no network), each into a
# fresh throwaway root. Prints both times and pyv's time as a fraction of pyenv's.
#
#   bench/install.sh [VERSION]        default 3.11.2 (needs ../shared/cpython/Python-3.11.2.tgz)
#
# pyenv is looked for at $PYENV_ROOT, else ~/.pyenv; without it only pyv is timed.
# PYV_BIN overrides the pyv binary (default: target/release/pyv, built if missing).
# BENCH_RUNS=N repeats the pair N times, alternating which goes first, and compares the best
# time of each (a shared machine is noisy: other builds easily add 30 % to one run).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-3.11.2}
runs=${BENCH_RUNS:-1}
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
echo "bench: building $file on $(nproc) cores ($(uname -sm)), $runs run(s) each"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }'; }

pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
have_pyenv=""
if [ -x "$pyenv_root/bin/pyenv" ] && [ -x "$pyenv_root/plugins/python-build/bin/python-build" ]; then
    # python-build's own definition for this version, pointed at the local tarball.
    stock="$pyenv_root/plugins/python-build/share/python-build/$version"
    [ -f "$stock" ] || { echo "bench: pyenv has no definition for $version" >&2; exit 1; }
    mkdir -p "$work/defs"
    # Keep every line but the Python download (and the xz/gz `if` around it), then add ours.
    grep -v 'install_package "Python-\|^if has_tar_xz_support\|^else$\|^fi$' "$stock" > "$work/defs/$version"
    grep -m1 "install_package \"Python-$version\"" "$stock" |
        sed -E -e 's/^[[:space:]]+//' -e "s|\"https?://[^\"]*\"|\"file://$tarball#$sha\"|" >> "$work/defs/$version"
    have_pyenv=yes
    echo "bench: pyenv $("$pyenv_root/bin/pyenv" --version | cut -d' ' -f2) from $pyenv_root"
else
    echo "bench: pyenv not found at $pyenv_root (set PYENV_ROOT); skipping the comparison"
fi

run_pyenv() {
    rm -rf "$work/pyenv-root"
    local start; start=$(now)
    PYENV_ROOT="$work/pyenv-root" PYTHON_BUILD_CACHE_PATH="$work/pyenv-cache" \
        "$pyenv_root/bin/pyenv" install "$work/defs/$version" >"$work/pyenv.log" 2>&1 || {
        tail -20 "$work/pyenv.log" >&2
        echo "bench: pyenv install failed" >&2
        exit 1
    }
    local t; t=$(elapsed "$start" "$(now)")
    echo "bench: pyenv install $version: ${t}s"
    pyenv_best=$(min "$pyenv_best" "$t")
}

run_pyv() {
    rm -rf "$work/pyv-root" "$work/pyv-cache"
    local start; start=$(now)
    PYV_ROOT="$work/pyv-root" PYV_CACHE_DIR="$work/pyv-cache" PYV_MIRROR="file://$work/mirror" \
        "$pyv" install "$version" >"$work/pyv.log" 2>&1 || {
        tail -30 "$work/pyv.log" >&2
        echo "bench: pyv install failed" >&2
        exit 1
    }
    local t; t=$(elapsed "$start" "$(now)")
    echo "bench: pyv install $version: ${t}s"
    grep ' done (' "$work/pyv.log" | sed 's/^/bench:   /' || true
    "$work/pyv-root/versions/$version/bin/python" -c "import ssl, sqlite3, zlib, ctypes" || {
        echo "bench: the pyv build does not work" >&2
        exit 1
    }
    pyv_best=$(min "$pyv_best" "$t")
}

pyenv_best=""
pyv_best=""
for i in $(seq "$runs"); do
    if [ -n "$have_pyenv" ] && [ $((i % 2)) -eq 1 ]; then run_pyenv; fi
    run_pyv
    if [ -n "$have_pyenv" ] && [ $((i % 2)) -eq 0 ]; then run_pyenv; fi
done

if [ -n "$have_pyenv" ]; then
    awk -v a="$pyv_best" -v b="$pyenv_best" \
        'BEGIN { printf "bench: best of %d: pyv %.1fs, pyenv %.1fs, pyv/pyenv = %.2f (target <= 0.90)\n", '"$runs"', a, b, a / b }'
fi
