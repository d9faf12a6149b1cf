# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pyv_global_optspecs
    string join \n root= cache-dir= q/quiet v/verbose h/help
end

function __fish_pyv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pyv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pyv_using_subcommand
    set -l cmd (__fish_pyv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pyv -n "__fish_pyv_needs_command" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_needs_command" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_needs_command" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_needs_command" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_needs_command" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "global" -d 'Set or show the global Python version(s), used when nothing more specific selects one'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "local" -d 'Set or show the version(s) for this directory and below (`.python-version`)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "shell" -d 'Set or show the version(s) for this shell only (PYV_VERSION)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "version" -d 'Show the selected version(s) and what selected them'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "version-name" -d 'Show the selected version name(s), `:`-separated'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "version-origin" -d 'Explain what selected the current version (a file, PYV_VERSION, or the global file)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "version-file" -d 'Show the version file that selects the version in DIR (default: here)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "versions" -d 'List installed versions and environments; `*` marks the selected ones, `(prebuilt)` the versions not built from source'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "latest" -d 'Print the newest installed (or, with --known, installable) version matching a prefix'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "which" -d 'Show the full path of the executable a command runs in the selected version'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "whence" -d 'List the installed versions (and environments) that have a command'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "exec" -d 'Run a command with the selected version, as its shim would'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "prefix" -d 'Show where a version (default: the selected ones) is installed'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "rehash" -d 'Regenerate the shims for every command in every installed version and environment'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "shims" -d 'List the shims (and the commands that get none: --skip, --unskip)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "install" -d 'Install Python versions, built from python.org\'s source'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "uninstall" -d 'Remove installed Python versions'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "update" -d 'Fetch the list of CPython releases from python.org'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "upgrade" -d 'Move to the newest patch release of each installed series, virtualenvs and pins included'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "doctor" -d 'Check that this machine can build Python (compiler, make, development headers)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "cache" -d 'Show or clear the build artifact cache and the downloaded source archives'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "virtualenv" -d 'Create a virtualenv from a version\'s `python -m venv` (default: the selected version)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "virtualenvs" -d 'List virtualenvs: name, base version, path; `*` marks the active or selected one'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "virtualenv-delete" -d 'Delete a virtualenv and its alias, nothing else'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "virtualenv-prefix" -d 'Show the prefix of the version a virtualenv was made from (default: the selected one)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "activate" -d 'Activate a virtualenv in this shell (default: the selected one)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "deactivate" -d 'Deactivate the virtualenv active in this shell'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "root" -d 'Show pyv\'s root directory'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "init" -d 'Print the shell code that enables pyv: `eval "$(pyv init - bash)"` in ~/.bashrc'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "completions" -d 'Print the completion script for a shell (the same as in completions/)'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "commands" -d 'List all pyv commands'
complete -c pyv -n "__fish_pyv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pyv -n "__fish_pyv_using_subcommand global" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand global" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand global" -l unset -d 'Remove the global version file (back to `system`)'
complete -c pyv -n "__fish_pyv_using_subcommand global" -s f -l force -d 'Write the file even if a version is not installed'
complete -c pyv -n "__fish_pyv_using_subcommand global" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand global" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand global" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand local" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand local" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand local" -l unset -d 'Remove this directory\'s `.python-version`'
complete -c pyv -n "__fish_pyv_using_subcommand local" -s f -l force -d 'Write the file even if a version is not installed'
complete -c pyv -n "__fish_pyv_using_subcommand local" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand local" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand local" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand shell" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand shell" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand shell" -l unset -d 'Stop overriding the version in this shell'
complete -c pyv -n "__fish_pyv_using_subcommand shell" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand shell" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand shell" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand version" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version" -l bare -d 'Print only the names (same as `pyv version-name`)'
complete -c pyv -n "__fish_pyv_using_subcommand version" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand version" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand version" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand version-name" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version-name" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version-name" -s f -l force -d 'Print the selected names even when not installed, without checking'
complete -c pyv -n "__fish_pyv_using_subcommand version-name" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand version-name" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand version-name" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand version-origin" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version-origin" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version-origin" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand version-origin" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand version-origin" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand version-file" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version-file" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand version-file" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand version-file" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand version-file" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand versions" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand versions" -l bare -d 'Names only: no markers, no origin, no `system`'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -l skip-aliases -d 'Leave out versions that are symlinks to other versions or environments (a link to a directory outside versions/ is kept: it is a version of its own)'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -l skip-envs -d 'Leave out virtual environments'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -l executables -d 'Every command name in every version and environment, once (overrides the other flags)'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand versions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand latest" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand latest" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand latest" -s k -l known -d 'Search the versions pyv can install instead of the installed ones'
complete -c pyv -n "__fish_pyv_using_subcommand latest" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand latest" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand latest" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand which" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand which" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand which" -l nosystem -d 'Do not fall back to the system Python\'s commands'
complete -c pyv -n "__fish_pyv_using_subcommand which" -l skip-advice -d 'When the command is not found, do not list the versions that have it'
complete -c pyv -n "__fish_pyv_using_subcommand which" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand which" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand which" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand whence" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand whence" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand whence" -l path -d 'Print the executable\'s path instead of the version name'
complete -c pyv -n "__fish_pyv_using_subcommand whence" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand whence" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand whence" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand exec" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand exec" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand exec" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand exec" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand prefix" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand prefix" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand prefix" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand prefix" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand prefix" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand rehash" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand rehash" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand rehash" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand rehash" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand rehash" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand shims" -l skip -d 'Make no shim for this command (e.g. `python`, so only `python3` is redirected); listed in $PYV_ROOT/shims.skip, applied by a rehash straight away' -r
complete -c pyv -n "__fish_pyv_using_subcommand shims" -l unskip -d 'Make shims for this command again' -r
complete -c pyv -n "__fish_pyv_using_subcommand shims" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand shims" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand shims" -l short -d 'Names only, not full paths'
complete -c pyv -n "__fish_pyv_using_subcommand shims" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand shims" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand shims" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand install" -l sha256 -d 'Accept a release pyv\'s catalog does not know, if its archive has this SHA-256' -r
complete -c pyv -n "__fish_pyv_using_subcommand install" -s j -l jobs -d 'Parallel make jobs [default: PYV_MAKE_OPTS if set, else the number of cores]' -r
complete -c pyv -n "__fish_pyv_using_subcommand install" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand install" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand install" -s l -l list -d 'List the versions pyv can install (CPython, then PyPy, GraalPy and the conda family, as pyenv does); names after it filter by prefix (`--list pypy3.10 miniforge`, `--list cpython`)'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s f -l force -d 'Rebuild an installed version (the old one stays until the new one works)'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s s -l skip-existing -d 'Succeed without doing anything if the version is already installed'
complete -c pyv -n "__fish_pyv_using_subcommand install" -l skip-preflight -d 'Build even if the ssl or zlib development files seem to be missing'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s g -l debug -d 'Build with `--with-pydebug`; installed as `<version>-debug`'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s k -l keep -d 'Keep the source tree in $PYV_ROOT/sources/<version>'
complete -c pyv -n "__fish_pyv_using_subcommand install" -l no-cache -d 'Build from source even if the artifact cache has this exact build (the cached build is replaced); PYV_ARTIFACT_CACHE=0 turns the cache off entirely'
complete -c pyv -n "__fish_pyv_using_subcommand install" -l prebuilt -d 'Install a prebuilt python-build-standalone CPython instead of building from source (verified against pyv\'s table; installed under the plain version name)'
complete -c pyv -n "__fish_pyv_using_subcommand install" -l source -d 'Build from source even if PYV_INSTALL says `prebuilt` or `auto`'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -s f -l force -d 'Do not ask; also remove the virtualenvs inside the version'
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -l with-envs -d 'Also remove every virtualenv built on the version, and their alias names'
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand update" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand update" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand update" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand update" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -l to -d 'Move the one series named to another (`pyv upgrade 3.12 --to 3.13`): each env is made again on it and its packages reinstalled (`pip freeze`, `pip install -r`; may be slow)' -r
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -s n -l dry-run -d 'Print the plan (installs, moves, pins, removals) and change nothing'
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -l pins -d 'Rewrite the `.python-version` files and the global file that name an old patch'
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -l prune -d 'Uninstall the old patches once their virtualenvs moved'
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand doctor" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand doctor" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand doctor" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand doctor" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -f -a "list" -d 'List cached builds (version, key, size, date, options) and downloaded archives'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -f -a "clear" -d 'Remove cached builds and downloads (both unless one is chosen); asks first unless -f'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -f -a "push" -d 'Upload cached builds to an OCI registry (oci://HOST[:PORT]/REPO), one tag per build key plus one image index per version; what the registry has is only checked (HEAD)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and not __fish_seen_subcommand_from list clear push help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from list" -l remote -d 'List what an OCI registry holds for this platform instead (oci://HOST[:PORT]/REPO)' -r
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from list" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from list" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -l artifacts -d 'Only the cached builds ($PYV_CACHE_DIR/artifacts)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -l downloads -d 'Only the downloaded archives'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -s f -l force -d 'Do not ask first'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from push" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from push" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from push" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "list" -d 'List cached builds (version, key, size, date, options) and downloaded archives'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Remove cached builds and downloads (both unless one is chosen); asks first unless -f'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "push" -d 'Upload cached builds to an OCI registry (oci://HOST[:PORT]/REPO), one tag per build key plus one image index per version; what the registry has is only checked (HEAD)'
complete -c pyv -n "__fish_pyv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -l system-site-packages -d 'Give the environment access to the base version\'s site-packages'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -l without-pip -d 'Do not install pip into the environment'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -s f -l force -d 'Replace an existing environment of the same name'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -l bare -d 'Names only, one per line, as pyenv-virtualenv: every `<version>/envs/<name>`, then the short names (`versions/<name>` aliases and environments made directly there)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -l skip-aliases -d 'Leave out the aliases: environments by their long name only'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenvs" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -s f -l force -d 'Delete without asking'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-prefix" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-prefix" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-prefix" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-prefix" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-prefix" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand activate" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand activate" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand activate" -s f -l force -d 'Replace a virtualenv that pyv did not activate'
complete -c pyv -n "__fish_pyv_using_subcommand activate" -l auto -d 'For the directory hook: activate what `.python-version` or PYV_VERSION names, and deactivate what it activated before; never an error, never a foreign venv'
complete -c pyv -n "__fish_pyv_using_subcommand activate" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand activate" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand activate" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand deactivate" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand deactivate" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand deactivate" -s f -l force -d 'Also deactivate a virtualenv that pyv did not activate'
complete -c pyv -n "__fish_pyv_using_subcommand deactivate" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand deactivate" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand deactivate" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand root" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand root" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand root" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand root" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand root" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand init" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand init" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand init" -l path -d 'Print only the code that puts the shims on PATH'
complete -c pyv -n "__fish_pyv_using_subcommand init" -l no-push-path -d 'Add the shims to PATH only if they are not on it already (default: move them first)'
complete -c pyv -n "__fish_pyv_using_subcommand init" -l auto-activate -d 'Activate the environment a directory\'s .python-version names when entering it'
complete -c pyv -n "__fish_pyv_using_subcommand init" -l no-rehash -d 'Do not create the shims on first use'
complete -c pyv -n "__fish_pyv_using_subcommand init" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand init" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pyv -n "__fish_pyv_using_subcommand completions" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand completions" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand completions" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand completions" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand completions" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand commands" -l root -d 'pyv\'s root: versions/, shims/ and the global `version` file [default: ~/.pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand commands" -l cache-dir -d 'Where downloads are cached [default: the user cache dir + pyv]' -r -F
complete -c pyv -n "__fish_pyv_using_subcommand commands" -s q -l quiet -d 'Print less (no progress)'
complete -c pyv -n "__fish_pyv_using_subcommand commands" -s v -l verbose -d 'Print more (stream build logs)'
complete -c pyv -n "__fish_pyv_using_subcommand commands" -s h -l help -d 'Print help'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "global" -d 'Set or show the global Python version(s), used when nothing more specific selects one'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "local" -d 'Set or show the version(s) for this directory and below (`.python-version`)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "shell" -d 'Set or show the version(s) for this shell only (PYV_VERSION)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "version" -d 'Show the selected version(s) and what selected them'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "version-name" -d 'Show the selected version name(s), `:`-separated'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "version-origin" -d 'Explain what selected the current version (a file, PYV_VERSION, or the global file)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "version-file" -d 'Show the version file that selects the version in DIR (default: here)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "versions" -d 'List installed versions and environments; `*` marks the selected ones, `(prebuilt)` the versions not built from source'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "latest" -d 'Print the newest installed (or, with --known, installable) version matching a prefix'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "which" -d 'Show the full path of the executable a command runs in the selected version'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "whence" -d 'List the installed versions (and environments) that have a command'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "exec" -d 'Run a command with the selected version, as its shim would'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "prefix" -d 'Show where a version (default: the selected ones) is installed'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "rehash" -d 'Regenerate the shims for every command in every installed version and environment'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "shims" -d 'List the shims (and the commands that get none: --skip, --unskip)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "install" -d 'Install Python versions, built from python.org\'s source'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "uninstall" -d 'Remove installed Python versions'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "update" -d 'Fetch the list of CPython releases from python.org'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "upgrade" -d 'Move to the newest patch release of each installed series, virtualenvs and pins included'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "doctor" -d 'Check that this machine can build Python (compiler, make, development headers)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "cache" -d 'Show or clear the build artifact cache and the downloaded source archives'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "virtualenv" -d 'Create a virtualenv from a version\'s `python -m venv` (default: the selected version)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "virtualenvs" -d 'List virtualenvs: name, base version, path; `*` marks the active or selected one'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "virtualenv-delete" -d 'Delete a virtualenv and its alias, nothing else'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "virtualenv-prefix" -d 'Show the prefix of the version a virtualenv was made from (default: the selected one)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "activate" -d 'Activate a virtualenv in this shell (default: the selected one)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "deactivate" -d 'Deactivate the virtualenv active in this shell'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "root" -d 'Show pyv\'s root directory'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "init" -d 'Print the shell code that enables pyv: `eval "$(pyv init - bash)"` in ~/.bashrc'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "completions" -d 'Print the completion script for a shell (the same as in completions/)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "commands" -d 'List all pyv commands'
complete -c pyv -n "__fish_pyv_using_subcommand help; and not __fish_seen_subcommand_from global local shell version version-name version-origin version-file versions latest which whence exec prefix rehash shims install uninstall update upgrade doctor cache virtualenv virtualenvs virtualenv-delete virtualenv-prefix activate deactivate root init completions commands help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pyv -n "__fish_pyv_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "list" -d 'List cached builds (version, key, size, date, options) and downloaded archives'
complete -c pyv -n "__fish_pyv_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "clear" -d 'Remove cached builds and downloads (both unless one is chosen); asks first unless -f'
complete -c pyv -n "__fish_pyv_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "push" -d 'Upload cached builds to an OCI registry (oci://HOST[:PORT]/REPO), one tag per build key plus one image index per version; what the registry has is only checked (HEAD)'

# pyv: names from the live root. Installed versions and environments for the commands that
# take them, the catalog for `install`, command names for `which`/`whence`/`exec`.
function __pyv_names
    if set -q __pyv_bin
        $__pyv_bin $argv 2>/dev/null
    else
        command pyv $argv 2>/dev/null
    end
end
function __pyv_first_arg
    # True while the subcommand has no positional argument yet.
    set -l args (commandline -opc)
    set -l n 0
    for a in $args[2..-1]
        string match -q -- '-*' $a; or set n (math $n + 1)
    end
    test $n -le 1
end
# Names are data: fish does not evaluate what a command substitution prints, and escapes it
# when inserting. `uninstall` takes no `system`; `virtualenv-delete` only environments.
complete -c pyv -n "__fish_pyv_using_subcommand global local shell prefix activate virtualenv-prefix" -f -a "(__pyv_names versions --bare; echo system)"
complete -c pyv -n "__fish_pyv_using_subcommand uninstall" -f -a "(__pyv_names versions --bare)"
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv-delete" -f -a "(__pyv_names virtualenvs --bare; __pyv_names versions --bare | string match -- '*/envs/*')"
complete -c pyv -n "__fish_pyv_using_subcommand virtualenv; and __pyv_first_arg" -f -a "(__pyv_names versions --bare --skip-envs)"
complete -c pyv -n "__fish_pyv_using_subcommand install" -f -a "(__pyv_names install --list; echo latest)"
complete -c pyv -n "__fish_pyv_using_subcommand which whence exec; and __pyv_first_arg" -f -a "(__pyv_names shims --short)"
