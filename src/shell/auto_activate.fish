# Auto-activation (pyv init --auto-activate): a .python-version naming an environment
# activates it; leaving deactivates it. fish runs this only when PWD or PYV_VERSION changes,
# so an unchanged prompt costs nothing; a PYV_VERSION that activation set counts as the one it
# replaced, so activating does not run pyv again.
set -g __pyv_aa_key
function __pyv_auto_activate --on-variable PWD --on-variable PYV_VERSION
    set -l __pyv_v "$PYV_VERSION"
    if test -n "$_PYV_ACTIVATED_VERSION"; and test "$__pyv_v" = "$_PYV_ACTIVATED_VERSION"
        set __pyv_v "$_PYV_OLD_PYV_VERSION"
    end
    test "$PWD|$__pyv_v" = "$__pyv_aa_key"; and return
    set -g __pyv_aa_key "$PWD|$__pyv_v"
    $__pyv_bin sh-activate --auto | source
end
__pyv_auto_activate
