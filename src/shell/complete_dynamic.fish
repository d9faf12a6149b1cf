
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
