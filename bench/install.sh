#!/usr/bin/env bash
# Side-by-side wall time of `pyenv install` and `pyv install` building the same CPython tarball
# on the same machine, both reading it from a local file:// mirror (no network), each into a
# fresh throwaway root. Prints both times and pyv's time as a fraction of pyenv's. Then the two
# ways pyv installs without compiling, in the same run:
#   cached    the same version again from pyv's artifact cache, after `pyv uninstall` and in a
#             second root at another path (relocated), as a team mirror would serve it;
#   prebuilt  `pyv install --prebuilt` of a python-build-standalone-layout archive
#             (`python/` at the top, install_only naming), fetched from a file:// mirror into an
#             empty cache and root. No real python-build-standalone archive is reachable here, so
#             the archive is made from the tree pyv just built: same size and file count as a
#             real one within a factor of ~2 (real ones are stripped: smaller).
#
#   bench/install.sh [VERSION]        default 3.11.2 (needs ../shared/cpython/Python-3.11.2.tgz)
#   bench/install.sh --reinstall [TREE]
#                                     only the reinstall from the artifact cache, with hyperfine,
#                                     on a real CPython tree (default /root/.pyenv/versions/3.11.7)
#                                     posing as a build (no compile): after `uninstall`, with
#                                     `--force`, into a second root, and, for comparison, from the
#                                     archive alone (no unpacked copy: gunzip + write, as before);
#                                     with docker-registry installed, also a cold install from an
#                                     OCI registry and a push of what the registry already has
#
# pyenv is looked for at $PYENV_ROOT, else ~/.pyenv; without it only pyv is timed.
# PYV_BIN overrides the pyv binary (default: target/release/pyv, built if missing).
# BENCH_RUNS=N repeats the pair N times, alternating which goes first, and compares the best
# time of each (a shared machine is noisy: other builds easily add 30 % to one run).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# `--reinstall [TREE]`: a real CPython tree becomes a "source release" whose `make install`
# copies it (site-packages trimmed to pip and setuptools, prefix rewritten to the configure
# prefix, RUNPATH made $ORIGIN-relative, as tests/artifact.rs's real-tree test does); pyv
# "builds" it once into root A, storing the artifact, then every reinstall is timed.
reinstall_bench() {
    local real=${1:-/root/.pyenv/versions/3.11.7} as=3.11.97 pyver pyv archive
    [ -x "$real/bin/python3" ] || { echo "bench: no CPython tree at $real" >&2; exit 1; }
    command -v hyperfine >/dev/null || { echo "bench: hyperfine not found" >&2; exit 1; }
    pyver=$("$real/bin/python3" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    pyv=${PYV_BIN:-$here/target/release/pyv}
    [ -x "$pyv" ] || (cd "$here" && cargo build --release --workspace)
    work=$(mktemp -d /tmp/pyv-bench-reinstall.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    local src="$work/src/Python-$as"
    mkdir -p "$src"
    cp "$here/bench/fake-configure.sh" "$src/configure"
    chmod +x "$src/configure"
    # The RUNPATH `$real/lib\0` becomes `$ORIGIN/../lib`, padded with NULs to the same length.
    local pad=$(( ${#real} + 5 - 14 ))
    {
        echo 'set -e'
        # shellcheck disable=SC2016 # for the release's own shell
        echo 'D="$DESTDIR$PREFIX"'
        echo "mkdir -p \"\$D/bin\" \"\$D/lib/python$pyver/site-packages\""
        echo "tar -C '$real' --exclude=./lib/python$pyver/site-packages --exclude=./bin -cf - . | tar -C \"\$D\" -xf -"
        echo "cd '$real/lib/python$pyver/site-packages'"
        echo "cp -a pip pip-* setuptools setuptools-* _distutils_hack distutils-precedence.pth pkg_resources \"\$D/lib/python$pyver/site-packages/\""
        echo "cd '$real/bin'"
        echo "cp -a python* pip* pydoc* idle* 2to3* \"\$D/bin/\""
        echo "grep -rlIZ --exclude='*.pyc' '$real' \"\$D\" | xargs -0 sed -i \"s|$real|\$PREFIX|g\""
        # shellcheck disable=SC2028 # the backslashes are perl's
        echo "perl -0777 -pi -e 's{$real/lib\\0}{\"\\\$ORIGIN/../lib\" . (\"\\0\" x $pad)}ge' \"\$D/bin/python$pyver\""
        echo "ls \"\$D\"/lib/python$pyver/lib-dynload/_gdbm.* >/dev/null 2>&1 || echo '# stand-in: no gdbm in this tree' > \"\$D/lib/python$pyver/_gdbm.py\""
    } >"$src/install.sh"
    archive=$work/Python-$as.tgz
    tar -C "$work/src" -czf "$archive" "Python-$as"
    export PYV_CACHE_DIR="$work/cache" PYV_ARTIFACT_CACHE=1
    echo "bench: $real (Python $pyver) as $as on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    local start; start=$(now)
    PYV_ROOT="$work/a" "$pyv" install -q --skip-preflight "$archive" ||
        { echo "bench: the first install failed" >&2; exit 1; }
    echo "bench: first install (its \"build\" copies the tree; then stored): $(elapsed "$start" "$(now)")s"
    echo "bench: the tree: $(du -sm "$work/a/versions/$as" | cut -f1) MB, $(find "$work/a/versions/$as" -type f | wc -l) files; the archive: $(du -m "$work/cache/artifacts/"*.tar.gz | cut -f1) MB"
    local runs=${BENCH_RUNS:-7} results=() install="$pyv install -q --skip-preflight $archive"
    # timed NAME RUNS PREPARE COMMAND
    timed() {
        local json
        json="$work/$(printf '%s' "$1" | tr -c 'a-z0-9' '_').json"
        hyperfine -N --runs "$2" --prepare "$3" --export-json "$json" "$4" >/dev/null 2>"$work/hf.err" || {
            echo "bench: $1 failed:" >&2
            cat "$work/hf.err" >&2
            exit 1
        }
        results+=("$1	$json")
    }
    timed "after uninstall" "$runs" "env PYV_ROOT=$work/a $pyv uninstall -f $as" "env PYV_ROOT=$work/a $install"
    timed "--force" "$runs" "true" "env PYV_ROOT=$work/a $pyv install -q --force --skip-preflight $archive"
    timed "into a second root (relocated)" "$runs" "rm -rf $work/b" "env PYV_ROOT=$work/b $install"
    timed "from the archive alone (no unpacked copy)" 3 "rm -rf $work/c $work/cache/unpacked" "env PYV_ROOT=$work/c $install"
    # The same in PYV_LINK_MODE=hardlink (versions then share read-only files with the cache):
    # each run into a root of its own, kept, since removing a tree that shares the cache's
    # files changes their ctimes and makes the next reuse fall back to the archive, by design.
    echo 0 >"$work/n"
    local next_root="n=\$(cat $work/n); echo \$((n+1)) >$work/n; PYV_ROOT=$work/h\$n PYV_LINK_MODE=hardlink $install"
    PYV_LINK_MODE=hardlink PYV_ROOT="$work/h" $install # the unpacked copy's files, read-only from now on
    timed "into a new root each run (PYV_LINK_MODE=hardlink)" "$runs" "true" "sh -c \"$next_root\""
    # Through an OCI registry (the CNCF docker-registry, plain http on 127.0.0.1, no auth):
    # a cold install into an empty cache and root, and a push of what the registry has.
    if [ -x /usr/bin/docker-registry ]; then
        local port ref
        port=$("$real/bin/python3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
            "$work/registry" "$port" >"$work/registry.yml"
        /usr/bin/docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
        bench_registry_pid=$!
        trap 'kill "$bench_registry_pid" 2>/dev/null; rm -rf "$work"' EXIT
        for _ in $(seq 100); do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
            sleep 0.1
        done
        ref="oci://127.0.0.1:$port/bench/pyv"
        PYV_ROOT="$work/a" "$pyv" cache push "$ref" "$as" >/dev/null
        timed "from an OCI registry (empty cache and root)" "$runs" "rm -rf $work/r $work/rcache" \
            "env PYV_ROOT=$work/r PYV_CACHE_DIR=$work/rcache PYV_ARTIFACT_MIRROR=$ref $install"
        timed "cache push of what the registry has" "$runs" "true" \
            "env PYV_ROOT=$work/a $pyv cache push $ref $as"
    fi
    "$work/b/versions/$as/bin/python3" -c "import ssl, sqlite3, zlib, ctypes, sys; assert sys.prefix == '$work/b/versions/$as', sys.prefix" ||
        { echo "bench: the second root's Python does not work" >&2; exit 1; }
    printf '%s\n' "${results[@]}" | "$real/bin/python3" "$here/bench/table.py" reinstall
}

if [ "${1-}" = "--reinstall" ]; then
    reinstall_bench "${2-}"
    exit 0
fi

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
    rm -rf "$work/pyv-root" "$work/pyv-cache" "$work/pyv-root2"
    local start; start=$(now)
    PYV_ROOT="$work/pyv-root" PYV_CACHE_DIR="$work/pyv-cache" PYV_MIRROR="file://$work/mirror" \
        "$pyv" install --no-cache "$version" >"$work/pyv.log" 2>&1 || {
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

# Timed `pyv install` into root $1 with cache $2, extra args after; the build must work.
timed_pyv() {
    local root=$1 cache=$2 label=$3; shift 3
    local start; start=$(now)
    PYV_ROOT="$root" PYV_CACHE_DIR="$cache" PYV_MIRROR="file://$work/mirror" \
        "$pyv" install "$@" >"$work/pyv-$label.log" 2>&1 || {
        tail -30 "$work/pyv-$label.log" >&2
        echo "bench: pyv install ($label) failed" >&2
        exit 1
    }
    local t; t=$(elapsed "$start" "$(now)")
    "$root/versions/$version/bin/python" -c "import ssl, sqlite3, zlib, ctypes" || {
        echo "bench: the $label install does not work" >&2
        exit 1
    }
    echo "$t"
}

run_cached() {
    PYV_ROOT="$work/pyv-root" "$pyv" uninstall -f "$version" >/dev/null
    local t; t=$(timed_pyv "$work/pyv-root" "$work/pyv-cache" cached "$version")
    grep -q "reusing the cached build" "$work/pyv-cached.log" || {
        echo "bench: the reinstall did not come from the artifact cache" >&2
        exit 1
    }
    echo "bench: pyv install $version from the artifact cache (after uninstall): ${t}s"
    cached_best=$(min "$cached_best" "$t")
    t=$(timed_pyv "$work/pyv-root2" "$work/pyv-cache" cached2 "$version")
    echo "bench: pyv install $version from the artifact cache into a second root: ${t}s"
    cached2_best=$(min "$cached2_best" "$t")
}

run_prebuilt() {
    local target tag file
    target="$(uname -m)-unknown-linux-gnu"
    tag=bench
    file="cpython-$version+$tag-$target-install_only.tar.gz"
    if [ ! -f "$work/pbs/$tag/$file" ]; then
        mkdir -p "$work/pbs/$tag"
        tar -C "$work/pyv-root/versions" --transform "s|^$version|python|" \
            -czf "$work/pbs/$tag/$file" "$version"
        printf '%s\t%s\t%s\t%s\n' "$version" "$target" "$tag/$file" \
            "$(sha256sum "$work/pbs/$tag/$file" | cut -d' ' -f1)" >"$work/pbs.tsv"
    fi
    rm -rf "$work/pbs-root" "$work/pbs-cache"
    local t
    t=$(PYV_PREBUILT_TABLE="$work/pbs.tsv" PYV_PREBUILT_MIRROR="file://$work/pbs" \
        timed_pyv "$work/pbs-root" "$work/pbs-cache" prebuilt --prebuilt "$version")
    echo "bench: pyv install --prebuilt $version ($(du -m "$work/pbs/$tag/$file" | cut -f1) MB archive): ${t}s"
    prebuilt_best=$(min "$prebuilt_best" "$t")
}

pyenv_best=""
pyv_best=""
cached_best=""
cached2_best=""
prebuilt_best=""
for i in $(seq "$runs"); do
    if [ -n "$have_pyenv" ] && [ $((i % 2)) -eq 1 ]; then run_pyenv; fi
    run_pyv
    run_cached
    run_prebuilt
    if [ -n "$have_pyenv" ] && [ $((i % 2)) -eq 0 ]; then run_pyenv; fi
done

echo "bench: best of $runs on $(nproc) cores:"
printf 'bench:   %-40s %8s\n' "pyv, source build" "${pyv_best}s" \
    "pyv, artifact cache (after uninstall)" "${cached_best}s" \
    "pyv, artifact cache (second root)" "${cached2_best}s" \
    "pyv --prebuilt (stand-in archive)" "${prebuilt_best}s"
[ -z "$have_pyenv" ] || printf 'bench:   %-40s %8s\n' "pyenv, source build" "${pyenv_best}s"
awk -v s="$pyv_best" -v c="$cached_best" -v c2="$cached2_best" -v p="$prebuilt_best" \
    'BEGIN { printf "bench: cached is %.0fx, second root %.0fx, prebuilt %.0fx faster than pyv'"'"'s source build (target <= 5 s)\n", s / c, s / c2, s / p }'

if [ -n "$have_pyenv" ]; then
    awk -v a="$pyv_best" -v b="$pyenv_best" \
        'BEGIN { printf "bench: best of %d: pyv %.1fs, pyenv %.1fs, pyv/pyenv = %.2f (target <= 0.90)\n", '"$runs"', a, b, a / b }'
    awk -v c="$cached_best" -v p="$prebuilt_best" -v b="$pyenv_best" \
        'BEGIN { printf "bench: against pyenv'"'"'s build: cached %.3f, prebuilt %.3f\n", c / b, p / b }'
fi
