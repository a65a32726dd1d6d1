# bash completion for bootmortem(1)                        -*- shell-script -*-
#
# Installed as DATADIR/bash-completion/completions/bootmortem, where
# bash-completion loads it the first time bootmortem is completed; it uses
# bash-completion's helpers (_init_completion, _filedir, _command_offset).
# tests/cli/check_completion.py holds the option lists and choice words
# against the binary's --help.

# Every option of a command ("" for bootmortem itself, "rules list" for a
# rules subcommand), in its --help's order.
_bootmortem_options()
{
    case $1 in
        "") echo "-h --help --version" ;;
        check) echo "-h --help -c --configuration --format --startsecs --watch --base-env --rules --no-redact" \
            "--tracer --no-verify --root --static -q --quiet" ;;
        diagnose) echo "-h --help -c --configuration --format --startsecs --watch --base-env --rules --no-redact" \
            "--tracer --no-verify --patch-out -q --quiet --replay" ;;
        env) echo "-h --help -c --configuration --format --base-env --no-redact" ;;
        explain) echo "-h --help -c --configuration --log --format --base-env --rules --no-redact -q --quiet" ;;
        rules) echo "-h --help" ;;
        show) echo "-h --help -c --configuration --format --no-redact" ;;
        summarize) echo "-h --help --format -o --output" ;;
        trace) echo "-h --help --tracer --format --startsecs --timeout --all --no-redact" ;;
        "rules list" | "rules patterns") echo "-h --help --rules --format" ;;
        "rules lint") echo "-h --help --rules --fixtures" ;;
        "rules test") echo "-h --help --rules --fixtures -v --verbose" ;;
    esac
}

# The subcommands of a command.
_bootmortem_subcommands()
{
    case $1 in
        "") echo "check diagnose env explain rules show summarize trace" ;;
        rules) echo "list patterns lint test" ;;
    esac
}

# The words a choice option of a command takes.
_bootmortem_choices()
{
    case $1:$2 in
        check:--format | diagnose:--format | explain:--format) echo "text markdown json junit sarif" ;;
        env:--format | summarize:--format) echo "text markdown json" ;;
        show:--format | trace:--format | "rules list:--format" | "rules patterns:--format") echo "text json" ;;
        *:--tracer) echo "auto ebpf ptrace" ;;
    esac
}

# Options followed by a value (in whichever command has them).
_bootmortem_takes_value()
{
    case $1 in
        -c | --configuration | --format | --startsecs | --watch | --base-env | --rules | --tracer | --patch-out | \
            --log | --timeout | --fixtures | --root | -o | --output) return 0 ;;
    esac
    return 1
}

# The program names of a config, as `bootmortem show` resolves them (the
# first column of its table); when show cannot read the config, the
# [program:NAME] sections of the file and of conf.d/*.conf beside it.
_bootmortem_programs()
{
    local bin=$1 conf=$2
    # shellcheck disable=SC2088 # a literal ~/ as typed, which no shell expanded
    [[ $conf == '~/'* ]] && conf=$HOME/${conf#'~/'}
    local -a args=(show)
    [[ $conf ]] && args+=(-c "$conf")
    local names
    names=$("$bin" "${args[@]}" 2>/dev/null | awk 'NR == 1 { next } /^$/ { exit } { print $1 }')
    if [[ -z $names ]]; then
        local file=${conf:-/etc/supervisor/supervisord.conf}
        names=$(sed -n 's/^[[:space:]]*\[program:\([^]]*\)\].*/\1/p' "$file" "${file%/*}"/conf.d/*.conf 2>/dev/null)
    fi
    printf '%s\n' "$names"
}

_bootmortem()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    # The command path (up to two words: "rules list"), the words after it
    # that are not options, the config given with -c, and where `--` ends
    # trace's options.
    local cmd="" given=0 conf="" dashdash="" i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            --)
                dashdash=$i
                break
                ;;
            -c | --configuration)
                conf=${words[i + 1]-}
                ((i++))
                ;;
            --configuration=*) conf=${w#*=} ;;
            -*=*) ;;
            -*) _bootmortem_takes_value "$w" && ((i++)) ;;
            *)
                if [[ -z $cmd ]]; then
                    cmd=$w
                elif [[ $cmd == rules ]]; then
                    cmd="rules $w"
                else
                    ((given++))
                fi
                ;;
        esac
    done

    if [[ $dashdash ]]; then
        [[ $cmd == trace ]] && _command_offset $((dashdash + 1))
        return
    fi

    case $prev in
        -c | --configuration | --patch-out | --log | -o | --output)
            _filedir
            return
            ;;
        --base-env)
            _filedir
            [[ systemd == "$cur"* ]] && COMPREPLY+=(systemd)
            return
            ;;
        --rules | --fixtures | --root)
            _filedir -d
            return
            ;;
        --format | --tracer)
            mapfile -t COMPREPLY < <(compgen -W "$(_bootmortem_choices "$cmd" "$prev")" -- "$cur")
            return
            ;;
        --startsecs | --watch | --timeout)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        local opts
        opts=$(_bootmortem_options "$cmd")
        [[ $cmd == trace ]] && opts+=" --"
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return
    fi

    case $cmd in
        "" | rules)
            mapfile -t COMPREPLY < <(compgen -W "$(_bootmortem_subcommands "$cmd")" -- "$cur")
            ;;
        check | diagnose | env | explain | show)
            # diagnose, env and explain take one program; check and show any.
            [[ ($cmd == diagnose || $cmd == env || $cmd == explain) && $given -gt 0 ]] && return
            local bin=${words[0]}
            type -P "$bin" &>/dev/null || bin=bootmortem
            mapfile -t COMPREPLY < <(compgen -W "$(_bootmortem_programs "$bin" "$conf")" -- "$cur")
            __ltrim_colon_completions "$cur"
            ;;
        summarize)
            # Reports: JSON files and directories of them.
            _filedir json
            ;;
        trace)
            mapfile -t COMPREPLY < <(compgen -W "--" -- "$cur")
            ;;
    esac
} &&
    complete -F _bootmortem bootmortem

# ex: filetype=sh
