# bash completion for capfix                                    -*- shell-script -*-
# Options come from `capfix COMMAND --help` (so they are never out of date), capability names
# from `capfix explain --format json`; rule ids and formats are listed here.

_capfix_rules="CF001 CF002 CF003 CF004 CF005 CF006 CF007 CF008 CF009 CF010 CF011 CF101 CF102 CF103 CF104 CF201 CF202 CF203 CF204 CF301 CF302"

_capfix_caps()
{
	if [[ -z ${_capfix_cap_cache-} ]]; then
		_capfix_cap_cache=$("${1:-capfix}" explain --format json 2>/dev/null |
			grep -o '"name": *"[A-Z_]*"' | sed 's/.*"\([A-Z_]*\)"$/\1/' | sort -u)
	fi
	printf '%s\n' $_capfix_cap_cache
}

_capfix()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	local prog=${words[0]} cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		fix | scan | policy | explain | images) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "fix scan policy explain images --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--format)
		case $cmd in
		scan) COMPREPLY=($(compgen -W "text json sarif" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return ;;
	--pss-version)
		COMPREPLY=($(compgen -W "latest v1.23 v1.24 v1.25 v1.26 v1.27 v1.28 v1.29 v1.30 v1.31 v1.32 v1.33 v1.34 v1.35 v1.36 v1.37" -- "$cur"))
		return ;;
	--action)
		COMPREPLY=($(compgen -W "deny warn audit" -- "$cur"))
		return ;;
	--fail-on | --min-severity)
		COMPREPLY=($(compgen -W "info low medium high critical none" -- "$cur"))
		return ;;
	--deny)
		local pre="" word=$cur
		[[ $cur == *,* ]] && pre=${cur%,*}, word=${cur##*,}
		COMPREPLY=($(compgen -P "$pre" -W "$(_capfix_caps "$prog")" -- "$word"))
		return ;;
	--config | --backout | --summary | -o | --output | --backout-in-commit | --baseline | --write-baseline)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--templates-dir | --emit-missing)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--branch | --base | --max-file-size | --stdin-name | -j | --jobs)
		return ;;
	esac
	if [[ $cmd == policy && ${words[i + 1]-} == "$cur" && $cword -eq $((i + 1)) ]]; then
		COMPREPLY=($(compgen -W "psp pss vap kyverno gatekeeper" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$prog" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if [[ $cmd == explain ]]; then
		COMPREPLY=($(compgen -W "$(_capfix_caps "$prog") $_capfix_rules" -- "${cur^^}"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _capfix capfix
