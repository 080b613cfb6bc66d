nonce=$1
shift
LC_ALL=C
export LC_ALL
index=0
run() {
  count=$1
  shift
  words=
  i=1
  while [ "$i" -le "$count" ]; do
    words="$words \"\${$i}\""
    i=$((i + 1))
  done
  eval "command$words"
}
while [ "$#" -gt 0 ]; do
  printf '%s begin %d\n' "$nonce" "$index"
  printf '%s begin %d\n' "$nonce" "$index" >&2
  run "$@" </dev/null
  status=$?
  printf '\n%s end %d %d\n' "$nonce" "$index" "$status"
  printf '\n%s end %d %d\n' "$nonce" "$index" "$status" >&2
  shift $(($1 + 1))
  index=$((index + 1))
done
printf '%s done %d\n' "$nonce" "$index"
printf '%s done %d\n' "$nonce" "$index" >&2
