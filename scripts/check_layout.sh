#!/usr/bin/env bash
# Holds harness/ to its layout (harness/CMakeLists.txt): one folder per
# stage, in data-path order, each with one header named after it, and a
# file may include only its own stage's header and those of earlier stages,
# plus common/ and the other top-level libraries (plots.h, manifest.h,
# minigpt.h, data_files.h). Includes are read in both forms ("..." and <...>, any
# spacing); system headers are not the layout's business. Prints each
# breach and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/../harness"

stages=(lab load evidence facts report run cli)
folders='lab|load|evidence|facts|report|run|cli|common'
bad=0
includes() { # every included name of file $1, one per line, as "q name" or "a name"
    sed -n -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/q \1/p' \
           -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/a \1/p' "$1"
}
for i in "${!stages[@]}"; do
    s=${stages[$i]}
    [ -d "$s" ] || { echo "layout: harness/$s/ is missing"; bad=1; continue; }
    for h in "$s"/*.h; do
        [ "$h" = "$s/$s.h" ] || { echo "layout: $h: a stage has one header, $s/$s.h"; bad=1; }
    done
    allowed=" common/strbuf.h common/files.h"
    for j in $(seq 0 "$i"); do allowed+=" ${stages[$j]}/${stages[$j]}.h"; done
    for f in "$s"/*.c "$s"/*.h; do
        while read -r form name; do
            if [[ "$name" =~ ^($folders)/ ]]; then
                [[ "$allowed " == *" $name "* ]] && continue
                echo "layout: $f includes $name, not a stage before $s"; bad=1
            elif [ "$form" = q ] && ! [[ "$name" =~ ^(plots|manifest|minigpt|data_files)\.h$ ]]; then
                echo "layout: $f includes \"$name\", which is no stage's header"; bad=1
            fi
        done < <(includes "$f")
    done
    for d in "$s"/*/; do [ -d "$d" ] && { echo "layout: $d: stages do not nest"; bad=1; }; done
done
# common/ is shared with plots/: it includes nothing of the stages.
for f in common/*.c common/*.h; do
    while read -r form name; do
        [[ "$name" =~ ^(lab|load|evidence|facts|report|run|cli)/ ]] &&
            { echo "layout: $f includes $name: common/ needs no stage"; bad=1; }
    done < <(includes "$f")
done
# Nothing of harness/ outside the stages, common/ and the lab files.
for f in *.c *.h; do [ -e "$f" ] && { echo "layout: harness/$f is in no stage"; bad=1; }; done
for d in */; do
    [[ "${d%/}" =~ ^($folders|labs|python)$ ]] || { echo "layout: harness/$d is no stage"; bad=1; }
done
exit $bad
