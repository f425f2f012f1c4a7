# Automatic restarts for the launchers (scripts/mpirun, scripts/slurm/train.sbatch): the option
# --max-restarts N, and what a restart runs: mpitrain's command with --resume set to the newest
# checkpoint the run wrote. Sourced; the launcher sets $me (its name, for messages) first.
#   take_restart_option "$@"   # sets arguments (the command without the option), max_restarts, checkpoint
#   start_restarts             # before the first start
#   restart_wanted "$status"   # after a start ended: true, having said so in one line, when a rank
#                              # died from a signal or stalled (status 75) and restarts are left;
#                              # then "${restarted[@]}" is the command to start

# Takes --max-restarts N (or =N) out of the command, anywhere in it, into max_restarts; notes
# mpitrain's --checkpoint folder. A bad value, or restarts without --checkpoint, exits 2 in one line.
take_restart_option() {
  local given=0
  max_restarts=0 checkpoint= arguments=()
  while (($#)); do
    case "$1" in
      --max-restarts) given=1; max_restarts="${2-}"; shift; if (($#)); then shift; fi; continue ;;
      --max-restarts=*) given=1; max_restarts="${1#*=}" ;;
      --checkpoint) checkpoint="${2-}"; arguments+=("$1") ;;
      --checkpoint=*) checkpoint="${1#*=}"; arguments+=("$1") ;;
      *) arguments+=("$1") ;;
    esac
    shift
  done
  ((given)) || return 0
  if ! [[ $max_restarts =~ ^[0-9]{1,4}$ ]]; then
    echo "$me: --max-restarts '$max_restarts' must be a whole number of restarts from 0 to 9999, e.g. --max-restarts 3" >&2
    exit 2
  fi
  max_restarts=$((10#$max_restarts))
  if [[ -z $checkpoint ]]; then
    echo "$me: --max-restarts restarts the job from its newest checkpoint: add mpitrain's --checkpoint DIR (a checkpoint every epoch by default)" >&2
    exit 2
  fi
}

# Marks the start of the run: only checkpoints written after it are resumed from (with
# --overwrite, the folder may still hold an earlier run's later epochs).
start_restarts() {
  restarts=0 started=
  ((max_restarts > 0)) || return 0
  started="$(mktemp "${TMPDIR:-/tmp}/mpitrain-started.XXXXXX")"
  trap 'rm -f "$started"' EXIT
}

restart_wanted() {
  local status=$1 why
  ((restarts < max_restarts)) || return 1
  if ((status == 75)); then
    why="a rank stalled"
  elif ((status > 128 && status != 130)); then
    why="a process died from signal $((status - 128)) ($(kill -l $((status - 128)) 2>/dev/null || echo '?'))"
  else
    return 1
  fi
  restarts=$((restarts + 1))
  restarted_arguments "$(newest_checkpoint "$checkpoint")"
  echo "$me: $why; restart $restarts of $max_restarts, $from" >&2
}

# The checkpoint in folder $1 furthest into the run that this run wrote (newer than $started), or
# nothing: epoch-E.safetensors is E epochs done, epoch-E-step-S.safetensors S steps into epoch E.
newest_checkpoint() {
  local file name done steps best= best_done=-1 best_steps=-1
  while IFS= read -r -d '' file; do
    name="${file##*/}"
    if [[ $name =~ ^epoch-([0-9]{1,9})\.safetensors$ ]]; then
      done=$((10#${BASH_REMATCH[1]})) steps=0
    elif [[ $name =~ ^epoch-([0-9]{1,9})-step-([0-9]{1,9})\.safetensors$ ]]; then
      done=$((10#${BASH_REMATCH[1]} - 1)) steps=$((10#${BASH_REMATCH[2]}))
    else
      continue
    fi
    if ((done > best_done || (done == best_done && steps > best_steps))); then
      best="$file" best_done=$done best_steps=$steps
    fi
  done < <(find "$1" -maxdepth 1 -name 'epoch-*.safetensors' -newer "$started" -print0 2>/dev/null)
  printf '%s' "$best"
}

# Sets restarted, the command to restart with: `--resume $1` in place of any --resume, in every
# app context (A : B), and from, where it starts. With no checkpoint yet, the command as given; a
# new run gets --overwrite, as what its outputs hold now (a metrics record, best.safetensors) is its own.
restarted_arguments() {
  local arg skip=0 extra=(--resume "$1")
  restarted=() from="from $1"
  if [[ -z $1 ]]; then
    extra=(--overwrite) from="from the start (no checkpoint yet)"
    for arg in "${arguments[@]}"; do
      case "$arg" in --resume|--resume=*) restarted=("${arguments[@]}") from="as it was started"; return ;; esac
    done
  fi
  for arg in "${arguments[@]}"; do
    if ((skip)); then skip=0; continue; fi
    case "$arg" in
      --resume) skip=1; continue ;;
      --resume=*) continue ;;
      :) restarted+=("${extra[@]}") ;;
    esac
    restarted+=("$arg")
  done
  restarted+=("${extra[@]}")
}
