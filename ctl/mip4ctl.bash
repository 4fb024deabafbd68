# bash completion for mip4ctl(8)                       -*- shell-script -*-
# SPDX-License-Identifier: BSD-2-Clause
# Installed as /usr/share/bash-completion/completions/mip4ctl.  Plain
# bash: it does not need the bash-completion helpers.

_mip4ctl_sockets()
{
	local cur=$1 f
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
	if [[ -z $cur ]]; then
		for f in /run/mip4d/*.sock /run/mip4d.sock; do
			[[ -S $f ]] && COMPREPLY+=("$f")
		done
	fi
}

_mip4ctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="status bindings visitors counters metrics monitor decode"
	local cmd="" i w

	# the subcommand: the first word that is neither an option nor the
	# argument of -s / --socket
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-s | --socket) ((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done

	case $prev in
	-s | --socket)
		_mip4ctl_sockets "$cur"
		return
		;;
	--until)
		COMPREPLY=($(compgen -W "started reloaded registered deregistered
			expired restored registration-denied registration-failed
			registration-relayed resynchronised deregistration-unanswered
			moved visitor-added visitor-removed detecting inside outside
			inside-probe vpn-up vpn-down" -- "$cur"))
		return
		;;
	-i | --interface)
		COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur"))
		return
		;;
	--timeout | -c | --count | --label | --sa | --home | --coa | --nai)
		return
		;;
	esac

	case $cmd in
	"")
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-s --socket -j --json -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		;;
	status | counters)
		COMPREPLY=($(compgen -W "-s --socket -j --json" -- "$cur"))
		;;
	bindings | visitors)
		COMPREPLY=($(compgen -W "-s --socket -j --json --home --coa --nai" -- "$cur"))
		;;
	metrics)
		COMPREPLY=($(compgen -W "-s --socket --label" -- "$cur"))
		;;
	monitor)
		COMPREPLY=($(compgen -W "-s --socket -j --json --until --timeout" -- "$cur"))
		;;
	decode)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-i --interface -c --count -j --json --sa -h --help" -- "$cur"))
		else
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -X '!*.pcap' -- "$cur")
				$(compgen -f -X '!*.pcapng' -- "$cur")
				$(compgen -d -- "$cur"))
		fi
		;;
	esac
}
complete -F _mip4ctl mip4ctl
