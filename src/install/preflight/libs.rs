//! The libraries CPython's optional modules need: how preflight probes each one (headers to
//! include, link flags to try), what goes missing without it, and its package per manager.

use super::Severity;

/// One library dependency: what to compile and link, and what goes missing without it.
pub(super) struct Lib {
    pub key: &'static str,
    /// Source lines `#include`d by the test program.
    pub includes: &'static [&'static str],
    /// Alternative link flags; the first that works wins.
    pub link: &'static [&'static str],
    pub modules: &'static str,
    pub severity: Severity,
    /// Packages for apt, dnf/yum, pacman, apk, zypper, brew.
    pub packages: [&'static str; 6],
}

pub(super) const LIBS: &[Lib] = &[
    Lib {
        key: "ssl",
        includes: &["openssl/ssl.h"],
        link: &["-lssl -lcrypto"],
        modules: "ssl, hashlib (pip cannot download anything)",
        severity: Severity::Required,
        packages: [
            "libssl-dev",
            "openssl-devel",
            "openssl",
            "openssl-dev",
            "libopenssl-devel",
            "openssl@3",
        ],
    },
    Lib {
        key: "zlib",
        includes: &["zlib.h"],
        link: &["-lz"],
        modules: "zlib (ensurepip and pip fail)",
        severity: Severity::Required,
        packages: [
            "zlib1g-dev",
            "zlib-devel",
            "zlib",
            "zlib-dev",
            "zlib-devel",
            "zlib",
        ],
    },
    Lib {
        key: "ffi",
        includes: &["ffi.h"],
        link: &["-lffi"],
        modules: "ctypes",
        severity: Severity::Optional,
        packages: [
            "libffi-dev",
            "libffi-devel",
            "libffi",
            "libffi-dev",
            "libffi-devel",
            "libffi",
        ],
    },
    Lib {
        key: "sqlite3",
        includes: &["sqlite3.h"],
        link: &["-lsqlite3"],
        modules: "sqlite3",
        severity: Severity::Optional,
        packages: [
            "libsqlite3-dev",
            "sqlite-devel",
            "sqlite",
            "sqlite-dev",
            "sqlite3-devel",
            "sqlite",
        ],
    },
    Lib {
        key: "bz2",
        includes: &["bzlib.h"],
        link: &["-lbz2"],
        modules: "bz2",
        severity: Severity::Optional,
        packages: [
            "libbz2-dev",
            "bzip2-devel",
            "bzip2",
            "bzip2-dev",
            "libbz2-devel",
            "bzip2",
        ],
    },
    Lib {
        key: "lzma",
        includes: &["lzma.h"],
        link: &["-llzma"],
        modules: "lzma",
        severity: Severity::Optional,
        packages: ["liblzma-dev", "xz-devel", "xz", "xz-dev", "xz-devel", "xz"],
    },
    Lib {
        key: "readline",
        includes: &["stdio.h", "readline/readline.h"],
        link: &["-lreadline"],
        modules: "readline (no line editing in the REPL)",
        severity: Severity::Optional,
        packages: [
            "libreadline-dev",
            "readline-devel",
            "readline",
            "readline-dev",
            "readline-devel",
            "readline",
        ],
    },
    Lib {
        key: "ncurses",
        includes: &["curses.h"],
        link: &["-lncursesw", "-lncurses"],
        modules: "curses",
        severity: Severity::Optional,
        packages: [
            "libncurses-dev",
            "ncurses-devel",
            "ncurses",
            "ncurses-dev",
            "ncurses-devel",
            "ncurses",
        ],
    },
    Lib {
        key: "uuid",
        includes: &["uuid/uuid.h"],
        link: &["-luuid", ""],
        modules: "_uuid (uuid falls back to slower code)",
        severity: Severity::Optional,
        packages: [
            "uuid-dev",
            "libuuid-devel",
            "util-linux-libs",
            "util-linux-dev",
            "libuuid-devel",
            "ossp-uuid",
        ],
    },
    Lib {
        key: "gdbm",
        includes: &["gdbm.h"],
        link: &["-lgdbm"],
        modules: "dbm.gnu",
        severity: Severity::Optional,
        packages: [
            "libgdbm-dev",
            "gdbm-devel",
            "gdbm",
            "gdbm-dev",
            "gdbm-devel",
            "gdbm",
        ],
    },
    Lib {
        key: "tk",
        includes: &["tk.h"],
        link: &[
            "$PKG_CONFIG tk",
            "-I/usr/include/tcl8.6 -ltk8.6 -ltcl8.6",
            "-I/usr/include/tcl -ltk -ltcl",
            "-ltk -ltcl",
        ],
        modules: "tkinter (and IDLE)",
        severity: Severity::Optional,
        packages: ["tk-dev", "tk-devel", "tk", "tk-dev", "tk-devel", "tcl-tk"],
    },
];
