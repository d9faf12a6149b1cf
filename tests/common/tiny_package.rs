//! A one-module package (`pyvtiny`, `X = 42`) that `pip install <dir>` can build offline on
//! any CPython: its pyproject names an in-tree PEP 517 backend that writes the wheel with
//! zipfile, so neither setuptools nor wheel is needed.

use std::fs;
use std::path::Path;

/// Write the package into `dir` (created).
pub fn write(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
    )
    .unwrap();
    fs::write(dir.join("backend.py"), TINY_BACKEND).unwrap();
    fs::write(dir.join("pyvtiny.py"), "X = 42\n").unwrap();
}

/// The same package with a console script: `pyvtiny` prints `pyvtiny 42 <sys.prefix>`.
#[allow(dead_code)]
pub fn write_with_script(dir: &Path) {
    write(dir);
    fs::write(
        dir.join("pyvtiny.py"),
        "import sys\nX = 42\ndef main():\n    print('pyvtiny', X, sys.prefix)\n",
    )
    .unwrap();
    let backend = TINY_BACKEND.replace(
        "    DIST + \"WHEEL\"",
        "    DIST + \"entry_points.txt\": b\"[console_scripts]\\npyvtiny = pyvtiny:main\\n\",\n    DIST + \"WHEEL\"",
    );
    assert!(backend.contains("entry_points"));
    fs::write(dir.join("backend.py"), backend).unwrap();
}

/// A PEP 517 backend that builds a one-module wheel with zipfile only.
const TINY_BACKEND: &str = r#"import base64, hashlib, zipfile

NAME, VERSION = "pyvtiny", "0.1"
DIST = NAME + "-" + VERSION + ".dist-info/"
FILES = {
    NAME + ".py": open(NAME + ".py", "rb").read(),
    DIST + "METADATA": b"Metadata-Version: 2.1\nName: pyvtiny\nVersion: 0.1\n",
    DIST + "WHEEL": b"Wheel-Version: 1.0\nGenerator: pyv-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = NAME + "-" + VERSION + "-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(wheel_directory + "/" + name, "w") as z:
        for path, data in FILES.items():
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append("%s,sha256=%s,%d" % (path, digest.decode(), len(data)))
        record.append(DIST + "RECORD,,")
        z.writestr(DIST + "RECORD", "\n".join(record) + "\n")
    return name

def get_requires_for_build_wheel(config_settings=None):
    return []
"#;
