# bash completion for drivr-console: its commands, options and the profile
# names of its config file.  Installed as
# $(PREFIX)/share/bash-completion/completions/drivr-console (loaded on demand
# by bash-completion), or sourced by hand.  Needs nothing of bash-completion.
#
# The option lists follow CONFIG_OPTION_LIST (include/config.h) and the
# actions' options (src/actions.c): tests/integration/test_completion.sh
# fails when they and `drivr-console --help` differ.

# Options that take a value (the next word is not an option).
_drivr_console_value_opts='--host --port --url --id --protocol-version --slug --cafile
	--capath --cert --key --key-pass-file --keepalive --will-topic --will-payload --profile
	--config --topics --format --count --timeout --settle --load-budget --system
	--systems-file --history
	--max-series --max-memory --theme --fps --stale --stuck --replay --speed --record
	--record-max-size --keys --dump-screen
	--size --clock --stats-file --graphql-url --user-token-file --catalogue-query --audit-log
	--share
	-h -p -L -i -V -s -C -W'
# Flags.
_drivr_console_flag_opts='--insecure --log --snapshot --print-topics --single-subscription
	--no-color --ascii --no-mouse --bell --keep-session --read-only --help --version -c'
# The commands and their own options.
_drivr_console_commands='set-setpoint ack-event issue-token update-system create-component
	update-component publish-datapoint raise-event resolve-event help'
_drivr_console_action_value_opts='--system --component --service --characteristic --value
	--event --device --duration --token-out --name --description --status --connection-state
	--model --time --end-time --values-file --error-wait'
_drivr_console_action_flag_opts='--wait --permanent --msgpack'

# The config file as the console finds it: --config FILE on the line, else
# $XDG_CONFIG_HOME/drivr-console/config, else ~/.config/drivr-console/config.
_drivr_console_config_file() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--config) echo "${COMP_WORDS[i + 1]/#\~/$HOME}"; return ;;
		--config=*) local f=${COMP_WORDS[i]#--config=}; echo "${f/#\~/$HOME}"; return ;;
		esac
	done
	if [[ -n ${XDG_CONFIG_HOME-} ]]; then
		echo "$XDG_CONFIG_HOME/drivr-console/config"
	elif [[ -n ${HOME-} ]]; then
		echo "$HOME/.config/drivr-console/config"
	fi
}

# The NAMEs of its [profile NAME] sections (blanks inside the brackets
# trimmed, as the console reads them).
_drivr_console_profiles() {
	local file
	file=$(_drivr_console_config_file)
	[[ -n $file && -r $file ]] || return 0
	sed -n 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\(.*[^[:space:]]\)[[:space:]]*\][[:space:]]*$/\1/p' \
		"$file" 2>/dev/null
}

_drivr_console() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' command=''
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	case ${COMP_WORDS[1]-} in
	set-setpoint | ack-event | issue-token | update-system | create-component | update-component | \
		publish-datapoint | raise-event | resolve-event | help)
		((COMP_CWORD > 1)) && command=${COMP_WORDS[1]} ;;
	esac
	COMPREPLY=()

	case $prev in
	--profile)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_drivr_console_profiles)" -- "$cur"))
		return 0 ;;
	--config | --cafile | --cert | --key | --key-pass-file | --topics | --replay | --record | --keys | \
		--dump-screen | --stats-file | --user-token-file | --catalogue-query | --audit-log | --token-out | --values-file)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	--capath)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0 ;;
	--format)
		COMPREPLY=($(compgen -W 'json csv' -- "$cur"))
		return 0 ;;
	-V | --protocol-version)
		COMPREPLY=($(compgen -W '311 5' -- "$cur"))
		return 0 ;;
	--theme)
		COMPREPLY=($(compgen -W 'default light high-contrast mono' -- "$cur"))
		return 0 ;;
	--status)
		COMPREPLY=($(compgen -W 'ACTIVATED DEACTIVATED ARCHIVED' -- "$cur"))
		return 0 ;;
	--connection-state) # a component's or a system's
		if [[ $command == *-component ]]; then
			COMPREPLY=($(compgen -W 'CONNECTED DISCONNECTED NOT_CONNECTIVE UNDEFINED' -- "$cur"))
		else
			COMPREPLY=($(compgen -W 'CONNECTED DISCONNECTED PARTIALLY_CONNECTED UNDEFINED' -- "$cur"))
		fi
		return 0 ;;
	esac
	# any other option's value: nothing to offer
	local opt
	for opt in $_drivr_console_value_opts $_drivr_console_action_value_opts; do
		[[ $prev == "$opt" ]] && return 0
	done

	if [[ $command == help ]]; then
		((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "${_drivr_console_commands% help}" -- "$cur"))
		return 0
	fi
	if [[ $cur == -* ]]; then
		local w words=''
		for w in $_drivr_console_value_opts $_drivr_console_flag_opts; do
			# after an action, --system is its target (the action's own option)
			[[ -n $command && $w == --system ]] || words="$words $w"
		done
		[[ -n $command ]] && words="$words $_drivr_console_action_value_opts $_drivr_console_action_flag_opts"
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi
	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$_drivr_console_commands" -- "$cur"))
	fi
	return 0
}

complete -F _drivr_console drivr-console
