# usage: zsh -f zsh_complete.zsh FPATH_DIR LOG_DIR LINE...
#
# Types each LINE and a Tab into an interactive zsh on a pseudo-terminal
# (zpty), with compinit loading completions from FPATH_DIR, and writes the
# matches the Tab offered to LOG_DIR/<n> (n from 1), one a line. A compadd
# wrapper records them as `builtin compadd -O` filters them, which is what
# the shell would list, whatever it then draws on the terminal.
zmodload zsh/zpty || exit 2
local fpath_dir=$1 log_dir=$2 out i=0
shift 2
zpty -b z "zsh -f -i" || exit 2
# The prompt says READY; its definition, echoed as typed, does not. Each
# read below waits for the shell to be done with what was typed before.
zpty -w z "PS1=\$'\\x52EADY> '; fpath=(${(q)fpath_dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -r z out '*READY> *' || exit 3
zpty -w z 'compadd() { if (( $@[(I)-[OAD]] )); then builtin compadd "$@"; return; fi; local -a m; builtin compadd -O m "$@"; (( $#m )) && print -rl -- $m >> $LOG_DIR/$CASE; builtin compadd "$@"; }'
zpty -r z out '*READY> *' || exit 3
for line in "$@"; do
  (( i++ ))
  : > $log_dir/$i
  zpty -w z "LOG_DIR=${(q)log_dir} CASE=$i"
  zpty -r z out '*READY> *' || exit 3
  # The line, a Tab, then Ctrl-U to empty it again.
  zpty -w -n z "$line"$'\t'$'\C-u'
  zpty -w z "print -- 'D\\x4fNE$i'"
  zpty -r z out "*DONE$i*" || exit 3
  zpty -r z out '*READY> *' || exit 3
done
zpty -w z exit
zpty -d z
