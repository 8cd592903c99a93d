# bash completion for hardenwiz(8): its options, the step ids --only takes
# (from "hardenwiz --list-steps", so a new step needs no change here) and
# the transaction ids --rollback takes (from "hardenwiz --history", under
# the --root given on the same line). Installed as
# share/bash-completion/completions/hardenwiz.

_hardenwiz_root()
{
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--root) printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
		--root=*) printf '%s\n' "${COMP_WORDS[i]#--root=}"; return ;;
		esac
	done
}

_hardenwiz()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]} root opts done_steps last
	opts='--root --plain --only --apply --dry-run --json --audit --rollback
	    --force --history --confirm --rollback-expired --check-queue
	    --threshold --syslog --check-mail --since --check-dnsbl --server
	    --zones --check-dns --domain --selector --dns-records --list-steps
	    --help --version'
	COMPREPLY=()
	case $prev in
	--root)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--apply)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--only)
		# A comma-separated list: complete its last item.
		done_steps=${cur%"${cur##*,}"}
		last=${cur##*,}
		COMPREPLY=($(compgen -P "$done_steps" -W \
		    "$("$prog" --list-steps 2>/dev/null | cut -f1)" -- "$last"))
		compopt -o nospace 2>/dev/null
		return ;;
	--rollback)
		if [[ $cur != -* ]]; then
			root=$(_hardenwiz_root)
			COMPREPLY=($(compgen -W "$("$prog" ${root:+--root "$root"} \
			    --history 2>/dev/null |
			    awk '$1 ~ /^[0-9]+-[0-9]+-[0-9]+$/ { print $1 }')" \
			    -- "$cur"))
			[[ ${#COMPREPLY[@]} -gt 0 ]] && return
		fi ;;
	--threshold|--since|--server|--zones|--domain|--selector)
		return ;;
	esac
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _hardenwiz hardenwiz
