#!/usr/bin/env bash
# bash and zsh completion of drivr-console (completion/): registered by
# `complete -p`, scripted completions (COMP_WORDS / COMP_CWORD and the
# function, as bash calls it) of commands, options, option values and the
# profile names of the config file; both option lists in step with
# `drivr-console --help`, both ways.  zsh: the same completions in a real
# interactive zsh on a pseudo-terminal (zpty) — only when zsh is installed
# (skipped visibly otherwise).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
CONSOLE=$BUILD/drivr-console
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }
BASH_COMP=completion/drivr-console.bash
ZSH_COMP=completion/_drivr-console

# A config file with three profiles (one with blanks inside its brackets).
mkdir -p "$IT_TMP/xdg/drivr-console" "$IT_TMP/other"
cat >"$IT_TMP/xdg/drivr-console/config" <<'CONF'
slug = adam
[profile prod]
url = mqtts://mqtt.example:8883
[ profile  field-eu ]
read-only = true
[profile demo]
host = 127.0.0.1
[topics]
CONF
printf '[profile elsewhere]\nhost = x\n' >"$IT_TMP/other/config"

# complete_bash WORD... — what _drivr_console offers for the last word
# (the line as typed, split into words), one a line, sorted.
complete_bash() {
	XDG_CONFIG_HOME="$IT_TMP/xdg" bash -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=(drivr-console "$@")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_drivr_console
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP" "$@" | sed '/^$/d' | sort
}
# expect_bash "WANTED (space separated, sorted)" WORD...
expect_bash() {
	local want=$1 got
	shift
	got=$(complete_bash "$@" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || { echo "    drivr-console $* <TAB>: got '$got', want '$want'"; return 1; }
}

# --- bash -----------------------------------------------------------------------
it_check "bash: complete -p drivr-console after sourcing" \
	bash -c "source '$BASH_COMP' && complete -p drivr-console | grep -qx 'complete -F _drivr_console drivr-console'"
it_check "bash: drivr-console set-s<TAB> gives set-setpoint" expect_bash "set-setpoint" set-s
it_check "bash: drivr-console <TAB> gives the commands" \
	expect_bash "ack-event create-component help issue-token publish-datapoint raise-event resolve-event set-setpoint update-component update-system" ""
it_check "bash: drivr-console help <TAB> gives the actions" \
	expect_bash "ack-event create-component issue-token publish-datapoint raise-event resolve-event set-setpoint update-component update-system" help ""
it_check "bash: update-component --connection-state <TAB> gives a component's states" \
	expect_bash "CONNECTED DISCONNECTED NOT_CONNECTIVE UNDEFINED" update-component --connection-state ""
it_check "bash: update-system --status <TAB> gives the statuses" \
	expect_bash "ACTIVATED ARCHIVED DEACTIVATED" update-system --status ""
it_check "bash: --prof<TAB> gives --profile" expect_bash "--profile" --prof
it_check "bash: --profile <TAB> gives the config file's profiles" \
	expect_bash "demo field-eu prod" --profile ""
it_check "bash: --profile d<TAB> gives demo" expect_bash "demo" -s adam --profile d
it_check "bash: --config FILE --profile <TAB> reads FILE's profiles" \
	expect_bash "elsewhere" --config "$IT_TMP/other/config" --profile ""
it_check "bash: --format <TAB> gives json csv" expect_bash "csv json" --log --format ""
it_check "bash: set-setpoint --comp<TAB> gives --component" expect_bash "--component" set-setpoint --comp
it_check "bash: the actions' options only after an action" expect_bash "" --comp
it_check "bash: --sys<TAB> gives the scope's --system --systems-file" \
	expect_bash "--system --systems-file" --sys
it_check "bash: set-setpoint --sys<TAB>: --system once (the action's), --systems-file" \
	expect_bash "--system --systems-file" set-setpoint --sys
it_check "bash: nothing offered for an option's value (--slug <TAB>)" expect_bash "" --slug ""
it_check "bash: no profiles without a config file" \
	bash -c "XDG_CONFIG_HOME='$IT_TMP/none' HOME='$IT_TMP/none' bash -c 'source $BASH_COMP; COMP_WORDS=(drivr-console --profile \"\"); COMP_CWORD=2; _drivr_console; [ \${#COMPREPLY[@]} -eq 0 ]'"

# --- the lists in step with --help ------------------------------------------------
"$CONSOLE" --help | grep -E '^  (-[a-zA-Z], )? *--' >"$IT_TMP/rows"
# value options: a row with an argument after the name
sed -E 's/^  (-([a-zA-Z]), )? *--([a-z0-9-]+)( [^ ]+)?  .*/\3 \4/' "$IT_TMP/rows" |
	awk '$2 != "" { print "--" $1 }' | sort >"$IT_TMP/help.value"
sed -E 's/^  (-([a-zA-Z]), )? *--([a-z0-9-]+)( [^ ]+)?  .*/\3 \4/' "$IT_TMP/rows" |
	awk '$2 == "" { print "--" $1 }' | sort >"$IT_TMP/help.flag"
grep -oE '^  -[a-zA-Z], --[a-z0-9-]+( [^ ]+)?  ' "$IT_TMP/rows" |
	awk '{ sub(",", "", $1); print $1 (NF > 2 ? " value" : " flag") }' | sort >"$IT_TMP/help.short"
bash_list() { bash -c "source '$BASH_COMP'; printf '%s\n' \$$1" | sort; }
bash_list _drivr_console_value_opts | grep -- '^--' >"$IT_TMP/bash.value"
bash_list _drivr_console_flag_opts | grep -- '^--' >"$IT_TMP/bash.flag"
{ bash_list _drivr_console_value_opts | grep -E -- '^-[a-zA-Z]$' | sed 's/$/ value/'
  bash_list _drivr_console_flag_opts | grep -E -- '^-[a-zA-Z]$' | sed 's/$/ flag/'; } | sort >"$IT_TMP/bash.short"
for kind in value flag short; do
	diff=$(diff "$IT_TMP/help.$kind" "$IT_TMP/bash.$kind" | grep '^[<>]' | tr '\n' ' ')
	it_check "bash: its $kind options are --help's${diff:+ (< --help only, > completion only: $diff)}" \
		[ -z "$diff" ]
done
# zsh: the long options of its options=( ... ) block
sed -n '/^\toptions=(/,/^\t)/p' "$ZSH_COMP" | grep -oE -- "[{',]--[a-z0-9-]+" | cut -c2- |
	sort -u >"$IT_TMP/zsh.opts"
sort -u "$IT_TMP/help.value" "$IT_TMP/help.flag" >"$IT_TMP/help.all"
diff=$(diff "$IT_TMP/help.all" "$IT_TMP/zsh.opts" | grep '^[<>]' | tr '\n' ' ')
it_check "zsh: its options are --help's${diff:+ (< --help only, > completion only: $diff)}" [ -z "$diff" ]

# --- zsh, in a real interactive shell ----------------------------------------------
if ! command -v zsh >/dev/null; then
	echo "skip - zsh is not installed: the zsh completion was checked statically only"
else
	# complete_zsh LINE PATTERN — types LINE and TAB in an interactive zsh
	# (compinit over completion/) until its output matches PATTERN (10 s).
	complete_zsh() {
		XDG_CONFIG_HOME="$IT_TMP/xdg" timeout 20 zsh -f -c '
			zmodload zsh/zpty || exit 2
			zpty z env -i HOME="$HOME" TERM=dumb PATH="$PATH" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" zsh -f -i
			zpty -w z "PS1=\"%% \"; fpath=($PWD/completion \$fpath); autoload -U compinit; compinit -u -D; setopt nobeep; drivr-console() { :; }"
			zpty -w -n z "$1"$'"'"'\t'"'"'
			all=
			for i in {1..100}; do
				while zpty -r -t z chunk; do all+=$chunk; done
				[[ $all == *${~2}* ]] && { zpty -d z; exit 0; }
				sleep 0.1
			done
			zpty -d z
			print -r -- "$all" | tail -n 3 >&2
			exit 1' _ "$@"
	}
	it_check "zsh: drivr-console set-s<TAB> gives set-setpoint" \
		complete_zsh "drivr-console set-s" "drivr-console set-setpoint "
	it_check "zsh: --profile <TAB> lists the config file's profiles" \
		complete_zsh "drivr-console --profile " "demo*field-eu*prod"
	it_check "zsh: --form<TAB> gives --format" complete_zsh "drivr-console --form" "drivr-console --format "
	it_check "zsh: set-setpoint --comp<TAB> gives --component" \
		complete_zsh "drivr-console set-setpoint --comp" "set-setpoint --component "
	it_check "zsh: --systems<TAB> gives --systems-file" \
		complete_zsh "drivr-console --systems" "drivr-console --systems-file "
fi

it_summary
