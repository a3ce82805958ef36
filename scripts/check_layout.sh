#!/usr/bin/env bash
# Holds harness/ to its layout (harness/CMakeLists.txt): one folder per
# stage, in data-path order, each with one header named after it, and a
# file may include only its own stage's header and those of earlier stages
# (plus common/ and the other top-level libraries). Prints each breach and
# exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/../harness"

stages=(lab load evidence facts report run cli)
external='^(common/strbuf\.h|common/files\.h|plots\.h|manifest\.h|minigpt\.h)$'
bad=0
for i in "${!stages[@]}"; do
    s=${stages[$i]}
    [ -d "$s" ] || { echo "layout: harness/$s/ is missing"; bad=1; continue; }
    for h in "$s"/*.h; do
        [ "$h" = "$s/$s.h" ] || { echo "layout: $h: a stage has one header, $s/$s.h"; bad=1; }
    done
    allowed=()
    for j in $(seq 0 "$i"); do allowed+=("${stages[$j]}/${stages[$j]}.h"); done
    for f in "$s"/*.c "$s"/*.h; do
        while IFS= read -r inc; do
            ok=0
            for a in "${allowed[@]}"; do [ "$inc" = "$a" ] && ok=1; done
            [[ "$inc" =~ $external ]] && ok=1
            [ $ok = 1 ] || { echo "layout: $f includes \"$inc\", not a stage before $s"; bad=1; }
        done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
    done
done
# Nothing of harness/ outside the stages but common/ and the lab files.
for f in *.c *.h; do
    [ -e "$f" ] && { echo "layout: harness/$f is in no stage"; bad=1; }
done
exit $bad
