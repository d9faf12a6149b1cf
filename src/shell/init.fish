# pyv shell integration for fish. Load it with: pyv init fish | source
set -gx PYV_SHELL fish
set -g __pyv_bin @PYV@
set -g __pyv_shims @SHIMS@

# The shims directory first on PATH, exactly once, however often this is evaluated.
set -gx PATH $__pyv_shims (string match -v -- $__pyv_shims $PATH)

# Commands that change this shell print code for it to evaluate.
function pyv --description 'Python version manager'
    set -l __pyv_cmd $argv[1]
    switch "$__pyv_cmd"
        case shell activate deactivate
            set -l __pyv_out ($__pyv_bin sh-$__pyv_cmd $argv[2..-1])
            or return $status
            string join \n -- $__pyv_out | source
        case local virtualenv-delete
            $__pyv_bin $argv
            set -l __pyv_rc $status
            # What the directory selects may have changed: let auto-activation look again.
            functions -q __pyv_auto_activate; and __pyv_auto_activate
            return $__pyv_rc
        case '*'
            $__pyv_bin $argv
    end
end

# A command the selected version has but that has no shim yet: rehash and run it.
if functions -q fish_command_not_found; and not functions fish_command_not_found | string match -q '*__pyv_bin*'
    functions -c fish_command_not_found __pyv_orig_cnf
end
function fish_command_not_found
    if $__pyv_bin which -- $argv[1] >/dev/null 2>&1; and $__pyv_bin rehash >/dev/null 2>&1; and test -x $__pyv_shims/$argv[1]
        $__pyv_shims/$argv[1] $argv[2..-1]
        return $status
    end
    if functions -q __pyv_orig_cnf
        __pyv_orig_cnf $argv
    else
        __fish_default_command_not_found_handler $argv
    end
end
@AUTO_ACTIVATE@
# Completions.
@COMPLETIONS@
